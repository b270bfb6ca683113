"""Seekable playback copies of recordings, made once per recording and kept encrypted.

MediaRecorder's WebM has no cues (browsers cannot seek in it), so the nurse's page plays an
Ogg/Opus copy (inference.audio.playback). Made on first listen under a row lock, so two nurses
opening the page at once make one copy.
"""

from __future__ import annotations

import io

from django.db import transaction

from inference.audio.playback import make_playback_copy
from intake.mediastore.django import get_store
from intake.models import Recording


def ensure_playback_copy(recording_id: int) -> tuple[str, str]:
    """(media name, mime type) of the recording's playback copy; raises Recording.DoesNotExist
    for a missing or purged recording and AudioError when it cannot be decoded."""
    with transaction.atomic():
        rec = Recording.objects.select_for_update().get(
            pk=recording_id, media_purged_at__isnull=True
        )
        if rec.playback_media:
            return rec.playback_media, rec.playback_mime_type
        store = get_store()
        names = [c.media_name for c in rec.chunks.order_by("seq")]
        out = io.BytesIO()  # 10 min of Opus is ~2.4 MB: fine in memory, never on disk in clear
        with store.open_concat(names) as joined:
            info = make_playback_copy(joined, out)
        out.seek(0)
        saved = store.save(out, subdir="playback")
        try:
            Recording.objects.filter(pk=rec.pk).update(
                playback_media=saved.name,
                playback_mime_type=info.mime_type,
                duration_s=rec.duration_s if rec.duration_s is not None else info.duration_s,
            )
        except BaseException:
            store.delete(saved.name)  # never an unreferenced copy of patient audio
            raise
    return saved.name, info.mime_type
