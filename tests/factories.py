"""Rows and media the tests and the benchmarks build: visits, recordings in the encrypted store,
audio, stand-in engines, and the test broker's queues. One place, so a model change is one edit.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from inference.transcript import Segment, Transcript, Word
from intake.mediastore.django import get_store
from intake.models import Patient, Photo, Recording, RecordingChunk, Visit

SPOKEN = "I have crushing chest pain and I am short of breath"


def broker() -> redis.Redis:
    """The Celery broker these settings use (tests.conftest points it at a test database)."""
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def make_visit(*, typed: str = "", age_years: int = 58, name: str = "Pipeline Test") -> Visit:
    born = timezone.now().date() - timedelta(days=int(age_years * 365.25) + 10)
    patient = Patient.objects.create(name=name, date_of_birth=born)
    return Visit.objects.create(patient=patient, chief_complaint_typed=typed)


def add_recording(
    visit: Visit, data: bytes, *, parts: int = 3, mime: str = "audio/wav", sequence: int = 1
) -> Recording:
    """Store `data` as one recording of `parts` byte chunks in the encrypted media store."""
    rec = Recording.objects.create(visit=visit, sequence=sequence, mime_type=mime)
    step = -(-len(data) // parts)
    for seq, start in enumerate(range(0, len(data), step)):
        stored = get_store().save(data[start : start + step])
        RecordingChunk.objects.create(
            recording=rec, seq=seq, media_name=stored.name, size=stored.size, sha256=stored.sha256
        )
    return rec


def add_photo(visit: Visit, data: bytes = b"jpeg") -> Photo:
    """Store `data` as a photo of the visit in the encrypted media store."""
    stored = get_store().save(io.BytesIO(data), subdir="photos")
    return Photo.objects.create(
        visit=visit,
        media_name=stored.name,
        content_type="image/jpeg",
        size=stored.size,
        sha256=stored.sha256,
        width=1,
        height=1,
    )


def silent_wav(seconds: float = 3.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * int(16000 * seconds))
    return out.getvalue()


class FakeAsr:
    """A fixed transcript; remembers what it was given (the joined recording bytes)."""

    def __init__(self) -> None:
        self.calls: list[list[bytes]] = []

    def __call__(
        self,
        engine: Any,
        recordings: list[Any],
        *,
        language: str,
        on_progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        self.calls.append([r.read() for r in recordings])
        if on_progress is not None:
            on_progress(1.0)
        words = tuple(Word(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(SPOKEN.split()))
        seg = Segment(id=0, start=0.0, end=3.0, text=SPOKEN, words=words)
        return Transcript(segments=(seg,), model_id="fake-asr", language=language, audio_seconds=3)


def queue_length(queue: str) -> int:
    return int(broker().llen(queue))


def consenting_visit(name: str = "Consent Test") -> Visit:
    """A draft visit whose patient agreed to be recorded (the server refuses audio otherwise)."""
    return Visit.objects.create(
        patient=Patient.objects.create(name=name),
        consent_to_record=True,
        consent_recorded_at=timezone.now(),
    )
