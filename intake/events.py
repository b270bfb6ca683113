"""Small "something changed" messages for nurse browsers, sent after the transaction commits.

They carry ids, state and progress only - no patient data passes through Redis. Browsers use
them to re-fetch what their user may see; `version` lets them drop out-of-order messages.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from functools import lru_cache, partial
from typing import Any, TypedDict

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from intake.env import redis_db_url

log = logging.getLogger(__name__)

QUEUE_GROUP = "queue"


def visit_group(visit_id: int) -> str:
    return f"visit-{visit_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def session_group(session_key: str) -> str:
    # A digest, not the key: whoever reads Redis must not get a working session cookie.
    return "session-" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


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


# A fresh random token on every published change: the queue page caches its rendered table
# under the current token, so twenty nurses' refreshes after one change render it once
# (intake.views.nurse). Random, not a counter: a Redis that restarted empty must not bring
# back an old number whose cached table is stale.
GENERATION_KEY = "intake:queue-generation"


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        redis_db_url(settings.REDIS_URL, settings.REDIS_CHANNELS_DB),
        socket_timeout=2,
        socket_connect_timeout=2,
    )


def queue_generation() -> str | None:
    """The current token (a new one when Redis has none, e.g. after a restart), or None when
    Redis cannot say: then nothing is cached."""
    try:
        client = _redis()
        value = client.get(GENERATION_KEY)
        if value is None:
            client.set(GENERATION_KEY, secrets.token_hex(8), nx=True)
            value = client.get(GENERATION_KEY)
    except redis.RedisError:
        return None
    return value.decode() if isinstance(value, bytes) else None


def bump_generation() -> None:
    try:
        _redis().set(GENERATION_KEY, secrets.token_hex(8))
    except redis.RedisError:
        log.warning("could not renew the queue generation", exc_info=True)


def _send(event: VisitEvent) -> None:
    bump_generation()
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


def _send_to_sockets(group: str, kind: str) -> None:
    layer: Any = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": kind})
    except Exception:
        # The socket then lives until its next reconnect, which checks the session again.
        log.warning("could not tell open sockets that access changed", exc_info=True)


def access_changed_on_commit(user_id: int) -> None:
    """A user's open WebSockets re-check their session and role, and close if either is gone:
    deactivation, a password change, a role taken away."""
    transaction.on_commit(partial(_send_to_sockets, user_group(user_id), "access.changed"))


def session_ended(session_key: str) -> None:
    """The session's open WebSockets close at once (logout)."""
    _send_to_sockets(session_group(session_key), "session.ended")
