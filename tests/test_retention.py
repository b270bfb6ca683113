from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from intake.mediastore import generate_key_file
from intake.mediastore.django import get_store, reset_store
from intake.models import AuditEvent, Patient, Photo, Recording, RecordingChunk, Visit
from intake.retention import purge_expired_media


@pytest.fixture
def store_settings(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ENCRYPTION_KEY_FILE = tmp_path / "media.key"
    generate_key_file(settings.MEDIA_ENCRYPTION_KEY_FILE)
    settings.AUDIO_RETENTION_DAYS = 30
    settings.PHOTO_RETENTION_DAYS = 60
    reset_store()


def visit_arrived(days_ago: int) -> Visit:
    patient = Patient.objects.create(name="Retention Test", date_of_birth="1990-01-01")
    return Visit.objects.create(
        patient=patient, arrived_at=timezone.now() - timedelta(days=days_ago)
    )


def add_recording(visit: Visit) -> list[str]:
    store = get_store()
    recording = Recording.objects.create(visit=visit, sequence=0, mime_type="audio/webm")
    names = []
    for seq in range(2):
        stored = store.save(io.BytesIO(b"chunk-%d" % seq), subdir="audio")
        RecordingChunk.objects.create(
            recording=recording,
            seq=seq,
            media_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
        )
        names.append(stored.name)
    return names


def add_photo(visit: Visit) -> str:
    stored = get_store().save(io.BytesIO(b"jpeg"), subdir="photos")
    Photo.objects.create(
        visit=visit,
        media_name=stored.name,
        content_type="image/jpeg",
        size=stored.size,
        sha256=stored.sha256,
        width=1,
        height=1,
    )
    return stored.name


@pytest.mark.django_db
def test_it_purges_old_audio_and_keeps_recent(store_settings: None) -> None:
    store = get_store()
    old, recent = visit_arrived(31), visit_arrived(29)
    old_names, recent_names = add_recording(old), add_recording(recent)

    report = purge_expired_media()

    assert report.recordings == 1 and report.files == 2
    assert not any(store.exists(n) for n in old_names)
    assert all(store.exists(n) for n in recent_names)
    assert Recording.objects.get(visit=old).media_purged_at is not None
    assert Recording.objects.get(visit=recent).media_purged_at is None
    event = AuditEvent.objects.get(action="media.purged")
    assert event.visit_id == old.pk and event.detail == {"files": 2, "reason": "retention"}


@pytest.mark.django_db
def test_it_keeps_photos_for_their_own_period(store_settings: None) -> None:
    store = get_store()
    mid, ancient = visit_arrived(45), visit_arrived(61)
    mid_photo, ancient_photo = add_photo(mid), add_photo(ancient)

    report = purge_expired_media()

    assert report.photos == 1
    assert store.exists(mid_photo)
    assert not store.exists(ancient_photo)


@pytest.mark.django_db
def test_it_is_idempotent(store_settings: None) -> None:
    add_recording(visit_arrived(40))
    assert purge_expired_media().recordings == 1
    again = purge_expired_media()
    assert (again.recordings, again.photos, again.files) == (0, 0, 0)
    assert AuditEvent.objects.filter(action="media.purged").count() == 1
