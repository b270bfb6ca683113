"""Step bookkeeping for the processing pipeline: claims, leases, done/failed.

A visit's step (asr, llm) is the ProcessingStep row with the highest attempt. A worker CLAIMS it
with one conditional UPDATE (pending, or running with an expired lease -> running with this
worker's lease), so two deliveries of the same task cannot both work on it. Finishing is fenced
the same way: only the lease owner can mark the step done, so a worker whose lease the sweeper
reclaimed cannot overwrite the newer attempt's result.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from intake.models import ProcessingStep, StepName, StepStatus


class LeaseLost(Exception):
    """This worker no longer owns the step (the sweeper reclaimed it): drop the result."""


@dataclass(frozen=True)
class Claim:
    step_id: int
    visit_id: int
    step: str
    attempt: int
    owner: str


def worker_identity(pid: int | None = None) -> str:
    """Celery node name (set by intake.pipeline.worker at start-up), machine and pid: unique per
    pool child, and enough to tell whether an owner on this machine is still alive."""
    node = os.environ.get("INTAKE_WORKER_NODE", "worker")
    return f"{node}/{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def owner_is_dead(owner: str) -> bool:
    """True only for an owner on THIS machine whose process is gone (a SIGKILLed pool child
    whose task Celery redelivered): its lease need not be waited out."""
    prefix, _, pid = owner.rpartition(":")
    if not pid.isdigit() or prefix != worker_identity().rpartition(":")[0]:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed process whose parent died too lingers as a zombie until something reaps it
    (in a container, maybe never): it still answers kill(pid, 0) but will never work again."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (command) state ...": the command may contain spaces and parentheses.
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def latest_step(visit_id: int, step: StepName) -> ProcessingStep | None:
    return (
        ProcessingStep.objects.filter(visit_id=visit_id, step=step.value)
        .order_by("-attempt")
        .first()
    )


def open_step(visit_id: int, step: StepName) -> ProcessingStep:
    """Make sure the step has a pending attempt: reuse a pending one, else add attempt n+1
    (submit, re-run). Earlier attempts stay as history."""
    with transaction.atomic():
        latest = latest_step(visit_id, step)
        if latest is not None and latest.status == StepStatus.PENDING:
            return latest
        attempt = 1 if latest is None else latest.attempt + 1
        try:
            with transaction.atomic():
                return ProcessingStep.objects.create(
                    visit_id=visit_id, step=step.value, attempt=attempt
                )
        except IntegrityError:
            # Someone else opened the same attempt at the same moment: theirs is as good.
            found = latest_step(visit_id, step)
            assert found is not None
            return found


def mark_enqueued(visit_id: int, step: StepName) -> None:
    """Record that a task for the step's latest attempt was just sent to the broker."""
    latest = latest_step(visit_id, step)
    if latest is not None:
        ProcessingStep.objects.filter(pk=latest.pk).update(enqueued_at=timezone.now())


def enqueued_recently(step: ProcessingStep | None, grace_seconds: float) -> bool:
    """A task for this attempt was sent within the grace period: it is still on its way (or
    waiting behind others in the queue), so sending another would only duplicate it."""
    if step is None or step.enqueued_at is None:
        return False
    return step.enqueued_at > timezone.now() - timedelta(seconds=grace_seconds)


def claim(visit_id: int, step: StepName, lease_seconds: float) -> Claim | None:
    """Take the step's latest attempt for this worker, or None when it is done, failed, or
    another worker holds a live lease. A visit with no row yet gets attempt 1 first."""
    latest = latest_step(visit_id, step)
    if latest is None:
        latest = open_step(visit_id, step)
    now = timezone.now()
    owner = worker_identity()
    lease = {
        "status": StepStatus.RUNNING,
        "lease_owner": owner,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "started_at": now,
        "progress": 0.0,
    }
    updated = ProcessingStep.objects.filter(pk=latest.pk, status=StepStatus.PENDING).update(**lease)
    if updated:
        return Claim(latest.pk, visit_id, step.value, latest.attempt, owner)
    if latest.status != StepStatus.RUNNING:
        return None
    if latest.lease_owner == owner:
        # This very process held it in a run that ended without giving it back (the database
        # dropped while it tried). A pool process runs one task at a time, so that run is
        # over: take it back at once instead of waiting out the lease. Not a new attempt: the
        # run did not die, it hit a transient error.
        updated = ProcessingStep.objects.filter(
            pk=latest.pk, status=StepStatus.RUNNING, lease_owner=owner
        ).update(**lease)
        return Claim(latest.pk, visit_id, step.value, latest.attempt, owner) if updated else None
    if not (latest.lease_expires_at and latest.lease_expires_at < now) and not owner_is_dead(
        latest.lease_owner
    ):
        return None
    # The owner died working on it (killed, out of memory, a crash in the engine) or its lease
    # ran out: that was an attempt. Counting it lets a poison input fail its visit after
    # PROCESSING_MAX_ATTEMPTS instead of crashing every worker it reaches forever. Conditional
    # on the owner we saw, so only one taker wins.
    try:
        with transaction.atomic():
            updated = ProcessingStep.objects.filter(
                pk=latest.pk, status=StepStatus.RUNNING, lease_owner=latest.lease_owner
            ).update(**lease, attempt=F("attempt") + 1)
    except IntegrityError:
        return None  # a newer attempt exists (a re-run): that one is the one to work on
    if not updated:
        return None
    return Claim(latest.pk, visit_id, step.value, latest.attempt + 1, owner)


def owned(claim: Claim) -> QuerySet[ProcessingStep]:
    return ProcessingStep.objects.filter(
        pk=claim.step_id, status=StepStatus.RUNNING, lease_owner=claim.owner
    )


def finish(claim: Claim) -> None:
    """Mark the step done; raises LeaseLost (rolling back the caller's transaction) when the
    lease was taken away meanwhile."""
    updated = owned(claim).update(
        status=StepStatus.DONE, progress=1.0, finished_at=timezone.now(), lease_expires_at=None
    )
    if not updated:
        raise LeaseLost(f"step {claim.step_id} is no longer owned by {claim.owner}")


def fail(claim: Claim, code: str, message: str) -> bool:
    """Mark the step failed with a reason a nurse can read. False when no longer ours."""
    return bool(
        owned(claim).update(
            status=StepStatus.FAILED,
            failure_code=code[:64],
            failure_message=message,
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
    )


def release(claim: Claim) -> None:
    """Give the claim back (transient failure): the retry claims the same attempt again."""
    owned(claim).update(status=StepStatus.PENDING, lease_owner="", lease_expires_at=None)


def reclaim_expired() -> int:
    """Running steps whose lease ran out (killed worker, lost box) go back to pending with the
    next attempt number, so the history shows the retry. Idempotent."""
    reclaimed = 0
    expired = ProcessingStep.objects.filter(
        status=StepStatus.RUNNING, lease_expires_at__lt=timezone.now()
    ).values_list("pk", "lease_expires_at")
    for pk, expires in expired:
        try:
            with transaction.atomic():
                # Conditional on the lease we saw: a worker that just re-claimed it keeps it.
                reclaimed += ProcessingStep.objects.filter(
                    pk=pk, status=StepStatus.RUNNING, lease_expires_at=expires
                ).update(
                    status=StepStatus.PENDING,
                    attempt=F("attempt") + 1,
                    lease_owner="",
                    lease_expires_at=None,
                    progress=0.0,
                )
        except IntegrityError:
            # A newer attempt exists already (re-run): this old one is simply abandoned.
            ProcessingStep.objects.filter(pk=pk, status=StepStatus.RUNNING).update(
                status=StepStatus.FAILED,
                failure_code="lease_expired",
                failure_message="The worker stopped; a newer attempt replaced this one.",
                lease_expires_at=None,
            )
    return reclaimed


def has_live_lease(visit_id: int) -> bool:
    return ProcessingStep.objects.filter(
        visit_id=visit_id, status=StepStatus.RUNNING, lease_expires_at__gte=timezone.now()
    ).exists()
