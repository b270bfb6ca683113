"""The sweeper (beat, every SWEEP_INTERVAL_SECONDS): what no worker will otherwise pick up.

It reclaims expired leases, then re-sends visits that sat in a processing state longer than the
grace period with no live lease (a lost Redis message, a crash between commit and send, a
killed worker), at most one message per visit and step while one is still queued. Duplicate
deliveries are harmless anyway: the claim decides who works.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from intake.models import StepName, Visit
from intake.pipeline import messages, steps
from intake.pipeline.enqueue import enqueue_extraction, enqueue_transcription
from intake.pipeline.runs import fail_visit
from intake.states import PROCESSING, VisitStatus

log = logging.getLogger(__name__)


def visits_to_sweep(grace_seconds: float) -> list[tuple[int, str]]:
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    return list(
        Visit.objects.filter(
            status__in=[s.value for s in PROCESSING], status_changed_at__lt=cutoff
        ).values_list("pk", "status")
    )


def sweep(grace_seconds: float) -> dict[str, int]:
    reclaimed = steps.reclaim_expired()
    requeued = 0
    for visit_id, status in visits_to_sweep(grace_seconds):
        if steps.has_live_lease(visit_id):
            continue
        asr = steps.latest_step(visit_id, StepName.ASR)
        llm = steps.latest_step(visit_id, StepName.LLM)
        extraction = status == VisitStatus.SUMMARIZING.value or (asr is None and llm is not None)
        current = llm if extraction else asr
        if current is not None and current.attempt > settings.PROCESSING_MAX_ATTEMPTS:
            # It keeps dying (hard time limit, out of memory): stop, and tell the nurses.
            claim = steps.claim(visit_id, StepName(current.step), 60)
            if claim is not None:
                fail_visit(claim, "too_many_attempts", messages.KEEPS_STOPPING)
            continue
        if steps.enqueued_recently(current, grace_seconds):
            continue  # its message is still queued: one per visit and step is enough
        if extraction:
            enqueue_extraction(visit_id)
        else:
            enqueue_transcription(visit_id)
        requeued += 1
    log.info("sweep: %s leases reclaimed, %s visits re-enqueued", reclaimed, requeued)
    return {"reclaimed": reclaimed, "requeued": requeued}
