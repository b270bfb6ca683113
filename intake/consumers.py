"""WebSocket consumers: authenticate, check the role, join groups, relay events. Thin on
purpose; pages re-fetch what the user may see when an event arrives."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model

from intake.events import QUEUE_GROUP, session_group, user_group, visit_group
from intake.roles import Role, has_role

# Close codes in the application range (4000-4999) so the page can tell "log in again" apart
# from a network drop.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

CLINICAL_ROLES = (Role.NURSE,)


def _may_watch_queue(user: Any) -> bool:
    return has_role(user, *CLINICAL_ROLES)


def _access_now(user_id: int, session_key: str | None) -> int | None:
    """None while the socket may stay open, else the close code: the session logged out or
    expired, the account deactivated, or the role taken away since the socket opened."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return CLOSE_UNAUTHENTICATED
    if session_key is not None:
        # Gone or expired loads as empty; a changed password no longer matches its hash.
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
        if session.get(HASH_SESSION_KEY) != user.get_session_auth_hash():
            return CLOSE_UNAUTHENTICATED
    return None if _may_watch_queue(user) else CLOSE_FORBIDDEN


class QueueConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str] = []
    user_id: int = 0

    def group_names(self) -> list[str]:
        return [QUEUE_GROUP]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_may_watch_queue)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        self.groups = [*self.group_names(), user_group(user.pk)]
        if self.session_key is not None:
            self.groups.append(session_group(self.session_key))
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The queue socket is one-way; anything a browser sends is ignored.
        return

    @property
    def session_key(self) -> str | None:
        session = self.scope.get("session")
        return getattr(session, "session_key", None) if session is not None else None

    async def access_changed(self, event: dict[str, Any]) -> None:
        code = await database_sync_to_async(_access_now)(self.user_id, self.session_key)
        if code is not None:
            await self.close(code=code)

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def visit_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                key: event[key]
                for key in ("type", "visit_id", "status", "stage", "progress", "version")
            }
        )


class VisitConsumer(QueueConsumer):
    """One visit's events (/ws/visits/<id>/): the review page learns that another nurse
    changed the visit it shows."""

    def group_names(self) -> list[str]:
        return [visit_group(int(self.scope["url_route"]["kwargs"]["visit_id"]))]
