"""Decrypted media for the pages that show it. Role-checked, audited, never cached."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse

from inference.audio.errors import AudioError
from intake import audit
from intake.mediastore.crypto import MediaNotFound
from intake.mediastore.django import get_store, ranged_response
from intake.models import Photo, Recording
from intake.pipeline import playback
from intake.roles import Role, has_role, role_required
from intake.views.common import visit_or_404


def _starts_at_zero(range_header: str) -> bool:
    return not range_header or range_header.replace(" ", "").startswith("bytes=0-")


@role_required(Role.FRONT_DESK, Role.NURSE)
def photo(request: HttpRequest, photo_id: int) -> HttpResponse | StreamingHttpResponse:
    try:
        row = Photo.objects.get(pk=photo_id, deleted_at__isnull=True, media_purged_at__isnull=True)
        if not has_role(request.user, Role.NURSE):
            visit_or_404(row.visit_id, front_desk=True)  # tablets see recent visits only
        store = get_store()
        size = store.size(row.media_name)
        fileobj = store.open(row.media_name)
    except (Photo.DoesNotExist, MediaNotFound):
        raise Http404(
            "This photo is not available (deleted, or past the retention period)."
        ) from None
    audit.record("photo.view", request=request, visit=row.visit_id, obj=row)
    return ranged_response(request, fileobj, size, row.content_type)


@role_required(Role.NURSE)
def recording(request: HttpRequest, recording_id: int) -> HttpResponse | StreamingHttpResponse:
    """The seekable playback copy of a recording (made on first listen, then kept)."""
    try:
        name, mime = playback.ensure_playback_copy(recording_id)
        store = get_store()
        size = store.size(name)
        fileobj = store.open(name)
    except (Recording.DoesNotExist, MediaNotFound):
        raise Http404("This recording is not available (past the retention period?).") from None
    except AudioError as exc:
        return HttpResponse(exc.user_message, status=422, content_type="text/plain")
    # The page preloads nothing (preload="none"), so a request means someone pressed play or
    # jumped to a word. One event per listen: a seek's later ranges do not log again.
    if _starts_at_zero(request.headers.get("Range", "")):
        visit_id = Recording.objects.values_list("visit_id", flat=True).get(pk=recording_id)
        audit.record(
            "recording.listen", request=request, visit=visit_id, detail={"recording": recording_id}
        )
    return ranged_response(request, fileobj, size, mime)
