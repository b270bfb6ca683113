"""Celery tasks: thin wrappers that take ids (never objects or patient data: Celery arguments
sit in Redis) and call the plain functions that do the work.

Task names stay `intake.tasks.*`: they are what the broker holds and what beat and the routes
(settings.CELERY_TASK_ROUTES) name, so a queue filled before an upgrade is still understood.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from inference.asr import transcribe
from inference.audio import AudioError
from intake.audit import chain
from intake.models import Recording, WorkerHeartbeat
from intake.pipeline import enqueue, orphans, retention, sweeper
from intake.pipeline.playback import ensure_playback_copy
from intake.pipeline.runs import run_extraction, run_transcription, transient_errors
from intake.pipeline.worker import asr_engine, llm_engine, safety_net

log = logging.getLogger(__name__)


@shared_task(name="intake.tasks.prune_heartbeats", ignore_result=True)
def prune_heartbeats(days: int = 1) -> int:
    """Forget workers not seen for `days` (renamed hosts, scaled-down workers) so /healthz and
    the admin only list live ones. Idempotent."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


@shared_task(name="intake.tasks.purge_expired_media", ignore_result=True)
def purge_expired_media() -> dict[str, int]:
    """Retention, hourly and idempotent: media, then closed visits' working text, then whole
    closed visits and patients (intake.pipeline.retention). The name is kept from when it
    only purged media (beat schedules and queued messages use it)."""
    report = asdict(retention.purge_expired_media())
    report["texts"] = retention.purge_expired_text()
    report["visits"], report["patients"] = retention.purge_expired_visits()
    return report


@shared_task(name="intake.tasks.sweep_orphan_media", ignore_result=True)
def sweep_orphan_media() -> dict[str, int]:
    """Delete media files no row names and leftover partial writes (daily; idempotent)."""
    return asdict(orphans.sweep_orphans())


@shared_task(name="intake.tasks.verify_audit", ignore_result=True)
def verify_audit() -> bool:
    """Check the audit chain daily and log its head: the log lines, kept off this server, are
    the anchors that show later whether events were cut off or the chain was rebuilt."""
    verdict = chain.verify()
    for problem in verdict.problems:
        log.error("audit trail altered: %s", problem)
    if verdict.checked:
        log.info("%s (%d events checked)", chain.head_line(verdict), verdict.checked)
    return verdict.ok


@shared_task(
    name=enqueue.PLAYBACK_COPY,
    ignore_result=True,
    autoretry_for=transient_errors(),
    max_retries=3,
    retry_backoff=True,
)
def make_playback_copy(recording_id: int) -> None:
    """The nurse page's seekable copy, made when a recording is complete (idempotent: an
    existing copy is kept), so no request has to decode audio. Undecodable audio is left to
    the transcription step, which fails the visit with a readable reason."""
    try:
        ensure_playback_copy(recording_id)
    except (Recording.DoesNotExist, AudioError):
        return


# --- the processing pipeline --------------------------------------------------------------------
# Transient errors (database, broker) retry with exponential backoff; the run released the claim
# first so the retry can take it again. Time limits are set per call by the sender
# (intake.pipeline.enqueue.time_limits), scaled to the audio length; the run's lease outlasts
# the limit the task actually got (request.timelimit).
_RETRY: dict[str, Any] = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": settings.PROCESSING_MAX_RETRIES,
}


def _hard_limit(task: Task[Any, Any]) -> float | None:
    """The hard time limit this delivery runs under: sent with the task, else the default."""
    limits = getattr(task.request, "timelimit", None) or (None, None)
    hard = limits[0] or task.time_limit or settings.CELERY_TASK_TIME_LIMIT
    return float(hard) if hard else None


@shared_task(name=enqueue.TRANSCRIBE, autoretry_for=transient_errors(), **_RETRY)
def transcribe_visit(self: Task[Any, Any], visit_id: int) -> str:
    return run_transcription(
        visit_id, asr_engine(), transcribe, safety_net(), hard_limit=_hard_limit(self)
    )


@shared_task(name=enqueue.EXTRACT, autoretry_for=transient_errors(), **_RETRY)
def extract_visit(self: Task[Any, Any], visit_id: int) -> str:
    return run_extraction(visit_id, llm_engine(), safety_net(), hard_limit=_hard_limit(self))


@shared_task(name="intake.tasks.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Beat, every SWEEP_INTERVAL_SECONDS: reclaim expired leases, re-enqueue stuck visits."""
    return sweeper.sweep(settings.SWEEP_GRACE_SECONDS)
