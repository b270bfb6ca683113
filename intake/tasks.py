"""Celery tasks. Tasks take ids, never objects or patient data (Celery arguments sit in
Redis)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from intake.models import WorkerHeartbeat
from intake.runs import transient_errors


@shared_task(name="intake.tasks.prune_heartbeats", ignore_result=True)
def prune_heartbeats(days: int = 1) -> int:
    """Forget workers not seen for `days` (renamed hosts, scaled-down workers) so /healthz and
    the admin only list live ones. Idempotent."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


@shared_task(name="intake.tasks.purge_expired_media", ignore_result=True)
def purge_expired_media() -> dict[str, int]:
    """Delete recordings and photos past their retention period (hourly; idempotent)."""
    from dataclasses import asdict

    from intake.retention import purge_expired_media as purge

    return asdict(purge())


@shared_task(
    name="intake.tasks.make_playback_copy",
    ignore_result=True,
    autoretry_for=transient_errors(),
    max_retries=3,
    retry_backoff=True,
)
def make_playback_copy(recording_id: int) -> None:
    """The nurse page's seekable copy, made when a recording is complete (idempotent: an
    existing copy is kept), so no request has to decode audio. Undecodable audio is left to
    the transcription step, which fails the visit with a readable reason."""
    from inference.audio import AudioError
    from intake.models import Recording
    from intake.playback import ensure_playback_copy

    try:
        ensure_playback_copy(recording_id)
    except (Recording.DoesNotExist, AudioError):
        return


# --- the processing pipeline (thin: intake.runs does the work) ---------------------------------
# Transient errors (database, broker) retry with exponential backoff; intake.runs released the
# claim first so the retry can take it again. Time limits are set per call by the enqueuer
# (intake.processing.time_limits), scaled to the audio length.
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


@shared_task(name="intake.tasks.transcribe_visit", autoretry_for=transient_errors(), **_RETRY)
def transcribe_visit(self: Task[Any, Any], visit_id: int) -> str:
    from inference.asr import transcribe
    from intake.runs import run_transcription
    from intake.worker import engine

    return run_transcription(visit_id, engine("asr"), transcribe)


@shared_task(name="intake.tasks.extract_visit", autoretry_for=transient_errors(), **_RETRY)
def extract_visit(self: Task[Any, Any], visit_id: int) -> str:
    from intake.runs import run_extraction
    from intake.worker import engine

    return run_extraction(visit_id, engine("llm"))


@shared_task(name="intake.tasks.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Beat, every SWEEP_INTERVAL_SECONDS: reclaim expired leases, re-enqueue stuck visits."""
    from intake.runs import sweep as run_sweep

    return run_sweep(settings.SWEEP_GRACE_SECONDS)
