"""Nurse pages: the live queue, the visit review page, and the moves a nurse makes."""

from __future__ import annotations

import threading
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from intake import audit, events, review, worklist
from intake.lifecycle import StaleVersion
from intake.middleware import BACKGROUND_HEADER
from intake.models import AIDraft, NurseReview, Photo, Recording, SafetyFiring, Visit
from intake.models import Transcript as TranscriptRow
from intake.pipeline import submit
from intake.review_form import HPI, LISTS, VITALS, ReviewForm
from intake.roles import Role, role_required
from intake.states import FINAL, TRANSITIONS, IllegalTransition, VisitStatus
from intake.views.common import is_htmx, safe_next, staff_user, visit_or_404

MAX_ROWS = 200


# Where each request's own CSRF field goes into the shared, cached rows.
CSRF_SLOT = "<!--csrf-slot-->"
ROWS_CACHE_SECONDS = 5
_render_lock = threading.Lock()


@role_required(Role.NURSE)
def queue(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("status", worklist.DEFAULT_FILTER)
    if chosen not in worklist.FILTERS:
        chosen = worklist.DEFAULT_FILTER
    rows_html = _rows_html(chosen).replace(CSRF_SLOT, str(csrf_input(request)))
    context = {
        "rows_html": mark_safe(rows_html),  # noqa: S308 - our own template's output
        "filters": [(k, label) for k, (label, _) in worklist.FILTERS.items()],
        "chosen": chosen,
    }
    # Names and complaints on screen: a page a person opened or filtered is audited; the
    # automatic refreshes after live events (X-Intake-Background) would only repeat it.
    if BACKGROUND_HEADER not in request.headers:
        audit.record("queue.view", request=request, detail={"filter": chosen})
    # htmx re-fetches after an event need the rows only, not the whole page.
    template = "queue/_container.html" if is_htmx(request) else "queue/queue.html"
    return render(request, template, context)


def _rows_html(chosen: str) -> str:
    """The rows as every nurse sees them, rendered once per change: the table is cached under
    the generation token that every published event renews (intake.events), for a few seconds
    at most (waits tick in the browser; over-target marks may lag by that much)."""
    generation = events.queue_generation()
    if generation is None:
        return _render_rows(chosen)
    key = f"queue-rows:{chosen}:{generation}"
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    # After an event every open queue page asks at once: one request renders, the others
    # wait for its result instead of all rendering the same rows (per process).
    with _render_lock:
        cached = cache.get(key)
        if cached is None:
            cached = _render_rows(chosen)
            cache.set(key, cached, ROWS_CACHE_SECONDS)
    return str(cached)


def _render_rows(chosen: str) -> str:
    visits = list(worklist.queue_visits(chosen)[:MAX_ROWS])
    rows = worklist.rows(visits)
    slot = mark_safe(CSRF_SLOT)  # noqa: S308 - a constant comment
    alerting = [r for r in rows if r.alerting]
    return render_to_string(
        "queue/_rows.html", {"rows": rows, "alerting": alerting, "csrf_slot": slot}
    )


def _evidence_by_path(draft: AIDraft | None) -> dict[str, dict[str, Any]]:
    return {e["path"]: e for e in (draft.evidence if draft else []) if "path" in e}


def _field_evidence(draft: AIDraft | None) -> dict[str, list[dict[str, Any]]]:
    """Form field name -> the evidence of the draft items it shows."""
    by_path = _evidence_by_path(draft)
    out: dict[str, list[dict[str, Any]]] = {
        "chief_complaint": [by_path["chief_complaint"]] if "chief_complaint" in by_path else [],
        "severity": [by_path["hpi.severity"]] if "hpi.severity" in by_path else [],
        "pain": [by_path["pain"]] if "pain" in by_path else [],
    }
    for name, _ in HPI:
        out[f"hpi_{name}"] = [by_path[f"hpi.{name}"]] if f"hpi.{name}" in by_path else []
    for name, _ in VITALS:
        out[f"vital_{name}"] = [by_path[f"vitals.{name}"]] if f"vitals.{name}" in by_path else []
    for name, *_ in LISTS:
        out[name] = [e for p, e in by_path.items() if p.startswith(f"{name}[")]
    return out


def _page(request: HttpRequest, visit: Visit, form: ReviewForm | None = None) -> HttpResponse:
    draft = AIDraft.objects.filter(visit=visit, is_current=True).first()
    transcript = TranscriptRow.objects.filter(visit=visit, is_current=True).first()
    segments = list(transcript.segments.order_by("index")) if transcript else []
    recordings = list(Recording.objects.filter(visit=visit, discarded=False).order_by("sequence"))
    photos = list(Photo.objects.filter(visit=visit, deleted_at__isnull=True).order_by("created_at"))
    reviews = list(
        NurseReview.objects.filter(visit=visit)
        .select_related("reviewed_by")
        .order_by("-reviewed_at")
    )
    reviewable = visit.state in review.REVIEWABLE
    if form is None and reviewable:
        form = ReviewForm(draft=draft.data if draft else None, initial={"version": visit.version})
    evidence = _field_evidence(draft)
    fields = []
    if form is not None:
        # The rationale goes last, next to the final ESI it explains.
        names = [n for n in form.fields if n not in ("version", "final_esi", "rationale")]
        fields = [(form[n], evidence.get(n, [])) for n in [*names, "rationale"]]
    firings = list(SafetyFiring.objects.filter(visit=visit).order_by("esi_floor", "created_at"))
    failed_step = visit.steps.filter(status="failed").order_by("-finished_at", "-pk").first()
    return render(
        request,
        "nurse/visit.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "age": worklist.age_years(visit.patient.date_of_birth, visit.arrived_at),
            "draft": draft,
            "transcript": transcript,
            "segments": segments,
            "recordings": recordings,
            "photos": photos,
            "reviews": reviews,
            "form": form,
            "fields": fields,
            "firings": firings,
            "failed_step": failed_step,
            "reviewable": reviewable,
            "moves": [
                (s.value, label) for s, label in review.MOVES.items() if s in _moves_from(visit)
            ],
            "unsupported": [e for e in (draft.evidence if draft else []) if not e.get("supported")],
            "photos_not_analysed": bool(photos) and not (draft and draft.photos_analysed),
        },
    )


def _moves_from(visit: Visit) -> set[VisitStatus]:
    return set(TRANSITIONS[visit.state]) & set(review.MOVES)


@role_required(Role.NURSE)
def visit_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    audit.record("visit.view", request=request, visit=visit, detail={"page": "review"})
    return _page(request, visit)


@role_required(Role.NURSE)
@require_POST
def confirm(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    draft = AIDraft.objects.filter(visit=visit, is_current=True).first()
    form = ReviewForm(request.POST, draft=draft.data if draft else None)
    if not form.is_valid():
        return _page(request, visit, form)
    try:
        review.confirm(
            visit.pk,
            staff_user(request),
            expected_version=form.cleaned_data["version"],
            final_esi=form.cleaned_data["final_esi"],
            final_record=form.cleaned_data["record"],
        )
    except StaleVersion:
        messages.error(
            request,
            "Another nurse changed this visit while you were reviewing it. Nothing of yours was "
            "saved: check their changes below, then review again.",
        )
        return redirect("visit", visit_id=visit.pk)
    except review.NotReviewable as exc:
        messages.error(request, str(exc))
        return redirect("visit", visit_id=visit.pk)
    messages.success(request, f"Triage confirmed: ESI {form.cleaned_data['final_esi']}.")
    return redirect("visit", visit_id=visit.pk)


@role_required(Role.NURSE)
@require_POST
def move(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    try:
        target = VisitStatus(request.POST.get("target", ""))
        version = int(request.POST.get("version", ""))
        review.move(visit.pk, target, request.user, version, request.POST.get("reason", "")[:500])
    except (ValueError, IllegalTransition):
        messages.error(request, "That step is not possible for this visit now.")
    except StaleVersion:
        messages.error(
            request,
            "Someone else changed this visit just now; nothing was changed. Check and try again.",
        )
    else:
        messages.success(request, f"Visit marked {target.label.lower()}.")
    if request.POST.get("target", "") in {s.value for s in FINAL}:
        return redirect("queue")  # the visit has left the queue
    return redirect("visit", visit_id=visit.pk)


@role_required(Role.NURSE)
@require_POST
def acknowledge(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    review.acknowledge_alert(visit.pk, request.user)
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect(safe_next(request) or "queue")


@role_required(Role.NURSE)
@require_POST
def rerun(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    from_start = request.POST.get("from") == "start"
    try:
        if from_start:
            submit.rerun_from_start(visit.pk, request.user)
        else:
            submit.rerun_extraction(visit.pk, request.user)
    except IllegalTransition:
        messages.error(request, "Processing can only be re-run for a ready or failed visit.")
    except submit.NothingToProcess as exc:
        messages.error(request, str(exc))
    else:
        what = "The recording is being transcribed again and" if from_start else "The"
        messages.success(
            request, f"{what} AI draft is being made again; the old one stays in the history."
        )
    return redirect("visit", visit_id=visit.pk)


@role_required(Role.NURSE)
def print_summary(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_or_404(visit_id, front_desk=False)
    latest = (
        NurseReview.objects.filter(visit=visit)
        .select_related("reviewed_by")
        .order_by("-reviewed_at")
        .first()
    )
    draft = AIDraft.objects.filter(visit=visit, is_current=True).first()
    audit.record("visit.print", request=request, visit=visit)
    return render(
        request,
        "nurse/print.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "age": worklist.age_years(visit.patient.date_of_birth, visit.arrived_at),
            "review": latest,
            "record": latest.final_record if latest else (draft.data if draft else None),
            "draft": draft,
            "firings": SafetyFiring.objects.filter(visit=visit).order_by("esi_floor"),
            "printed_at": timezone.now(),
        },
    )
