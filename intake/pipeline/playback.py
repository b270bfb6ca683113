"""Seekable playback copies of recordings, made once per recording and kept encrypted.

MediaRecorder's WebM has no cues (browsers cannot seek in it), so the nurse's page plays an
Ogg/Opus copy (inference.audio.playback). The `default` worker makes it when the recording is
complete (intake.pipeline.tasks.make_playback_copy); the media view makes it on first listen if
that has not happened yet. Decoding runs WITHOUT a lock on the visit's rows (it can take
seconds); the row is locked only to record the result, and a copy someone else recorded
meanwhile wins: ours is deleted, so there is never an unreferenced copy of patient audio.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.db import transaction

from inference.audio.playback import PlaybackInfo, make_playback_copy
from intake.mediastore.django import get_store
from intake.models import Recording


def ensure_playback_copy(recording_id: int) -> tuple[str, str]:
    """(media name, mime type) of the recording's playback copy; raises Recording.DoesNotExist
    for a missing, purged or discarded recording, AudioTooLong past ASR_MAX_AUDIO_SECONDS and
    AudioError when it cannot be decoded."""
    # A discarded recording (the clerk recorded again) is not part of the visit: not playable.
    rec = Recording.objects.get(pk=recording_id, media_purged_at__isnull=True, discarded=False)
    if rec.playback_media:
        return rec.playback_media, rec.playback_mime_type
    store = get_store()
    names = [c.media_name for c in rec.chunks.order_by("seq")]
    out = io.BytesIO()  # 10 min of Opus is ~2.4 MB: fine in memory, never on disk in clear
    with store.open_concat(names) as joined:
        info = make_playback_copy(joined, out, max_seconds=float(settings.ASR_MAX_AUDIO_SECONDS))
    out.seek(0)
    saved = store.save(out, subdir="playback")
    try:
        return _record(recording_id, saved.name, info)
    except BaseException:
        store.delete(saved.name)  # never an unreferenced copy of patient audio
        raise


def _record(recording_id: int, name: str, info: PlaybackInfo) -> tuple[str, str]:
    """Store the new copy on the recording, unless another one got there first (then ours is
    deleted and theirs returned)."""
    with transaction.atomic():
        rec = Recording.objects.select_for_update().get(
            pk=recording_id, media_purged_at__isnull=True
        )
        if rec.playback_media:
            transaction.on_commit(lambda: get_store().delete(name))
            return rec.playback_media, rec.playback_mime_type
        Recording.objects.filter(pk=rec.pk).update(
            playback_media=name,
            playback_mime_type=info.mime_type,
            duration_s=rec.duration_s if rec.duration_s is not None else info.duration_s,
        )
    return name, info.mime_type
