"""What the `asr` and `llm` tasks do, as plain functions of (visit id, engine) so tests can run
them in-process with a fake engine. Transient errors propagate (the task retries them after the
claim was released); permanent ones fail the visit with a reason a nurse can read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, Literal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from inference.asr import ModelMissing
from inference.audio import AudioError
from inference.safety import apply_floor
from inference.triage.photos import PhotoInput
from intake import processing as p
from intake import steps
from intake.lifecycle import transition
from intake.mediastore.crypto import MediaError
from intake.models import AIDraft, Photo, StepName, Visit
from intake.models import Transcript as TranscriptRow
from intake.states import VisitStatus

log = logging.getLogger(__name__)

S = VisitStatus
Outcome = Literal["done", "skipped", "failed"]


def transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth retrying with backoff: the database or the broker is briefly away."""
    import kombu.exceptions
    import redis.exceptions

    return (
        OperationalError,
        InterfaceError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        kombu.exceptions.OperationalError,
        ConnectionError,
    )


def run_transcription(visit_id: int, engine: Any, transcribe: p.TranscribeFn) -> Outcome:
    seconds = p.audio_seconds(visit_id)
    claim = steps.claim(visit_id, StepName.ASR, p.lease_seconds("asr", seconds))
    if claim is None:
        return "skipped"  # done already, or another worker holds a live lease
    return _guarded(claim, "transcription", lambda: _transcribe(claim, engine, transcribe))


def _transcribe(claim: steps.Claim, engine: Any, transcribe: p.TranscribeFn) -> Outcome:
    visit_id = claim.visit_id
    visit = _begin(claim, S.TRANSCRIBING, "asr", "transcription")
    if visit is None:
        return "skipped"
    context = p.patient_context(visit)
    recordings = p.live_recordings(visit_id)
    with ExitStack() as stack:
        streams = p.opened_recordings(recordings, stack)
        transcript = transcribe(engine, streams, language=context.preferred_language)
    from inference.pipeline import transcript_safety

    report = transcript_safety(transcript, "transcript", context)
    with transaction.atomic():
        row = p.save_transcript(visit_id, transcript, recordings)
        p.save_firings(visit_id, report, source_transcript=row)
        steps.finish(claim)
        steps.open_step(visit_id, StepName.LLM)
        # Publishes after commit: red flags reach the queue before the LLM starts.
        transition(visit_id, S.SUMMARIZING, stage="asr", progress=1.0)
        transaction.on_commit(lambda: p.enqueue_extraction(visit_id))
    return "done"


def run_extraction(visit_id: int, engine: Any) -> Outcome:
    claim = steps.claim(visit_id, StepName.LLM, p.lease_seconds("llm", 0.0))
    if claim is None:
        return "skipped"
    return _guarded(claim, "extraction", lambda: _extract(claim, engine))


def _begin(claim: steps.Claim, status: VisitStatus, stage: str, what: str) -> Visit | None:
    """Move the visit into the step's state and announce the stage; None (step closed) when
    the visit already left processing (cancelled, or finished by another delivery)."""
    if not p.enter(claim.visit_id, status, stage):
        steps.fail(claim, "not_processing", f"The visit left processing before {what}.")
        return None
    with transaction.atomic():
        p.publish_stage(claim.visit_id, stage, 0.0)
    return Visit.objects.select_related("patient").get(pk=claim.visit_id)


def _guarded(claim: steps.Claim, what: str, work: Callable[[], Outcome]) -> Outcome:
    """Run a claimed step, sorting failures: transient ones release the claim and propagate
    (the task retries); permanent ones fail the visit with a reason a nurse can read."""
    try:
        return work()
    except transient_errors():
        steps.release(claim)
        raise
    except steps.LeaseLost:
        return "skipped"
    except AudioError as exc:
        p.fail_visit(claim, exc.code, exc.user_message)
    except (ModelMissing, FileNotFoundError):
        p.fail_visit(claim, "model_missing", p.MODEL_MISSING)
    except SoftTimeLimitExceeded:
        p.fail_visit(claim, "time_limit", p.TOO_SLOW)
    except Exception:
        log.exception("visit %s %s failed", claim.visit_id, what)
        p.fail_visit(claim, "internal_error", p.INTERNAL_ERROR)
    return "failed"


def _extract(claim: steps.Claim, engine: Any) -> Outcome:
    from inference.pipeline import draft_from_transcript, typed_transcript

    visit_id = claim.visit_id
    visit = _begin(claim, S.SUMMARIZING, "llm", "the draft")
    if visit is None:
        return "skipped"
    context = p.patient_context(visit)
    row = TranscriptRow.objects.filter(visit_id=visit_id, is_current=True).first()
    if row is not None:
        transcript, typed = p.load_transcript(row), False
    elif context.chief_complaint:
        transcript = typed_transcript(context.chief_complaint, context.preferred_language)
        typed = True
    else:
        p.fail_visit(claim, "no_input", "No recording and no typed complaint to triage.")
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
    )
    if outcome.draft is None:
        code = outcome.failure.code if outcome.failure is not None else "no_draft"
        p.fail_visit(claim, code, p.DRAFT_FAILED)
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
            evidence=[e.as_json() for e in outcome.evidence],
            timings={**draft.timings, **outcome.timings},
        )
        p.save_firings(visit_id, outcome.safety_record, source_transcript=row, draft=saved)
        floor = Visit.objects.values_list("esi_rule_floor", flat=True).get(pk=visit_id)
        suggested = apply_floor(draft.record.esi.level, floor)
        Visit.objects.filter(pk=visit_id).update(esi_suggested=suggested)
        steps.finish(claim)
        transition(visit_id, S.READY, stage="llm", progress=1.0)
        p.after_run(visit_id)
    return "done"


def visit_photos(visit_id: int) -> tuple[PhotoInput, ...]:
    """The visit's current photos, decrypted for the model (named by kind only: no patient
    data in anything the engine might log). A photo that cannot be read is left out and
    logged: the draft is still made, and the page says which photos were not analysed."""
    rows = list(
        Photo.objects.filter(
            visit_id=visit_id, deleted_at__isnull=True, media_purged_at__isnull=True
        ).order_by("created_at")
    )
    if not rows:
        return ()
    from intake.mediastore.django import get_store

    photos = []
    for photo in rows:
        try:
            with get_store().open(photo.media_name) as fh:
                photos.append(PhotoInput(fh.read(), name=f"{photo.kind} photo"))
        except (MediaError, OSError):
            log.warning("visit %s: photo %s unreadable, not sent to the model", visit_id, photo.pk)
    return tuple(photos)


def sweep(grace_seconds: float) -> dict[str, int]:
    """Reclaim expired leases, then re-enqueue visits that sat in a processing state longer
    than `grace_seconds` with no live lease (a lost Redis message, a crash between commit and
    enqueue, a killed worker). Duplicate enqueues are harmless: the claim decides."""
    reclaimed = steps.reclaim_expired()
    requeued = 0
    for visit_id, status in p.visits_to_sweep(grace_seconds):
        if steps.has_live_lease(visit_id):
            continue
        asr = steps.latest_step(visit_id, StepName.ASR)
        llm = steps.latest_step(visit_id, StepName.LLM)
        extraction = status == S.SUMMARIZING.value or (asr is None and llm is not None)
        current = llm if extraction else asr
        if current is not None and current.attempt > settings.PROCESSING_MAX_ATTEMPTS:
            # It keeps dying (hard time limit, out of memory): stop, and tell the nurses.
            claim = steps.claim(visit_id, StepName(current.step), 60)
            if claim is not None:
                p.fail_visit(claim, "too_many_attempts", p.KEEPS_STOPPING)
            continue
        if extraction:
            p.enqueue_extraction(visit_id)
        else:
            p.enqueue_transcription(visit_id)
        requeued += 1
    log.info("sweep: %s leases reclaimed, %s visits re-enqueued", reclaimed, requeued)
    return {"reclaimed": reclaimed, "requeued": requeued}
