"""Celery tasks. Tasks take ids, never objects or patient data (Celery arguments sit in
Redis)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from intake.models import WorkerHeartbeat


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
