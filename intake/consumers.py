"""WebSocket consumers: authenticate, check the role, join groups, relay events. Thin on
purpose; pages re-fetch what the user may see when an event arrives."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from intake.events import QUEUE_GROUP, visit_group
from intake.roles import Role, has_role

# Close codes in the application range (4000-4999) so the page can tell "log in again" apart
# from a network drop.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

CLINICAL_ROLES = (Role.NURSE,)


def _may_watch_queue(user: Any) -> bool:
    return has_role(user, *CLINICAL_ROLES)


class QueueConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str] = []

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
        self.groups = self.group_names()
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The queue socket is one-way; anything a browser sends is ignored.
        return

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
