"""Orphaned media files are swept; everything a row names, and anything recent, is kept."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from intake.mediastore.django import get_store
from intake.models import AuditEvent, Patient, Recording, RecordingChunk, Visit
from intake.pipeline.orphans import sweep_orphans
from tests.factories import add_photo

pytestmark = pytest.mark.django_db
DAY = 86400.0


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_it_deletes_old_unnamed_files_and_partial_writes_but_keeps_the_rest(media: Path) -> None:
    store = get_store()
    visit = Visit.objects.create(
        patient=Patient.objects.create(name="Orphan Test", date_of_birth="1990-01-01")
    )
    chunk = store.save(io.BytesIO(b"chunk"), subdir="audio")
    recording = Recording.objects.create(visit=visit, sequence=0, mime_type="audio/webm")
    RecordingChunk.objects.create(
        recording=recording, seq=0, media_name=chunk.name, size=chunk.size, sha256=chunk.sha256
    )
    playback = store.save(io.BytesIO(b"wav"), subdir="playback")
    Recording.objects.filter(pk=recording.pk).update(playback_media=playback.name)
    photo = add_photo(visit)
    orphan = store.save(io.BytesIO(b"a crashed upload's audio"), subdir="audio")
    fresh_orphan = store.save(io.BytesIO(b"an upload still inserting its row"), subdir="audio")
    partial = media / "audio" / ".tmp-abc.part"
    partial.write_bytes(b"half")
    foreign = media / "README.txt"
    foreign.write_text("IT's note")
    for name in (chunk.name, playback.name, photo.media_name, orphan.name):
        age(media / name, 2 * DAY)
    age(partial, 2 * DAY)
    age(foreign, 2 * DAY)

    result = sweep_orphans()

    assert (result.orphans, result.partial) == (1, 1)
    assert not store.exists(orphan.name) and not partial.exists()
    for kept in (chunk.name, playback.name, photo.media_name, fresh_orphan.name):
        assert store.exists(kept), kept
    assert foreign.exists()
    event = AuditEvent.objects.get(action="media.orphans_swept")
    assert event.detail == {"orphans": 1, "partial": 1}
    # Idempotent: a second run finds nothing and writes no event.
    assert sweep_orphans() == type(result)(0, 0)
    assert AuditEvent.objects.filter(action="media.orphans_swept").count() == 1
