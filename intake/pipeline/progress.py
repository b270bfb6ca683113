"""Progress of a running step, for the nurses' queue: stage events and throttled progress.

Events carry ids, state and a fraction only (no patient data). A running step reports how far
it got (audio seconds transcribed, tokens generated) through a `Progress`; it stores the
fraction on its step row (so a page rendered later shows it too) and publishes an event, at
most `PROGRESS_EVENTS_PER_SECOND` times a second per visit, so a fast engine cannot flood the
channel layer or every nurse's browser.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, connection

from intake import events
from intake.models import Visit
from intake.pipeline.steps import Claim, owned

log = logging.getLogger(__name__)

PROGRESS_EVENTS_PER_SECOND = 2.0


def publish_stage(visit_id: int, stage: str, progress: float) -> None:
    """A stage progress event (no state change) after the current transaction commits."""
    row = Visit.objects.values("status", "version").get(pk=visit_id)
    events.publish_on_commit(
        events.visit_event(visit_id, row["status"], row["version"], stage, progress)
    )


class Progress:
    """Callable with a fraction in [0, 1]; throttled. Never raises: progress is a courtesy,
    and a failed update must not fail the step that reported it."""

    def __init__(
        self,
        claim: Claim,
        *,
        per_second: float = PROGRESS_EVENTS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.claim = claim
        self.interval = 1.0 / per_second
        self.clock = clock
        self.last_sent: float | None = None
        self.last_value = 0.0
        self.sent = 0

    def __call__(self, fraction: float) -> None:
        value = min(1.0, max(0.0, float(fraction)))
        now = self.clock()
        if value <= self.last_value:
            return  # engines may repeat themselves; the bar never goes back
        if self.last_sent is not None and now - self.last_sent < self.interval:
            return
        self.last_sent, self.last_value = now, value
        try:
            self._send(value)
        except DatabaseError:
            # A dropped connection: the next report (and the step's own save) opens a new one.
            connection.close_if_unusable_or_obsolete()
            log.warning("visit %s: progress not recorded", self.claim.visit_id)

    def _send(self, value: float) -> None:
        updated = owned(self.claim).update(progress=value)
        if updated:
            publish_stage(self.claim.visit_id, self.claim.step, value)
            self.sent += 1
