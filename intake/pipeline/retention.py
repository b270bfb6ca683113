"""Retention, in three tiers, each counted from the visit's arrival and each audited:

1. media: recordings and photos leave the media store after AUDIO_RETENTION_DAYS /
   PHOTO_RETENTION_DAYS. The rows stay, marked media_purged_at, so the record and the audit
   trail still show that media existed and when it was removed;
2. working text of closed visits (transcripts, AI drafts, the typed complaint, the words quoted
   as evidence) after TRANSCRIPT_RETENTION_DAYS; the nurse's review and which rules fired stay;
3. whole closed visits, then patients left without a visit, after VISIT_RETENTION_DAYS (0, the
   default, keeps them).

Idempotent: runs hourly from beat and may run twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from intake import audit
from intake.mediastore.django import get_store
from intake.models import AIDraft, Patient, Photo, Recording, SafetyFiring, Transcript, Visit
from intake.states import FINAL


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
    recordings = (
        Recording.objects.filter(visit__arrived_at__lt=audio_cutoff, media_purged_at__isnull=True)
        .select_related("visit")
        .prefetch_related("chunks")
    )
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
                visit=recording.visit,
                obj=recording,
                detail={"files": len(names), "reason": "retention"},
            )
        for name in names:
            store.delete(name)
        files += len(names)
        purged_recordings += 1

    photo_cutoff = now - timedelta(days=settings.PHOTO_RETENTION_DAYS)
    photos = Photo.objects.filter(
        visit__arrived_at__lt=photo_cutoff, media_purged_at__isnull=True
    ).select_related("visit")
    purged_photos = 0
    for photo in photos.iterator(chunk_size=100):
        with transaction.atomic():
            Photo.objects.filter(pk=photo.pk).update(media_purged_at=now)
            audit.record(
                "media.purged",
                visit=photo.visit,
                obj=photo,
                detail={"files": 1, "reason": "retention"},
            )
        store.delete(photo.media_name)
        files += 1
        purged_photos += 1
    return PurgeReport(recordings=purged_recordings, photos=purged_photos, files=files)


def _closed_before(cutoff: datetime) -> QuerySet[Visit]:
    return Visit.objects.filter(arrived_at__lt=cutoff, status__in=[s.value for s in FINAL])


def purge_expired_text(now: datetime | None = None) -> int:
    """Tier 2: the working text of closed visits; returns how many visits were cleared."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TRANSCRIPT_RETENTION_DAYS)
    visits = _closed_before(cutoff).filter(text_purged_at__isnull=True).values_list("pk", flat=True)
    cleared = 0
    for visit_id in list(visits):
        with transaction.atomic():
            transcripts, _ = Transcript.objects.filter(visit_id=visit_id).delete()
            drafts, _ = AIDraft.objects.filter(visit_id=visit_id).delete()
            SafetyFiring.objects.filter(visit_id=visit_id).update(evidence=[], reason="")
            Visit.objects.filter(pk=visit_id).update(chief_complaint_typed="", text_purged_at=now)
            audit.record(
                "record.text_purged",
                visit=visit_id,
                detail={"rows": transcripts + drafts, "reason": "retention"},
            )
        cleared += 1
    return cleared


def purge_expired_visits(now: datetime | None = None) -> tuple[int, int]:
    """Tier 3: closed visits (their media files first), then patients without a visit left.
    Returns (visits, patients) deleted; nothing when VISIT_RETENTION_DAYS is 0."""
    if not settings.VISIT_RETENTION_DAYS:
        return 0, 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VISIT_RETENTION_DAYS)
    store = get_store()
    visits = patients = 0
    for visit_id, patient_id in list(_closed_before(cutoff).values_list("pk", "patient_id")):
        names = [
            *Photo.objects.filter(visit_id=visit_id).values_list("media_name", flat=True),
            *Recording.objects.filter(visit_id=visit_id)
            .exclude(playback_media="")
            .values_list("playback_media", flat=True),
        ]
        for recording in Recording.objects.filter(visit_id=visit_id).prefetch_related("chunks"):
            names.extend(c.media_name for c in recording.chunks.all())
        with transaction.atomic():
            # The trail keeps the visit and patient ids (no foreign key): who saw it, when.
            audit.record(
                "visit.purged",
                visit=visit_id,
                patient_id=patient_id,
                detail={"reason": "retention"},
            )
            Visit.objects.filter(pk=visit_id).delete()
            if not Visit.objects.filter(patient_id=patient_id).exists():
                Patient.objects.filter(pk=patient_id).delete()
                audit.record(
                    "patient.purged", patient_id=patient_id, detail={"reason": "retention"}
                )
                patients += 1
        # Rows first, files after (as above): a crash in between leaves orphans for the sweep.
        for name in names:
            store.delete(name)
        visits += 1
    return visits, patients
