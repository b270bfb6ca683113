"""Orphaned media: encrypted files no row points at, and the ".tmp-*.part" files a save left
when its process died mid-write. Both hold patient audio or photos (encrypted), so they are
removed instead of lingering past every retention period.

An upload stores its file first and inserts its row after, and a playback copy is written
before its row names it: only files older than ORPHAN_GRACE_HOURS are considered, so nothing
still being written or recorded is touched. Idempotent; runs daily from beat."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from intake import audit
from intake.mediastore.crypto import InvalidMediaName
from intake.mediastore.django import get_store
from intake.mediastore.store import validate_name
from intake.models import Photo, Recording, RecordingChunk


@dataclass(frozen=True)
class OrphanSweep:
    orphans: int
    partial: int


def referenced_names() -> set[str]:
    """Names rows still point at. Rows whose media retention removed do not count: a file
    that reappeared under such a name (a key rotation racing the purge) is an orphan too."""
    live = {"media_purged_at__isnull": True}
    chunks = RecordingChunk.objects.filter(recording__media_purged_at__isnull=True)
    names: set[str] = set(chunks.values_list("media_name", flat=True))
    playback = Recording.objects.filter(**live).exclude(playback_media="")
    names.update(playback.values_list("playback_media", flat=True))
    names.update(Photo.objects.filter(**live).values_list("media_name", flat=True))
    return names


def sweep_orphans(now: float | None = None) -> OrphanSweep:
    store = get_store()
    cutoff = (now if now is not None else time.time()) - settings.ORPHAN_GRACE_HOURS * 3600
    # Listed first, rows read after: a file saved and claimed meanwhile is either too new to
    # be considered or already in the set.
    candidates = [(name, path) for name, path, mtime in store.walk() if mtime < cutoff]
    if not candidates:
        return OrphanSweep(0, 0)
    known = referenced_names()
    orphans = partial = 0
    for name, path in candidates:
        if path.name.startswith(".tmp-") and path.name.endswith(".part"):
            path.unlink(missing_ok=True)
            partial += 1
            continue
        try:
            validate_name(name)
        except InvalidMediaName:
            continue  # not the store's file: IT put it there, leave it
        if name not in known:
            store.delete(name)
            orphans += 1
    if orphans or partial:
        audit.record("media.orphans_swept", detail={"orphans": orphans, "partial": partial})
    return OrphanSweep(orphans, partial)
