"""The durable pipeline in-process: claims, submit/enqueue after commit, redelivery, failures
and the sweeper. Engines are stubs (StubLlm, a fixed transcript); the broker is the test Redis
(db 10), so "enqueued" means a message really sits in the queue."""

from __future__ import annotations

import subprocess
import wave
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inference.transcript import Segment, Transcript, Word
from intake import runs, steps
from intake.mediastore.django import get_store
from intake.models import (
    AIDraft,
    Patient,
    ProcessingStep,
    Recording,
    RecordingChunk,
    SafetyFiring,
    StepName,
    StepStatus,
    Visit,
)
from intake.models import Transcript as TranscriptRow
from intake.processing import rerun_extraction, submit_visit
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import TEST_BROKER_DB, make_user
from tests.fixtures_models import StubLlm, asr_engine  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SPOKEN = "I have crushing chest pain and I am short of breath"


def broker() -> redis.Redis:
    from intake.env import redis_db_url

    return redis.Redis.from_url(redis_db_url(settings.REDIS_URL, TEST_BROKER_DB))


def make_visit(*, typed: str = "", age_years: int = 58) -> Visit:
    born = timezone.now().date() - timedelta(days=int(age_years * 365.25) + 10)
    patient = Patient.objects.create(name="Pipeline Test", date_of_birth=born)
    return Visit.objects.create(patient=patient, chief_complaint_typed=typed)


def add_recording(visit: Visit, data: bytes, *, parts: int = 3, mime: str = "audio/wav") -> None:
    """Store `data` as one recording of `parts` byte chunks in the encrypted media store."""
    rec = Recording.objects.create(visit=visit, sequence=1, mime_type=mime)
    step = -(-len(data) // parts)
    for seq, start in enumerate(range(0, len(data), step)):
        stored = get_store().save(data[start : start + step])
        RecordingChunk.objects.create(
            recording=rec, seq=seq, media_name=stored.name, size=stored.size, sha256=stored.sha256
        )


def silent_wav(seconds: float = 3.0) -> bytes:
    import io

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

    def __call__(self, engine: Any, recordings: list[Any], *, language: str) -> Transcript:
        self.calls.append([r.read() for r in recordings])
        words = tuple(Word(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(SPOKEN.split()))
        seg = Segment(id=0, start=0.0, end=3.0, text=SPOKEN, words=words)
        return Transcript(segments=(seg,), model_id="fake-asr", language=language, audio_seconds=3)


def queue_length(queue: str) -> int:
    return int(broker().llen(queue))


# --- claims ------------------------------------------------------------------------------------


def test_it_lets_only_one_claim_win() -> None:
    visit = make_visit()
    first = steps.claim(visit.pk, StepName.ASR, 60)
    second = steps.claim(visit.pk, StepName.ASR, 60)
    assert first is not None and second is None
    assert ProcessingStep.objects.get(visit=visit).lease_owner == first.owner


def test_it_reclaims_an_expired_lease() -> None:
    visit = make_visit()
    assert steps.claim(visit.pk, StepName.ASR, 60) is not None
    ProcessingStep.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    again = steps.claim(visit.pk, StepName.ASR, 60)
    assert again is not None and again.attempt == 1


def test_it_skips_a_done_step() -> None:
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.LLM, 60)
    assert claim is not None
    steps.finish(claim)
    assert steps.claim(visit.pk, StepName.LLM, 60) is None


def test_it_fences_a_worker_whose_lease_was_reclaimed() -> None:
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.ASR, 60)
    assert claim is not None
    ProcessingStep.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert steps.reclaim_expired() == 1
    with pytest.raises(steps.LeaseLost):
        steps.finish(claim)
    row = ProcessingStep.objects.get(visit=visit)
    assert (row.status, row.attempt, row.lease_owner) == (StepStatus.PENDING, 2, "")


# --- submit ------------------------------------------------------------------------------------


def test_it_enqueues_nothing_when_the_submission_rolls_back(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav())
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_visit(visit.pk, None)
        raise RuntimeError("the request failed after submitting")
    assert queue_length("asr") == 0
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT


def test_it_enqueues_exactly_one_message_on_commit(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav())
    submit_visit(visit.pk, None)
    assert queue_length("asr") == 1
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.SUBMITTED
    message = broker().lindex("asr", 0) or b""
    assert b"Pipeline Test" not in message  # ids only, never patient data


def test_it_checks_a_typed_complaint_and_skips_the_asr() -> None:
    visit = make_visit(typed="crushing chest pain and short of breath")
    submit_visit(visit.pk, None)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUMMARIZING
    assert queue_length("asr") == 0 and queue_length("llm") == 1
    assert SafetyFiring.objects.filter(visit=visit, source="typed").exists()
    assert visit.esi_rule_floor is not None and visit.esi_rule_floor <= 2
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.READY


# --- the steps, twice --------------------------------------------------------------------------


def test_it_processes_a_visit_once_when_tasks_are_delivered_twice(media: Path) -> None:
    visit = make_visit()
    audio = silent_wav(1.0)
    add_recording(visit, audio)
    submit_visit(visit.pk, None)
    fake, llm = FakeAsr(), StubLlm()
    assert runs.run_transcription(visit.pk, object(), fake) == "done"
    assert runs.run_transcription(visit.pk, object(), fake) == "skipped"
    assert fake.calls == [[audio]]  # the three chunks joined, in order
    assert runs.run_extraction(visit.pk, llm) == "done"
    assert runs.run_extraction(visit.pk, llm) == "skipped"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.READY
    assert TranscriptRow.objects.filter(visit=visit, is_current=True).count() == 1
    assert AIDraft.objects.filter(visit=visit, is_current=True).count() == 1
    assert set(ProcessingStep.objects.values_list("step", "status")) == {
        ("asr", "done"),
        ("llm", "done"),
    }
    segment = TranscriptRow.objects.get(visit=visit).segments.get()
    assert segment.words and segment.words[0]["w"] == "I"
    assert visit.esi_rule_floor is not None and visit.esi_suggested is not None
    assert visit.esi_suggested <= visit.esi_rule_floor  # the floor only raises urgency


def test_it_keeps_the_old_draft_as_history_on_rerun(media: Path) -> None:
    visit = make_visit(typed="my ankle hurts")
    submit_visit(visit.pk, None)
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    with pytest.raises(PermissionDenied):
        rerun_extraction(visit.pk, make_user("desk", Role.FRONT_DESK))
    rerun_extraction(visit.pk, make_user("nurse", Role.NURSE))
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    assert AIDraft.objects.filter(visit=visit).count() == 2
    assert AIDraft.objects.filter(visit=visit, is_current=True).count() == 1
    assert list(
        ProcessingStep.objects.filter(step="llm").order_by("attempt").values_list("attempt")
    ) == [(1,), (2,)]


# --- failures ----------------------------------------------------------------------------------


def test_it_fails_silent_audio_with_a_readable_reason(
    media: Path,
    asr_engine: Any,  # noqa: F811
) -> None:
    from inference.asr import transcribe

    visit = make_visit()
    add_recording(visit, silent_wav())
    submit_visit(visit.pk, None)
    assert runs.run_transcription(visit.pk, asr_engine, transcribe) == "failed"
    visit.refresh_from_db()
    step = ProcessingStep.objects.get(visit=visit, step="asr")
    assert visit.status == VisitStatus.FAILED
    assert step.status == StepStatus.FAILED and step.failure_code
    assert visit.status_reason == step.failure_message and len(step.failure_message) > 10
    assert Recording.objects.get(visit=visit).chunks.count() == 3  # media kept


def test_it_fails_a_visit_when_no_draft_can_be_made() -> None:
    visit = make_visit(typed="my ankle hurts")
    submit_visit(visit.pk, None)
    assert runs.run_extraction(visit.pk, StubLlm(text="not json at all")) == "failed"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.FAILED
    assert visit.status_reason == "The AI could not produce a draft; triage this visit by hand."


def test_it_releases_the_claim_on_a_transient_error(media: Path) -> None:
    from django.db import OperationalError

    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)

    def broken(*_: Any, **__: Any) -> Transcript:
        raise OperationalError("the database went away")

    with pytest.raises(OperationalError):
        runs.run_transcription(visit.pk, object(), broken)
    step = ProcessingStep.objects.get(visit=visit, step="asr")
    assert (step.status, step.lease_owner) == (StepStatus.PENDING, "")
    assert runs.run_transcription(visit.pk, object(), FakeAsr()) == "done"


# --- sweeper -----------------------------------------------------------------------------------


def test_it_requeues_a_visit_left_in_submitted(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)
    broker().delete("asr")  # Redis lost the message
    assert runs.sweep(grace_seconds=60) == {"reclaimed": 0, "requeued": 0}  # too recent
    Visit.objects.update(status_changed_at=timezone.now() - timedelta(minutes=5))
    assert runs.sweep(grace_seconds=60) == {"reclaimed": 0, "requeued": 1}
    assert queue_length("asr") == 1


def test_it_resets_an_expired_lease_and_requeues(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)
    broker().delete("asr")
    assert steps.claim(visit.pk, StepName.ASR, 60) is not None
    long_ago = timezone.now() - timedelta(minutes=5)
    Visit.objects.update(status_changed_at=long_ago)
    assert runs.sweep(grace_seconds=60)["requeued"] == 0  # a live lease: someone is on it
    ProcessingStep.objects.update(lease_expires_at=long_ago)
    assert runs.sweep(grace_seconds=60) == {"reclaimed": 1, "requeued": 1}
    assert ProcessingStep.objects.get(visit=visit).status == StepStatus.PENDING
    assert runs.run_transcription(visit.pk, object(), FakeAsr()) == "done"


def test_it_fails_a_visit_whose_step_keeps_dying(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)
    broker().delete("asr")
    Visit.objects.update(status_changed_at=timezone.now() - timedelta(minutes=5))
    ProcessingStep.objects.update(attempt=settings.PROCESSING_MAX_ATTEMPTS + 1)
    assert runs.sweep(grace_seconds=60)["requeued"] == 0
    visit.refresh_from_db()
    assert visit.status == VisitStatus.FAILED and "several times" in visit.status_reason
    assert queue_length("asr") == 0


def test_it_takes_over_the_lease_of_a_dead_pool_child_on_this_machine() -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    visit = make_visit()
    assert steps.claim(visit.pk, StepName.ASR, 600) is not None
    ProcessingStep.objects.update(lease_owner=steps.worker_identity(dead.pid))
    assert steps.claim(visit.pk, StepName.ASR, 600) is not None  # Celery redelivered it
    ProcessingStep.objects.update(lease_owner="asr@elsewhere/other-box:1")
    assert steps.claim(visit.pk, StepName.ASR, 600) is None  # a live lease elsewhere: wait
