"""Append-only audit trail. Callers pass ids and codes, never patient data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from intake.models import AuditEvent, Visit


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is the proxy in compose; daphne --proxy-headers puts the client there.
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    visit: Visit | int | None = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    if actor is None and request is not None:
        actor = request.user
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    visit_id = visit.pk if isinstance(visit, Visit) else visit
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        visit_id=visit_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=client_ip(request),
    )
