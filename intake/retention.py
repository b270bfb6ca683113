"""Retention: recordings and photos are deleted from the media store after a fixed number of
days (AUDIO_RETENTION_DAYS, PHOTO_RETENTION_DAYS, counted from arrival). The rows stay, marked
with media_purged_at, so the record, the transcript and the audit trail still show that media
existed and when it was removed. Idempotent: runs daily from beat and may run twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import audit
from intake.mediastore.django import get_store
from intake.models import Photo, Recording


@dataclass(frozen=True)
class PurgeReport:
    recordings: int
    photos: int
    files: int


def purge_expired_media(now: datetime | None = None) -> PurgeReport:
    now = now or timezone.now()
    store = get_store()
    files = 0
    audio_cutoff = now - timedelta(days=settings.AUDIO_RETENTION_DAYS)
    recordings = Recording.objects.filter(
        visit__arrived_at__lt=audio_cutoff, media_purged_at__isnull=True
    ).prefetch_related("chunks")
    purged_recordings = 0
    for recording in recordings.iterator(chunk_size=100):
        names = [c.media_name for c in recording.chunks.all()]
        if recording.playback_media:
            names.append(recording.playback_media)
        # Mark first, then delete files: a crash in between leaves orphan ciphertext (harmless
        # without the row) rather than a row that claims audio the store no longer has.
        with transaction.atomic():
            Recording.objects.filter(pk=recording.pk).update(media_purged_at=now)
            audit.record(
                "media.purged",
                visit=recording.visit_id,
                obj=recording,
                detail={"files": len(names), "reason": "retention"},
            )
        for name in names:
            store.delete(name)
        files += len(names)
        purged_recordings += 1

    photo_cutoff = now - timedelta(days=settings.PHOTO_RETENTION_DAYS)
    photos = Photo.objects.filter(visit__arrived_at__lt=photo_cutoff, media_purged_at__isnull=True)
    purged_photos = 0
    for photo in photos.iterator(chunk_size=100):
        with transaction.atomic():
            Photo.objects.filter(pk=photo.pk).update(media_purged_at=now)
            audit.record(
                "media.purged",
                visit=photo.visit_id,
                obj=photo,
                detail={"files": 1, "reason": "retention"},
            )
        store.delete(photo.media_name)
        files += 1
        purged_photos += 1
    return PurgeReport(recordings=purged_recordings, photos=purged_photos, files=files)
