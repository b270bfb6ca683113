"""The request side of the pipeline: submit a visit, re-run it, react to new media or an edited
complaint. Each moves the visit's state and opens the step in ONE transaction, and sends the
task only after that commits (intake.pipeline.enqueue), so a task never sees a visit that is
not there yet, and a rolled-back request sends nothing.

Everything takes ids and re-reads the database; nothing with patient data goes to Celery,
Redis or the logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from inference.pipeline import transcript_safety, typed_transcript
from intake.lifecycle import transition
from intake.models import StepName, Visit
from intake.pipeline import steps
from intake.pipeline.enqueue import enqueue_extraction, enqueue_transcription
from intake.pipeline.media import live_recordings
from intake.pipeline.messages import PHOTOS_ONLY
from intake.pipeline.progress import publish_stage
from intake.pipeline.records import patient_context, save_firings
from intake.roles import Role, has_role
from intake.states import PROCESSING, VisitStatus

if TYPE_CHECKING:
    from intake.roles import Actor

S = VisitStatus


class NothingToProcess(Exception):
    """No recording, typed complaint or photo: there is nothing to triage."""


def submit_visit(visit_id: int, actor: Actor) -> Visit:
    """draft -> submitted, then transcription after commit. A typed complaint without any
    recording skips the ASR: its rules run now and extraction is enqueued. Photos alone go
    straight to the nurses as "triage by hand" (failed, with the reason): nothing to screen.
    A second submit (a double tap) changes nothing and returns the visit as it is."""
    with transaction.atomic():
        visit = Visit.objects.select_related("patient").select_for_update().get(pk=visit_id)
        if visit.state != S.DRAFT:
            return visit
        has_audio = bool(live_recordings(visit_id))
        if not has_audio and not visit.chief_complaint_typed.strip():
            if not visit.photos.filter(deleted_at__isnull=True).exists():
                raise NothingToProcess("No recording, typed complaint or photo to triage.")
            transition(visit_id, S.SUBMITTED, actor=actor)
            return transition(visit_id, S.FAILED, reason=PHOTOS_ONLY, stage="safety")
        visit = transition(visit_id, S.SUBMITTED, actor=actor)
        if has_audio:
            steps.open_step(visit_id, StepName.ASR)
            transaction.on_commit(lambda: enqueue_transcription(visit_id))
            return visit
        context = patient_context(visit)
        typed = typed_transcript(visit.chief_complaint_typed, context.preferred_language)
        report = transcript_safety(typed, "typed", context)
        save_firings(visit_id, report, source_transcript=None)
        steps.open_step(visit_id, StepName.LLM)
        visit = transition(visit_id, S.SUMMARIZING, stage="llm")
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
    return visit


def complaint_changed(visit_id: int, actor: Actor) -> None:
    """The typed complaint was edited after submit: the word rules screen it at once (a red
    flag reaches the queue before any model runs), then the visit is processed again like
    new media (the llm worker screens it with the whole net and drafts again)."""
    with transaction.atomic():
        visit = Visit.objects.select_related("patient").get(pk=visit_id)
        if visit.state == S.DRAFT:
            return  # screened at submit
        context = patient_context(visit)
        if context.chief_complaint:
            typed = typed_transcript(context.chief_complaint, context.preferred_language)
            report = transcript_safety(typed, "typed", context)
            if save_firings(visit_id, report, source_transcript=None):
                publish_stage(visit_id, "safety", 1.0)
    media_added(visit_id, actor, audio=False)


def rerun_extraction(visit_id: int, actor: Actor) -> Visit:
    """A nurse asks for a new draft (ready/failed -> summarizing). The old draft stays as
    history; it stops being current when the new one is saved. Nurses and admins only."""
    if not has_role(actor, Role.NURSE, Role.ADMIN):
        raise PermissionDenied("Only nurses can re-run the AI draft.")
    with transaction.atomic():
        visit = transition(visit_id, S.SUMMARIZING, actor=actor, stage="llm")
        steps.open_step(visit_id, StepName.LLM)
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
    return visit


def rerun_from_start(visit_id: int, actor: Actor) -> Visit:
    """A nurse asks for the whole pipeline again (ready/failed -> submitted): transcription
    of the kept recordings, then a new draft. For a visit whose transcription failed, where
    re-running only the draft would fail the same way. Nurses and admins only."""
    if not has_role(actor, Role.NURSE, Role.ADMIN):
        raise PermissionDenied("Only nurses can re-run the processing.")
    with transaction.atomic():
        if not live_recordings(visit_id):
            raise NothingToProcess("There is no recording to transcribe again.")
        visit = transition(visit_id, S.SUBMITTED, actor=actor, reason="re-run from the start")
        steps.open_step(visit_id, StepName.ASR)
        transaction.on_commit(lambda: enqueue_transcription(visit_id))
    return visit


def media_added(visit_id: int, actor: Actor, *, audio: bool) -> None:
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


def _restart(visit_id: int, actor: Actor, *, audio: bool) -> None:
    if audio and live_recordings(visit_id):
        steps.open_step(visit_id, StepName.ASR)
        transition(visit_id, S.SUBMITTED, actor=actor, reason="new media")
        transaction.on_commit(lambda: enqueue_transcription(visit_id))
    else:
        steps.open_step(visit_id, StepName.LLM)
        transition(visit_id, S.SUMMARIZING, actor=actor, reason="new media", stage="llm")
        transaction.on_commit(lambda: enqueue_extraction(visit_id))
