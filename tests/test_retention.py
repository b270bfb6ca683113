from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from intake.mediastore import generate_key_file
from intake.mediastore.django import get_store, reset_store
from intake.models import (
    AIDraft,
    AuditEvent,
    Patient,
    Recording,
    RecordingChunk,
    SafetyFiring,
    Transcript,
    Visit,
)
from intake.pipeline.retention import (
    purge_expired_media,
    purge_expired_text,
    purge_expired_visits,
)
from tests import factories


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
    return factories.add_photo(visit).media_name


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


# --- working text and whole visits ---------------------------------------------------------------


def closed_visit_with_text(days_ago: int, patient: Patient | None = None) -> Visit:
    patient = patient or Patient.objects.create(name="Text Retention", date_of_birth="1980-01-01")
    visit = Visit.objects.create(
        patient=patient,
        arrived_at=timezone.now() - timedelta(days=days_ago),
        status="discharged",
        chief_complaint_typed="crushing chest pain since this morning",
    )
    transcript = Transcript.objects.create(
        visit=visit, text="my chest hurts", audio_seconds=2.0, wall_seconds=1.0
    )
    AIDraft.objects.create(visit=visit, transcript=transcript, data={}, schema_version="1")
    SafetyFiring.objects.create(
        visit=visit,
        transcript=transcript,
        source="transcript",
        rule_id="acs",
        esi_floor=2,
        description="Possible heart attack",
        reason="chest pain",
        evidence=[{"quote": "my chest hurts"}],
    )
    return visit


@pytest.mark.django_db
def test_it_clears_the_working_text_of_old_closed_visits(
    store_settings: None, settings: Settings
) -> None:
    settings.TRANSCRIPT_RETENTION_DAYS = 90
    old = closed_visit_with_text(100)
    recent = closed_visit_with_text(10)
    still_open = closed_visit_with_text(100)
    Visit.objects.filter(pk=still_open.pk).update(status="reviewed")

    assert purge_expired_text() == 1

    old.refresh_from_db()
    assert old.text_purged_at is not None and old.chief_complaint_typed == ""
    assert not Transcript.objects.filter(visit=old).exists()
    assert not AIDraft.objects.filter(visit=old).exists()
    firing = SafetyFiring.objects.get(visit=old)
    assert (firing.rule_id, firing.esi_floor, firing.evidence, firing.reason) == ("acs", 2, [], "")
    for kept in (recent, still_open):
        assert Transcript.objects.filter(visit=kept).exists()
    assert AuditEvent.objects.filter(action="record.text_purged", visit_id=old.pk).count() == 1
    assert purge_expired_text() == 0  # idempotent


@pytest.mark.django_db
def test_it_deletes_whole_old_visits_and_then_their_patients(
    store_settings: None, settings: Settings
) -> None:
    settings.TRANSCRIPT_RETENTION_DAYS = 90
    settings.VISIT_RETENTION_DAYS = 400
    gone = closed_visit_with_text(500)
    names = add_recording(gone)
    photo = add_photo(gone)
    patient = Patient.objects.create(name="Two Visits", date_of_birth="1950-01-01")
    older = closed_visit_with_text(500, patient)
    newer = closed_visit_with_text(20, patient)

    assert purge_expired_visits() == (2, 1)

    assert not Visit.objects.filter(pk__in=[gone.pk, older.pk]).exists()
    assert not Patient.objects.filter(pk=gone.patient_id).exists()
    assert Patient.objects.filter(pk=patient.pk).exists() and Visit.objects.filter(pk=newer.pk)
    store = get_store()
    assert not any(store.exists(n) for n in [*names, photo])
    # The trail keeps who and what by id, and records the deletion itself.
    assert AuditEvent.objects.filter(action="visit.purged", visit_id=gone.pk).exists()
    assert AuditEvent.objects.filter(action="patient.purged", patient_id=gone.patient_id).exists()
    assert not AuditEvent.objects.filter(action="patient.purged", patient_id=patient.pk).exists()


@pytest.mark.django_db
def test_it_keeps_whole_visits_by_default(store_settings: None) -> None:
    closed_visit_with_text(5000)
    assert purge_expired_visits() == (0, 0)
    assert Visit.objects.count() == 1
