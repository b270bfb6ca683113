"""The durable pipeline behind a submitted visit: submit, transcribe, extract, re-run, sweep.

Everything here takes ids and re-reads the database, so a task delivered twice, late, or after
a crash does no harm: each step is claimed (intake.steps), its result is saved together with
"step done" and the visit's next state in ONE transaction, and the next task is enqueued only
after that commit. Nothing with patient data goes to Celery, Redis or the logs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inference.safety import SafetyReport, apply_floor
from inference.transcript import Segment, Transcript, Word
from inference.triage import PatientContext
from intake import events, steps
from intake.lifecycle import transition
from intake.models import (
    Recording,
    SafetyFiring,
    StepName,
    Visit,
)
from intake.models import Transcript as TranscriptRow
from intake.models import TranscriptSegment as SegmentRow
from intake.roles import Role, has_role
from intake.states import PROCESSING, IllegalTransition, VisitStatus

log = logging.getLogger(__name__)

S = VisitStatus
DRAFT_FAILED = "The AI could not produce a draft; triage this visit by hand."
MODEL_MISSING = "The AI model file is missing on the server; ask IT. Triage this visit by hand."
TOO_SLOW = "Processing took too long; triage this visit by hand."
KEEPS_STOPPING = "Processing stopped several times; triage this visit by hand."
INTERNAL_ERROR = "Processing failed unexpectedly; triage this visit by hand."

# Opus from MediaRecorder runs at ~32 kbit/s: bytes -> seconds when no duration is known yet.
_OPUS_BYTES_PER_SECOND = 4000


class NothingToProcess(Exception):
    """Neither a recording nor a typed complaint: there is nothing to triage."""


# --- sizes and limits --------------------------------------------------------------------------


def live_recordings(visit_id: int) -> list[Recording]:
    return list(
        Recording.objects.filter(visit_id=visit_id, discarded=False, media_purged_at__isnull=True)
        .prefetch_related("chunks")
        .order_by("sequence")
    )


def audio_seconds(visit_id: int) -> float:
    """The visit's audio length: decoded durations when known, else estimated from bytes."""
    total = 0.0
    for rec in live_recordings(visit_id):
        if rec.duration_s is not None:
            total += rec.duration_s
        else:
            total += sum(c.size for c in rec.chunks.all()) / _OPUS_BYTES_PER_SECOND
    return total


def time_limits(queue: str, seconds_of_audio: float) -> tuple[int, int]:
    """(soft, hard) Celery time limits for one task: a floor for loading and the LLM, plus a
    multiple of the audio length (whisper on a loaded CPU runs slower than real time)."""
    base = settings.PROCESSING_BASE_SECONDS
    per_audio = settings.PROCESSING_SECONDS_PER_AUDIO_SECOND if queue == "asr" else 0.0
    hard = int(min(settings.CELERY_TASK_HARD_TIME_LIMIT, base + per_audio * seconds_of_audio))
    return max(5, hard - 30), hard


def lease_seconds(queue: str, seconds_of_audio: float) -> float:
    # Longer than the hard limit: a live task never loses its lease; a dead one loses it soon.
    return time_limits(queue, seconds_of_audio)[1] + float(settings.PROCESSING_LEASE_MARGIN_SECONDS)


# --- enqueueing ------------------------------------------------------------------------------


def enqueue_transcription(visit_id: int) -> None:
    from intake.tasks import transcribe_visit

    soft, hard = time_limits("asr", audio_seconds(visit_id))
    transcribe_visit.apply_async((visit_id,), soft_time_limit=soft, time_limit=hard)


def enqueue_extraction(visit_id: int) -> None:
    from intake.tasks import extract_visit

    soft, hard = time_limits("llm", 0.0)
    extract_visit.apply_async((visit_id,), soft_time_limit=soft, time_limit=hard)


def publish_stage(visit_id: int, stage: str, progress: float) -> None:
    """A stage progress event (no state change) after the current transaction commits."""
    row = Visit.objects.values("status", "version").get(pk=visit_id)
    events.publish_on_commit(
        events.visit_event(visit_id, row["status"], row["version"], stage, progress)
    )


# --- submit and re-run -------------------------------------------------------------------------


def patient_context(visit: Visit) -> PatientContext:
    patient = visit.patient
    born: date | None = patient.date_of_birth
    age = (visit.arrived_at.date() - born).days / 365.25 if born is not None else None
    return PatientContext(
        age_years=age if age is not None and 0 <= age < 130 else None,
        sex=patient.sex,  # type: ignore[arg-type]
        preferred_language=patient.preferred_language or "en",
        chief_complaint=visit.chief_complaint_typed.strip() or None,
    )


def submit_visit(visit_id: int, actor: Any) -> Visit:
    """draft -> submitted, then transcription after commit. A typed complaint without any
    recording skips the ASR: its rules run now and extraction is enqueued."""
    with transaction.atomic():
        visit = Visit.objects.select_related("patient").get(pk=visit_id)
        has_audio = bool(live_recordings(visit_id))
        if not has_audio and not visit.chief_complaint_typed.strip():
            raise NothingToProcess("No recording and no typed complaint to triage.")
        visit = transition(visit_id, S.SUBMITTED, actor=actor)
        if has_audio:
            steps.open_step(visit_id, StepName.ASR)
            transaction.on_commit(lambda: enqueue_transcription(visit_id))
            return visit
        from inference.pipeline import transcript_safety, typed_transcript

        context = patient_context(visit)
        typed = typed_transcript(visit.chief_complaint_typed, context.preferred_language)
        report = transcript_safety(typed, "typed", context)
        save_firings(visit_id, report, source_transcript=None)
        steps.open_step(visit_id, StepName.LLM)
        visit = transition(visit_id, S.SUMMARIZING, stage="llm")
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
    return visit


def rerun_extraction(visit_id: int, actor: Any) -> Visit:
    """A nurse asks for a new draft (ready/failed -> summarizing). The old draft stays as
    history; it stops being current when the new one is saved. Nurses and admins only."""
    if not has_role(actor, Role.NURSE, Role.ADMIN):
        raise PermissionDenied("Only nurses can re-run the AI draft.")
    with transaction.atomic():
        visit = transition(visit_id, S.SUMMARIZING, actor=actor, stage="llm")
        steps.open_step(visit_id, StepName.LLM)
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
    return visit


def media_added(visit_id: int, actor: Any, *, audio: bool) -> None:
    """New audio or photos: once submitted, process again so the draft covers them (a draft
    visit: nothing to do yet). A visit the pipeline is busy with is marked and restarted when
    the current run ends (after_run)."""
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        state = visit.state
        if state in (S.READY, S.FAILED):
            _restart(visit_id, actor, audio=audio)
        elif state in PROCESSING:
            want = "asr" if audio or visit.reprocess == "asr" else "llm"
            Visit.objects.filter(pk=visit_id).update(reprocess=want)


def after_run(visit_id: int) -> None:
    """Called in the transaction that ends a run (ready or failed): start again when media
    arrived meanwhile."""
    want = Visit.objects.values_list("reprocess", flat=True).get(pk=visit_id)
    if want:
        Visit.objects.filter(pk=visit_id).update(reprocess="")
        _restart(visit_id, None, audio=want == "asr")


def _restart(visit_id: int, actor: Any, *, audio: bool) -> None:
    if audio and live_recordings(visit_id):
        steps.open_step(visit_id, StepName.ASR)
        transition(visit_id, S.SUBMITTED, actor=actor, reason="new media")
        transaction.on_commit(lambda: enqueue_transcription(visit_id))
    else:
        steps.open_step(visit_id, StepName.LLM)
        transition(visit_id, S.SUMMARIZING, actor=actor, reason="new media", stage="llm")
        transaction.on_commit(lambda: enqueue_extraction(visit_id))


# --- results -----------------------------------------------------------------------------------


def save_firings(
    visit_id: int,
    report: SafetyReport,
    *,
    source_transcript: TranscriptRow | None,
    draft: Any = None,
) -> None:
    """Store the rules' firings and lower the visit's floor number (= raise urgency) only."""
    for firing in report.firings:
        SafetyFiring.objects.create(
            visit_id=visit_id,
            transcript=source_transcript,
            draft=draft,
            source=firing.source,
            rule_id=firing.rule_id,
            rule_version=firing.rule_version,
            esi_floor=firing.esi_floor,
            evidence=[e.as_json() for e in firing.evidence],
        )
    if report.esi_floor is not None:
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        floor = apply_floor(visit.esi_rule_floor, report.esi_floor)
        if floor != visit.esi_rule_floor:
            Visit.objects.filter(pk=visit_id).update(esi_rule_floor=floor)


def save_transcript(
    visit_id: int, transcript: Transcript, recordings: list[Recording]
) -> TranscriptRow:
    TranscriptRow.objects.filter(visit_id=visit_id, is_current=True).update(is_current=False)
    row = TranscriptRow.objects.create(
        visit_id=visit_id,
        text=transcript.text,
        model_id=transcript.model_id,
        language=transcript.language,
        detected_language=transcript.detected_language or "",
        language_warning=transcript.language_warning,
        audio_seconds=transcript.audio_seconds,
        wall_seconds=transcript.wall_seconds,
    )
    SegmentRow.objects.bulk_create(
        SegmentRow(
            transcript=row,
            index=i,
            recording=recordings[s.recording] if s.recording < len(recordings) else None,
            start_s=s.start,
            end_s=max(s.end, s.start),
            text=s.text,
            words=[{"w": w.text, "s": w.start, "e": w.end} for w in s.words] or None,
        )
        for i, s in enumerate(transcript.segments)
    )
    return row


def load_transcript(row: TranscriptRow) -> Transcript:
    """The stored transcript as the dataclass the rules, evidence and prompt read."""
    order = {
        rec_id: i
        for i, rec_id in enumerate(
            Recording.objects.filter(visit_id=row.visit_id)
            .order_by("sequence")
            .values_list("pk", flat=True)
        )
    }
    segments = tuple(
        Segment(
            id=seg.index,
            start=seg.start_s,
            end=seg.end_s,
            text=seg.text,
            recording=order.get(seg.recording_id or -1, 0),
            words=tuple(Word(w["w"], w["s"], w["e"]) for w in seg.words or ()),
        )
        for seg in row.segments.order_by("index")
    )
    return Transcript(
        segments=segments,
        model_id=row.model_id,
        language=row.language,
        detected_language=row.detected_language or None,
        language_warning=row.language_warning,
        audio_seconds=row.audio_seconds,
        wall_seconds=row.wall_seconds,
    )


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


def opened_recordings(recordings: list[Recording], stack: ExitStack) -> list[BinaryIO]:
    from intake.mediastore.django import get_store

    store = get_store()
    return [
        stack.enter_context(store.open_concat([c.media_name for c in rec.chunks.order_by("seq")]))
        for rec in recordings
    ]


TranscribeFn = Callable[..., Transcript]


def visits_to_sweep(grace_seconds: float) -> list[tuple[int, str]]:
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    return list(
        Visit.objects.filter(
            status__in=[s.value for s in PROCESSING], status_changed_at__lt=cutoff
        ).values_list("pk", "status")
    )
