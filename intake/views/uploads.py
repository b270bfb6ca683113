"""JSON endpoints the tablet's outbox calls: audio chunks, recording complete/discard, photos.

Every answer is JSON with a `code`, and a `message` a clerk can act on when refused. The outbox
drops an item only on 2xx; 4xx refusals stay on the tablet, marked, so nothing is lost silently.
Unauthenticated calls get 401 JSON (intake.middleware), so a logged-out tablet keeps its queue.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from intake import audit
from intake.forms import PhotoKindForm
from intake.pipeline import submit
from intake.pipeline.enqueue import enqueue_playback_copy
from intake.roles import Role, role_required
from intake.uploads.chunks import append_chunk, complete_recording, discard_recording
from intake.uploads.errors import UploadRefused
from intake.uploads.handlers import photo_upload_handlers
from intake.uploads.photos import save_photo
from intake.views.common import visit_or_404


def refused(exc: UploadRefused) -> JsonResponse:
    body: dict[str, Any] = {"ok": False, "code": exc.code, "message": exc.message}
    expected = getattr(exc, "expected_seq", None)
    if expected is not None:
        body["expected_seq"] = expected
    return JsonResponse(body, status=exc.status)


def _bad(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "message": message}, status=status)


@role_required(Role.FRONT_DESK)
@require_POST
def chunk(request: HttpRequest, visit_id: int, recording: int, seq: int) -> JsonResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    sha256 = request.headers.get("X-Chunk-Sha256", "")  # checked by append_chunk
    mime = request.headers.get("X-Recording-Type") or request.content_type or ""
    try:
        result = append_chunk(
            visit.pk, recording, seq, request, sha256=sha256, mime_type=mime, actor=request.user
        )
    except UploadRefused as exc:
        return refused(exc)
    return JsonResponse(
        {
            "ok": True,
            "code": "duplicate" if result.duplicate else "stored",
            "seq": result.seq,
            "received_chunks": result.received_chunks,
            "total_bytes": result.total_bytes,
        }
    )


@role_required(Role.FRONT_DESK)
@require_POST
def recording_complete(request: HttpRequest, visit_id: int, recording: int) -> JsonResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    try:
        count = int(request.POST.get("chunks", ""))
    except ValueError:
        return _bad("bad_request", "The tablet did not say how many pieces it recorded.")
    try:
        rec = complete_recording(visit.pk, recording, chunk_count=count, actor=request.user)
    except UploadRefused as exc:
        return refused(exc)
    audit.record("recording.complete", request=request, visit=visit.pk, obj=rec)
    # The nurse page's seekable copy is made by a worker, not by a request.
    transaction.on_commit(lambda: enqueue_playback_copy(rec.pk))
    submit.media_added(visit.pk, request.user, audio=True)
    return JsonResponse({"ok": True, "code": "completed", "recording": recording})


@role_required(Role.FRONT_DESK)
@require_POST
def recording_discard(request: HttpRequest, visit_id: int, recording: int) -> JsonResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    try:
        discard_recording(visit.pk, recording, actor=request.user)
    except UploadRefused as exc:
        return refused(exc)
    audit.record("recording.discard", request=request, visit=visit.pk, detail={"seq": recording})
    # A discarded recording after submit: the transcript must be made again without it.
    submit.media_added(visit.pk, request.user, audio=True)
    return JsonResponse({"ok": True, "code": "discarded", "recording": recording})


@csrf_exempt  # only so the handlers can be swapped first; _photo checks CSRF itself
@role_required(Role.FRONT_DESK)
@require_POST
def photo(request: HttpRequest, visit_id: int) -> HttpResponse:
    # The handlers refuse an oversized photo while it streams and keep it out of /tmp. They
    # must be in place before anything reads request.POST, as CsrfViewMiddleware would.
    request.upload_handlers = photo_upload_handlers(request)
    return _photo(request, visit_id)


@csrf_protect
def _photo(request: HttpRequest, visit_id: int) -> JsonResponse:
    visit = visit_or_404(visit_id, front_desk=True)
    form = PhotoKindForm(request.POST)
    upload = request.FILES.get("photo")
    if upload is None:
        return _bad("photo_missing", "No photo arrived; take it again.")
    if not form.is_valid():
        return _bad("photo_kind", "Pick what the photo shows (wound, rash, ...).")
    try:
        saved = save_photo(visit.pk, upload, form.cleaned_data["kind"], request.user)
    except UploadRefused as exc:
        return refused(exc)
    audit.record("photo.add", request=request, visit=visit.pk, obj=saved)
    submit.media_added(visit.pk, request.user, audio=False)
    return JsonResponse({"ok": True, "code": "stored", "photo": saved.pk})
