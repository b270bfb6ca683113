"""What the `asr` and `llm` tasks do, as plain functions of (visit id, engine) so tests can run
them in-process with a fake engine. Transient errors propagate (the task retries them after the
claim was released); permanent ones fail the visit with a reason a nurse can read."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import BinaryIO, Literal, Protocol, TypeVar

import kombu.exceptions
import redis.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction

from inference.asr import ModelMissing
from inference.audio import AudioError
from inference.pipeline import draft_from_transcript, transcript_safety, typed_transcript
from inference.safety import apply_floor
from inference.safety.net import RedFlagNet
from inference.transcript import Transcript
from inference.triage import Engine, PatientContext
from inference.triage.photos import PhotoInput
from intake.lifecycle import transition
from intake.mediastore.crypto import MediaError
from intake.mediastore.django import get_store
from intake.models import AIDraft, Photo, StepName, Visit
from intake.models import Transcript as TranscriptRow
from intake.pipeline import leases, messages, steps
from intake.pipeline.enqueue import enqueue_extraction
from intake.pipeline.faults import crash_if_marked
from intake.pipeline.media import audio_seconds, live_recordings, opened_recordings
from intake.pipeline.progress import Progress, publish_stage
from intake.pipeline.records import load_transcript, patient_context, save_firings, save_transcript
from intake.pipeline.submit import after_run
from intake.states import PROCESSING, IllegalTransition, VisitStatus

log = logging.getLogger(__name__)

S = VisitStatus
Outcome = Literal["done", "skipped", "failed"]
OnProgress = Callable[[float], None]
AsrEngine = TypeVar("AsrEngine", contravariant=True)


class TranscribeFn(Protocol[AsrEngine]):
    """`inference.asr.transcribe` with its engine, or a test's stand-in."""

    def __call__(
        self,
        engine: AsrEngine,
        recordings: list[BinaryIO],
        *,
        language: str,
        on_progress: OnProgress | None = None,
    ) -> Transcript: ...


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying with backoff: the database or the broker is briefly away."""
    return (
        OperationalError,
        InterfaceError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
        ConnectionError,
    )


# --- transcription ----------------------------------------------------------------------------


def run_transcription(
    visit_id: int,
    engine: AsrEngine,
    transcribe: TranscribeFn[AsrEngine],
    net: RedFlagNet | None = None,
    *,
    hard_limit: float | None = None,
) -> Outcome:
    """The `asr` task's body. `hard_limit`: the time limit the task runs under (the lease
    outlasts it)."""
    return _claimed(
        visit_id,
        StepName.ASR,
        leases.lease_seconds("asr", audio_seconds(visit_id), hard_limit),
        messages.ASR_KEEPS_CRASHING,
        lambda claim: _transcribe(claim, engine, transcribe, net),
    )


def _transcribe(
    claim: steps.Claim,
    engine: AsrEngine,
    transcribe: TranscribeFn[AsrEngine],
    net: RedFlagNet | None,
) -> Outcome:
    visit_id = claim.visit_id
    context = _started(claim, S.TRANSCRIBING, "asr", "transcription")
    if context is None:
        return "skipped"
    recordings = live_recordings(visit_id)
    with ExitStack() as stack:
        streams = opened_recordings(recordings, stack)
        transcript = transcribe(
            engine, streams, language=context.preferred_language, on_progress=Progress(claim)
        )
    report = transcript_safety(transcript, "transcript", context, net)
    with transaction.atomic():
        row = save_transcript(visit_id, transcript, recordings)
        save_firings(visit_id, report, source_transcript=row)
        steps.finish(claim)
        steps.open_step(visit_id, StepName.LLM)
        # Publishes after commit: red flags reach the queue before the LLM starts.
        transition(visit_id, S.SUMMARIZING, stage="asr", progress=1.0)
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
    return "done"


# --- the draft --------------------------------------------------------------------------------


def run_extraction(
    visit_id: int,
    engine: Engine,
    net: RedFlagNet | None = None,
    *,
    hard_limit: float | None = None,
) -> Outcome:
    """The `llm` task's body."""
    return _claimed(
        visit_id,
        StepName.LLM,
        leases.lease_seconds("llm", 0.0, hard_limit),
        messages.LLM_KEEPS_CRASHING,
        lambda claim: _extract(claim, engine, net),
    )


def _extract(claim: steps.Claim, engine: Engine, net: RedFlagNet | None) -> Outcome:
    visit_id = claim.visit_id
    context = _started(claim, S.SUMMARIZING, "llm", "the draft")
    if context is None:
        return "skipped"
    row = TranscriptRow.objects.filter(visit_id=visit_id, is_current=True).first()
    if context.chief_complaint:
        complaint = typed_transcript(context.chief_complaint, context.preferred_language)
        screen_typed(visit_id, complaint, context, net)
    if row is not None:
        transcript, typed = load_transcript(row), False
    elif context.chief_complaint:
        transcript, typed = complaint, True
    else:
        fail_visit(claim, "no_input", "No recording and no typed complaint to triage.")
        return "failed"
    # The visit's photos go to the model; one without a vision projector says so in the draft
    # (photos_analysed=False) and the nurse's page shows "photos not analysed".
    outcome = draft_from_transcript(
        engine,
        transcript,
        context,
        visit_photos(visit_id),
        typed=typed,
        max_tokens=settings.LLM_MAX_TOKENS,
        on_progress=Progress(claim),
    )
    if outcome.draft is None:
        code = outcome.failure.code if outcome.failure is not None else "no_draft"
        fail_visit(claim, code, messages.DRAFT_FAILED)
        return "failed"
    draft = outcome.draft
    with transaction.atomic():
        AIDraft.objects.filter(visit_id=visit_id, is_current=True).update(is_current=False)
        saved = AIDraft.objects.create(
            visit_id=visit_id,
            transcript=row,
            data=draft.data(),
            schema_version=draft.schema_version,
            model_id=draft.model_id,
            prompt_version=draft.prompt_version,
            photos_analysed=draft.photos_analysed,
            notes=list(draft.notes),
            evidence=[e.as_json() for e in outcome.evidence],
            timings={**draft.timings, **outcome.timings},
        )
        save_firings(visit_id, outcome.safety_record, source_transcript=row, draft=saved)
        floor = Visit.objects.values_list("esi_rule_floor", flat=True).get(pk=visit_id)
        suggested = apply_floor(draft.record.esi.level, floor)
        Visit.objects.filter(pk=visit_id).update(esi_suggested=suggested)
        steps.finish(claim)
        transition(visit_id, S.READY, stage="llm", progress=1.0)
        after_run(visit_id)
    return "done"


def screen_typed(
    visit_id: int, transcript: Transcript, context: PatientContext, net: RedFlagNet | None
) -> None:
    """The typed complaint: the web process ran the word rules when it was saved; here the
    whole net (meaning match too) screens the same words before the draft. Firings already
    stored for the same words are not stored twice."""
    if net is None:
        return
    report = transcript_safety(transcript, "typed", context, net)
    with transaction.atomic():
        if save_firings(visit_id, report, source_transcript=None):
            publish_stage(visit_id, "llm", 0.0)


def visit_photos(visit_id: int) -> tuple[PhotoInput, ...]:
    """The visit's current photos, decrypted for the model (named by kind only: no patient
    data in anything the engine might log). A photo that cannot be read is left out and
    logged: the draft is still made, and the page says which photos were not analysed."""
    rows = list(
        Photo.objects.filter(
            visit_id=visit_id, deleted_at__isnull=True, media_purged_at__isnull=True
        ).order_by("created_at")
    )
    photos = []
    for photo in rows:
        try:
            with get_store().open(photo.media_name) as fh:
                photos.append(PhotoInput(fh.read(), name=f"{photo.kind} photo"))
        except (MediaError, OSError):
            log.warning("visit %s: photo %s unreadable, not sent to the model", visit_id, photo.pk)
    return tuple(photos)


# --- shared by both steps ---------------------------------------------------------------------


def _claimed(
    visit_id: int,
    step: StepName,
    lease: float,
    keeps_crashing: str,
    work: Callable[[steps.Claim], Outcome],
) -> Outcome:
    """Claim the step, give up on it when workers keep dying on it, and run `work` with the
    lease kept alive and failures sorted (_guarded)."""
    claim = steps.claim(visit_id, step, lease)
    if claim is None:
        return "skipped"  # done already, or another worker holds a live lease
    if gave_up(claim, keeps_crashing):
        return "failed"
    with leases.kept(claim, lease):
        return _guarded(claim, step.value, lambda: work(claim))


def gave_up(claim: steps.Claim, message: str) -> bool:
    """Past PROCESSING_MAX_ATTEMPTS (workers died on it each time): fail the visit with a
    reason the nurse can act on, so the next visit in the queue gets the worker."""
    if claim.attempt <= settings.PROCESSING_MAX_ATTEMPTS:
        return False
    fail_visit(claim, "keeps_crashing", message.format(n=claim.attempt - 1))
    return True


def _started(
    claim: steps.Claim, status: VisitStatus, stage: str, what: str
) -> PatientContext | None:
    """Move the visit into the step's state and announce the stage; the patient context the
    engines see, or None (step closed) when the visit already left processing (cancelled, or
    finished by another delivery)."""
    if not enter(claim.visit_id, status, stage):
        steps.fail(claim, "not_processing", f"The visit left processing before {what}.")
        return None
    with transaction.atomic():
        publish_stage(claim.visit_id, stage, 0.0)
    context = patient_context(Visit.objects.select_related("patient").get(pk=claim.visit_id))
    crash_if_marked(context.chief_complaint)  # the crash tests' hook; inert in a deployment
    return context


def _release_after_error(claim: steps.Claim) -> None:
    """Give the claim back after a transient error so the retry can take it. The error may
    have left this process's database connection broken (a restarted or terminated server):
    drop it first, and the release opens a new one. If the database is really away, the retry
    takes the claim back anyway (same process), or the lease runs out for another worker."""
    connection.close_if_unusable_or_obsolete()
    try:
        steps.release(claim)
    except transient_errors():
        log.warning("visit %s: claim not released; the retry takes it back", claim.visit_id)


def _guarded(claim: steps.Claim, what: str, work: Callable[[], Outcome]) -> Outcome:
    """Run a claimed step, sorting failures: transient ones release the claim and propagate
    (the task retries); permanent ones fail the visit with a reason a nurse can read."""
    try:
        return work()
    except transient_errors():
        _release_after_error(claim)
        raise
    except steps.LeaseLost:
        return "skipped"
    except AudioError as exc:
        fail_visit(claim, exc.code, exc.user_message)
    except (ModelMissing, FileNotFoundError):
        fail_visit(claim, "model_missing", messages.MODEL_MISSING)
    except SoftTimeLimitExceeded:
        fail_visit(claim, "time_limit", messages.TOO_SLOW)
    except Exception:
        log.exception("visit %s %s failed", claim.visit_id, what)
        fail_visit(claim, "internal_error", messages.INTERNAL_ERROR)
    return "failed"


def fail_visit(claim: steps.Claim, code: str, message: str) -> None:
    """A permanent failure: the step and the visit say why; media and transcripts stay."""
    with transaction.atomic():
        if not steps.fail(claim, code, message):
            return  # the sweeper gave the step to another worker: its outcome counts
        # Cancelled or left meanwhile: nothing to tell the queue.
        with contextlib.suppress(IllegalTransition):
            transition(claim.visit_id, S.FAILED, reason=message, stage=claim.step)
            after_run(claim.visit_id)
    log.warning("visit %s step %s failed: %s", claim.visit_id, claim.step, code)


def enter(visit_id: int, target: VisitStatus, stage: str) -> bool:
    """Move to the running state of a step; False when the visit moved elsewhere (cancelled).
    Already there (a redelivered task) is fine."""
    current = Visit.objects.values_list("status", flat=True).get(pk=visit_id)
    if current == target.value:
        return True
    if current not in {s.value for s in PROCESSING}:
        return False
    try:
        transition(visit_id, target, stage=stage)
    except IllegalTransition:
        return False
    return True
