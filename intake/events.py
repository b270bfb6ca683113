"""Small "something changed" messages for nurse browsers, sent after the transaction commits.

They carry ids, state and progress only - no patient data passes through Redis. Browsers use
them to re-fetch what their user may see; `version` lets them drop out-of-order messages.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

QUEUE_GROUP = "queue"


def visit_group(visit_id: int) -> str:
    return f"visit-{visit_id}"


class VisitEvent(TypedDict):
    type: str
    visit_id: int
    status: str
    stage: str
    progress: float
    version: int


def visit_event(
    visit_id: int, status: str, version: int, stage: str = "", progress: float = 0.0
) -> VisitEvent:
    return {
        "type": "visit.changed",
        "visit_id": visit_id,
        "status": status,
        "stage": stage,
        "progress": progress,
        "version": version,
    }


def _send(event: VisitEvent) -> None:
    layer: Any = get_channel_layer()
    if layer is None:
        return
    try:
        for group in (QUEUE_GROUP, visit_group(event["visit_id"])):
            async_to_sync(layer.group_send)(group, dict(event))
    except Exception:
        # A lost event only delays a browser refresh (queues also poll on reconnect); it must
        # never fail the state change that was already committed.
        log.warning("could not publish event for visit %s", event["visit_id"], exc_info=True)


def publish_on_commit(event: VisitEvent) -> None:
    transaction.on_commit(partial(_send, event))
