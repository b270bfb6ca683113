"""The one place a visit changes state: a conditional UPDATE that only matches legal sources
(and, when given, the version the caller saw), so concurrent writers cannot both win."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from intake import audit, events
from intake.models import Visit
from intake.states import IllegalTransition, VisitStatus, sources_of

if TYPE_CHECKING:
    from intake.roles import Actor


class StaleVersion(Exception):
    def __init__(self, visit_id: int, expected: int, actual: int) -> None:
        super().__init__(
            f"Visit #{visit_id} was changed by someone else (version {actual}, you had "
            f"{expected}). Reload to see the latest."
        )
        self.visit_id = visit_id
        self.expected = expected
        self.actual = actual


def transition(
    visit_id: int,
    target: VisitStatus,
    *,
    actor: Actor = None,
    reason: str = "",
    expected_version: int | None = None,
    stage: str = "",
    progress: float = 0.0,
) -> Visit:
    """Move a visit to `target` or raise IllegalTransition / StaleVersion / Visit.DoesNotExist.
    Records an audit event and publishes an event after commit."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        rows = Visit.objects.filter(pk=visit_id, status__in=[s.value for s in sources_of(target)])
        if expected_version is not None:
            rows = rows.filter(version=expected_version)
        updated = rows.update(
            status=target.value,
            status_reason=reason,
            status_changed_at=timezone.now(),
            status_changed_by_id=actor_id,
            version=F("version") + 1,
        )
        if not updated:
            current = Visit.objects.values("status", "version").get(pk=visit_id)
            if expected_version is not None and current["version"] != expected_version:
                raise StaleVersion(visit_id, expected_version, current["version"])
            raise IllegalTransition(current["status"], target)
        visit = Visit.objects.get(pk=visit_id)
        audit.record(
            "visit.transition",
            actor=actor,
            visit=visit,
            detail={"to": target.value, "version": visit.version},
        )
        events.publish_on_commit(
            events.visit_event(visit.pk, visit.status, visit.version, stage, progress)
        )
    return visit


def set_once(visit_id: int, when: Q, values: dict[str, Any], *, action: str, actor: Actor) -> bool:
    """Set a visit's flag fields (urgent, alert acknowledged) where `when` still holds, with
    one conditional UPDATE that also bumps the version; audit and publish an event. False when
    `when` no longer held (someone else was first): nothing is written twice."""
    with transaction.atomic():
        updated = Visit.objects.filter(when, pk=visit_id).update(**values, version=F("version") + 1)
        if not updated:
            return False
        visit = Visit.objects.get(pk=visit_id)
        audit.record(action, actor=actor, visit=visit)
        events.publish_on_commit(events.visit_event(visit.pk, visit.status, visit.version))
    return True
