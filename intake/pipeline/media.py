"""A visit's recordings as the pipeline sees them: which count, how long they are, opened
decrypted from the media store."""

from __future__ import annotations

from contextlib import ExitStack
from typing import BinaryIO

from intake.mediastore.django import get_store
from intake.models import Recording

# Opus from MediaRecorder runs at ~32 kbit/s: bytes -> seconds when no duration is known yet.
_OPUS_BYTES_PER_SECOND = 4000


def live_recordings(visit_id: int) -> list[Recording]:
    return list(
        Recording.objects.filter(visit_id=visit_id, discarded=False, media_purged_at__isnull=True)
        .prefetch_related("chunks")
        .order_by("sequence")
    )


def audio_seconds(visit_id: int) -> float:
    """The visit's audio length: decoded durations when known, else estimated from bytes."""
    total = 0.0
    for rec in live_recordings(visit_id):
        if rec.duration_s is not None:
            total += rec.duration_s
        else:
            total += sum(c.size for c in rec.chunks.all()) / _OPUS_BYTES_PER_SECOND
    return total


def opened_recordings(recordings: list[Recording], stack: ExitStack) -> list[BinaryIO]:
    store = get_store()
    return [
        stack.enter_context(store.open_concat([c.media_name for c in rec.chunks.order_by("seq")]))
        for rec in recordings
    ]
