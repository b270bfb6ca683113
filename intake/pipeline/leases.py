"""How long a worker's claim on a step lasts, and the heartbeat that keeps it while it works.

A lease is never shorter than the task's own hard time limit (Celery kills the task then, so a
live task cannot lose its lease to the sweeper) plus a margin, and a heartbeat thread renews it
every PROCESSING_LEASE_RENEW_SECONDS while the engine runs: a run that outlasts what was
estimated at claim time (a recording discarded after the task was sent, a slow machine) keeps
its step. When the process dies the heartbeat dies with it, and the lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from intake.pipeline.enqueue import time_limits
from intake.pipeline.steps import Claim, owned

log = logging.getLogger(__name__)


def lease_seconds(queue: str, seconds_of_audio: float, task_hard_limit: float | None) -> float:
    """The hard limit this task runs under (the one it was sent with, else what the visit's
    audio gives now), plus the margin."""
    estimated = time_limits(queue, seconds_of_audio)[1]
    hard = max(estimated, task_hard_limit or 0.0)
    return hard + float(settings.PROCESSING_LEASE_MARGIN_SECONDS)


def renew(claim: Claim, seconds: float) -> bool:
    """Push the lease `seconds` into the future; False when the step is no longer ours."""
    expires = timezone.now() + timedelta(seconds=seconds)
    return bool(owned(claim).update(lease_expires_at=expires))


class Heartbeat(threading.Thread):
    """Renews one claim's lease every `every` seconds until stopped or the claim is lost."""

    def __init__(self, claim: Claim, seconds: float, every: float) -> None:
        super().__init__(name=f"lease-{claim.step}-{claim.visit_id}", daemon=True)
        self.claim, self.seconds, self.every = claim, seconds, every
        self.stopped = threading.Event()
        self.renewals = 0

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                if not renew(self.claim, self.seconds):
                    return  # reclaimed or finished: the step's own fence handles the rest
                self.renewals += 1
        except DatabaseError:
            # The worker's own queries will fail too and sort it out; the lease still runs to
            # its full length from the last renewal.
            log.warning("visit %s: lease renewal failed", self.claim.visit_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


@contextmanager
def kept(claim: Claim, seconds: float) -> Iterator[Heartbeat]:
    """Keep the claim's lease alive for the duration of the block."""
    every = min(float(settings.PROCESSING_LEASE_RENEW_SECONDS), seconds / 3)
    beat = Heartbeat(claim, seconds, max(0.5, every))
    beat.start()
    try:
        yield beat
    finally:
        beat.stop()
