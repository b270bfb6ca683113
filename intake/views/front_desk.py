"""Front-desk tablet pages: start an intake, record, photos, typed complaint, review, submit.

Uploads (chunks and photos) are JSON endpoints in intake.views.uploads; the tablet's outbox
(static/intake/outbox.js) sends them and keeps them while the network or the session is gone.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from inference.asr.languages import language_warning
from intake import audit, frontdesk
from intake.forms import ComplaintForm, NewIntakeForm
from intake.models import Photo, PhotoKind, Recording, Visit
from intake.pipeline import submit as pipeline
from intake.roles import Role, role_required
from intake.states import EDITABLE, VisitStatus
from intake.uploads.errors import UploadRefused
from intake.views.common import is_htmx, staff_user, visit_or_404

S = VisitStatus


@role_required(Role.FRONT_DESK)
def start(request: HttpRequest) -> HttpResponse:
    """The clean "next patient" screen: no patient data on it."""
    return render(request, "front_desk/start.html")


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def new_intake(request: HttpRequest) -> HttpResponse:
    urgent = request.method == "POST" and request.POST.get("urgent") == "1"
    form = NewIntakeForm(request.POST or None, urgent=urgent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = frontdesk.start_intake(
            staff_user(request),
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            mrn=data["mrn"],
            phone=data["phone"],
            preferred_language=data["preferred_language"],
            consent=data["consent_to_record"],
            urgent=urgent,
        )
        return redirect("intake_visit", visit_id=visit.pk)
    return render(request, "front_desk/new.html", {"form": form})


@role_required(Role.FRONT_DESK)
def today(request: HttpRequest) -> HttpResponse:
    """Visits started on this desk recently, to add a photo or audio after submit."""
    visits = frontdesk.desk_visits().order_by("-arrived_at")
    audit.record("frontdesk.list", request=request)
    return render(request, "front_desk/today.html", {"visits": visits})


@role_required(Role.FRONT_DESK)
def visit_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    audit.record("visit.view", request=request, visit=visit, detail={"page": "front_desk"})
    return render(request, "front_desk/visit.html", _visit_context(visit))


def _visit_context(visit: Visit) -> dict[str, object]:
    patient = visit.patient
    return {
        "visit": visit,
        "patient": patient,
        "editable": visit.state in EDITABLE,
        "submitted": visit.state != S.DRAFT,
        "earlier": frontdesk.earlier_visits_today(visit),
        "language_warning": _language_warning(patient.preferred_language),
        "recordings": _recordings(visit),
        "photos": _photos(visit),
        "photo_kinds": PhotoKind.choices,
        "complaint_form": ComplaintForm(initial={"complaint": visit.chief_complaint_typed}),
        "max_seconds": settings.RECORDING_MAX_SECONDS,
        "warn_seconds": settings.RECORDING_WARN_SECONDS,
        "chunk_seconds": settings.RECORDING_CHUNK_SECONDS,
        "max_seconds_display": _minutes(settings.RECORDING_MAX_SECONDS),
        "browser_processing": settings.RECORDING_BROWSER_PROCESSING,
        "next_recording": _next_recording(visit),
    }


def _next_recording(visit: Visit) -> int:
    last = Recording.objects.filter(visit=visit).aggregate(n=Max("sequence"))["n"]
    return 0 if last is None else int(last) + 1


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" if not rest else f"{minutes} min {rest} s"


def _language_warning(language: str) -> str:
    try:
        return language_warning(settings.ASR_MODEL_PATH, language)
    except OSError:
        return "The speech model file is missing on the server; ask IT."


def _recordings(visit: Visit) -> list[Recording]:
    return list(Recording.objects.filter(visit=visit, discarded=False).order_by("sequence"))


def _photos(visit: Visit) -> list[Photo]:
    return list(Photo.objects.filter(visit=visit, deleted_at__isnull=True).order_by("created_at"))


@role_required(Role.FRONT_DESK)
@require_POST
def mark_urgent(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    frontdesk.mark_urgent(visit.pk, request.user)
    if is_htmx(request):
        # Read again: the fragment shows the flag as it is stored now.
        fresh = visit_or_404(visit_id, front_desk=True)
        return render(request, "front_desk/_urgent.html", {"visit": fresh})
    messages.warning(request, "A nurse has been alerted.")
    return redirect("intake_visit", visit_id=visit.pk)


@role_required(Role.FRONT_DESK)
@require_POST
def save_complaint(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    form = ComplaintForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            if frontdesk.set_typed_complaint(
                visit.pk, request.user, form.cleaned_data["complaint"]
            ):
                pipeline.complaint_changed(visit.pk, request.user)
            saved = True
        except UploadRefused as exc:
            form.add_error(None, exc.message)
    if is_htmx(request):
        return render(
            request,
            "front_desk/_complaint.html",
            {"visit": visit, "complaint_form": form, "saved": saved, "editable": True},
        )
    return redirect("intake_visit", visit_id=visit.pk)


@role_required(Role.FRONT_DESK)
def photo_list(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    return render(
        request,
        "front_desk/_photos.html",
        {
            "visit": visit,
            "photos": _photos(visit),
            "editable": visit.state in EDITABLE,
        },
    )


@role_required(Role.FRONT_DESK)
@require_POST
def delete_photo(request: HttpRequest, visit_id: int, photo_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    try:
        frontdesk.delete_photo(visit.pk, photo_id, request.user)
    except Photo.DoesNotExist:
        raise Http404("No such photo.") from None
    except UploadRefused as exc:
        raise PermissionDenied(exc.message) from None
    return photo_list(request, visit_id)


@role_required(Role.FRONT_DESK)
def review(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    audit.record("visit.view", request=request, visit=visit, detail={"page": "front_desk_review"})
    return render(request, "front_desk/review.html", _visit_context(visit))


@role_required(Role.FRONT_DESK)
@require_POST
def submit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    if visit.state != S.DRAFT:
        messages.info(request, "That intake was already with the nurses.")
        return redirect("front_desk")
    incomplete = Recording.objects.filter(
        visit=visit, discarded=False, completed_at__isnull=True
    ).exists()
    if incomplete:
        messages.error(
            request,
            "A recording has not finished uploading. Wait for the tablet to send it, or "
            "discard it on this page.",
        )
        return redirect("intake_review", visit_id=visit.pk)
    try:
        pipeline.submit_visit(visit.pk, request.user)
    except pipeline.NothingToProcess:
        messages.error(
            request, "Record the patient or type the complaint before sending the intake."
        )
        return redirect("intake_review", visit_id=visit.pk)
    messages.success(request, "Intake sent to the nurses. Ready for the next patient.")
    return redirect(reverse("front_desk") + "?sent=1")
