"""The durable pipeline in-process: claims, submit/enqueue after commit, redelivery, failures
and the sweeper. Engines are stubs (StubLlm, a fixed transcript); the broker is the test Redis
(db 10), so "enqueued" means a message really sits in the queue."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inference.transcript import Segment, Transcript
from intake.models import (
    AIDraft,
    ProcessingStep,
    Recording,
    SafetyFiring,
    StepName,
    StepStatus,
    Visit,
)
from intake.models import Transcript as TranscriptRow
from intake.pipeline import records, runs, steps, sweeper
from intake.pipeline.submit import rerun_extraction, submit_visit
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import make_user
from tests.factories import (
    FakeAsr,
    add_recording,
    broker,
    make_visit,
    queue_length,
    silent_wav,
)
from tests.fixtures_models import StubLlm, asr_engine  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# --- claims ------------------------------------------------------------------------------------


def test_it_lets_only_one_claim_win(monkeypatch: pytest.MonkeyPatch) -> None:
    visit = make_visit()
    first = steps.claim(visit.pk, StepName.ASR, 60)
    monkeypatch.setenv("INTAKE_WORKER_NODE", "another-worker")  # a second, live worker
    second = steps.claim(visit.pk, StepName.ASR, 60)
    assert first is not None and second is None
    assert ProcessingStep.objects.get(visit=visit).lease_owner == first.owner


def test_it_reclaims_an_expired_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    visit = make_visit()
    assert steps.claim(visit.pk, StepName.ASR, 60) is not None
    ProcessingStep.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setenv("INTAKE_WORKER_NODE", "another-worker")
    again = steps.claim(visit.pk, StepName.ASR, 60)
    # The first run's lease ran out: that run counts as an attempt, so a step whose runs keep
    # dying reaches PROCESSING_MAX_ATTEMPTS.
    assert again is not None and again.attempt == 2
    assert ProcessingStep.objects.get(visit=visit).lease_owner == again.owner


def test_it_counts_a_takeover_from_a_dead_owner_as_an_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visit = make_visit()
    first = steps.claim(visit.pk, StepName.ASR, 600)
    assert first is not None
    # A pool child on this machine that no longer exists (SIGKILL, abort), lease still live.
    dead = subprocess.Popen(["true"])
    dead.wait()
    ProcessingStep.objects.update(lease_owner=steps.worker_identity(dead.pid))
    again = steps.claim(visit.pk, StepName.ASR, 600)
    assert again is not None and again.attempt == first.attempt + 1
    monkeypatch.setenv("INTAKE_WORKER_NODE", "another-worker")
    assert steps.claim(visit.pk, StepName.ASR, 600) is None  # ours now, and alive


def test_it_takes_back_a_claim_this_process_could_not_release() -> None:
    # A transient error left the step running under our own name (the release failed too):
    # the retry in this same process takes it back at once, without counting an attempt.
    visit = make_visit()
    first = steps.claim(visit.pk, StepName.ASR, 600)
    again = steps.claim(visit.pk, StepName.ASR, 600)
    assert first is not None and again is not None and again.attempt == first.attempt
    ProcessingStep.objects.update(lease_owner=steps.worker_identity(os.getppid()))
    assert steps.claim(visit.pk, StepName.ASR, 600) is None  # a live process elsewhere: no


def test_it_gives_up_on_a_step_whose_workers_keep_dying(settings: Any) -> None:
    settings.PROCESSING_MAX_ATTEMPTS = 2
    visit = make_visit(typed="sore throat")
    submit_visit(visit.pk, None)

    def worker_died() -> None:
        ProcessingStep.objects.update(
            lease_owner="llm@gone/elsewhere:1",
            lease_expires_at=timezone.now() - timedelta(seconds=1),
        )

    assert steps.claim(visit.pk, StepName.LLM, 60) is not None  # attempt 1 ...
    worker_died()
    assert steps.claim(visit.pk, StepName.LLM, 60) is not None  # ... 2 ...
    worker_died()  # ... and the next taker (attempt 3) gives up instead of crashing too
    assert runs.run_extraction(visit.pk, StubLlm()) == "failed"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.FAILED
    assert "stopped the AI draft engine 2 times" in visit.status_reason
    assert ProcessingStep.objects.get(visit=visit).failure_code == "keeps_crashing"


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


def test_it_fails_a_corrupt_recording_even_with_a_typed_complaint(
    media: Path,
    asr_engine: Any,  # noqa: F811
) -> None:
    # The workers' side of the one difference from run_intake (inference.pipeline): the
    # patient's spoken account is lost, so a nurse asks again instead of reading a draft made
    # from the front desk's note.
    from inference.asr import transcribe

    visit = make_visit(typed="sore throat for two days")
    add_recording(visit, os.urandom(6000), mime="audio/webm")
    submit_visit(visit.pk, None)
    assert runs.run_transcription(visit.pk, asr_engine, transcribe) == "failed"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.FAILED
    step = ProcessingStep.objects.get(visit=visit, step="asr")
    assert step.failure_code in {"audio_corrupt", "audio_unsupported", "audio_empty"}
    assert visit.status_reason == step.failure_message
    assert not AIDraft.objects.filter(visit=visit).exists()


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
    assert sweeper.sweep(grace_seconds=60) == {"reclaimed": 0, "requeued": 0}  # too recent
    five_minutes_ago = timezone.now() - timedelta(minutes=5)
    Visit.objects.update(status_changed_at=five_minutes_ago)
    ProcessingStep.objects.update(enqueued_at=five_minutes_ago)
    assert sweeper.sweep(grace_seconds=60) == {"reclaimed": 0, "requeued": 1}
    assert queue_length("asr") == 1
    # Sent again just now: the next sweeps leave it alone until the grace period passes.
    assert sweeper.sweep(grace_seconds=60)["requeued"] == 0
    assert queue_length("asr") == 1


def test_it_keeps_one_message_per_visit_and_step_in_a_backlog(media: Path) -> None:
    """20 visits waiting behind a busy worker: sweep after sweep, the queue stays at 20."""
    visits = []
    for _ in range(20):
        visit = make_visit()
        add_recording(visit, silent_wav(0.5))
        submit_visit(visit.pk, None)
        visits.append(visit)
    assert queue_length("asr") == 20
    Visit.objects.update(status_changed_at=timezone.now() - timedelta(minutes=5))
    for _ in range(5):
        sweeper.sweep(grace_seconds=60)
    assert queue_length("asr") == 20  # the sweeper used to add 20 more each time
    # Once a message is older than the grace period it may be lost: then one more is sent.
    ProcessingStep.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    assert sweeper.sweep(grace_seconds=60)["requeued"] == 20
    assert sweeper.sweep(grace_seconds=60)["requeued"] == 0
    assert queue_length("asr") == 40


def test_it_resets_an_expired_lease_and_requeues(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)
    broker().delete("asr")
    assert steps.claim(visit.pk, StepName.ASR, 60) is not None
    long_ago = timezone.now() - timedelta(minutes=5)
    Visit.objects.update(status_changed_at=long_ago)
    ProcessingStep.objects.update(enqueued_at=long_ago)
    assert sweeper.sweep(grace_seconds=60)["requeued"] == 0  # a live lease: someone is on it
    ProcessingStep.objects.update(lease_expires_at=long_ago)
    assert sweeper.sweep(grace_seconds=60) == {"reclaimed": 1, "requeued": 1}
    assert ProcessingStep.objects.get(visit=visit).status == StepStatus.PENDING
    assert runs.run_transcription(visit.pk, object(), FakeAsr()) == "done"


def test_it_fails_a_visit_whose_step_keeps_dying(media: Path) -> None:
    visit = make_visit()
    add_recording(visit, silent_wav(1.0))
    submit_visit(visit.pk, None)
    broker().delete("asr")
    Visit.objects.update(status_changed_at=timezone.now() - timedelta(minutes=5))
    ProcessingStep.objects.update(attempt=settings.PROCESSING_MAX_ATTEMPTS + 1)
    assert sweeper.sweep(grace_seconds=60)["requeued"] == 0
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


def test_it_stores_the_transcripts_notes_and_reads_them_back() -> None:
    visit = make_visit()
    transcript = Transcript(
        segments=(Segment(0, 0.0, 1.0, "hello"),),
        model_id="m",
        language="en",
        notes=("Recording 2 was empty and was left out.",),
    )
    row = records.save_transcript(visit.pk, transcript, [])
    assert records.load_transcript(row).notes == ("Recording 2 was empty and was left out.",)


def test_it_treats_a_zombie_owner_as_dead() -> None:
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while not steps._is_zombie(child.pid):  # exited, not yet reaped
        assert time.monotonic() < deadline, "the child never became a zombie"
        time.sleep(0.05)
    assert steps.owner_is_dead(steps.worker_identity(child.pid))
    child.wait()
    assert steps.owner_is_dead(steps.worker_identity(child.pid))  # reaped: gone
    assert not steps.owner_is_dead(steps.worker_identity())  # this process is alive
