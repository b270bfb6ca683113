"""Append-only, hash-chained audit trail. Callers pass ids and codes, never patient data."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

from intake.audit.chain import append
from intake.models import AuditEvent, Visit
from intake.roles import user_roles

if TYPE_CHECKING:
    from intake.roles import Actor

# The request being served, for events recorded below a view without it being passed down
# (signals: role changes made in the admin, logins): who did it and from where.
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)


class AuditRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is the proxy in compose; daphne --proxy-headers puts the client there.
    return request.META.get("REMOTE_ADDR") or None


def _visit_ids(visit: Visit | int | None, patient_id: int | None) -> tuple[int | None, int | None]:
    """(visit id, patient id): a visit given by id costs a query only when the caller did
    not say whose visit it is."""
    if visit is None:
        return None, patient_id
    if isinstance(visit, Visit):
        return visit.pk, visit.patient_id if patient_id is None else patient_id
    if patient_id is None:
        patient_id = Visit.objects.filter(pk=visit).values_list("patient_id", flat=True).first()
    return visit, patient_id


def record(
    action: str,
    *,
    actor: Actor = None,
    visit: Visit | int | None = None,
    patient_id: int | None = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    outcome: str = AuditEvent.SUCCESS,
) -> AuditEvent:
    if request is None:
        request = _current_request.get()
    if actor is None and request is not None:
        actor = request.user
    known = actor is not None and actor.is_authenticated
    visit_id, patient_id = _visit_ids(visit, patient_id)
    return append(
        AuditEvent(
            action=action,
            outcome=outcome,
            actor_id=actor.pk if known else None,  # type: ignore[union-attr]
            role=",".join(sorted(user_roles(actor))) if known else "",
            visit_id=visit_id,
            patient_id=patient_id,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            detail=detail or {},
            ip=client_ip(request),
        )
    )
