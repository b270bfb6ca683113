"""What nurses do to a visit: acknowledge an alert, confirm the triage, move it along.

Every write that two nurses could race on is conditional on the row version they saw
(optimistic locking): the second one gets StaleVersion and nothing of theirs is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intake import audit
from intake.lifecycle import StaleVersion, set_once, transition
from intake.models import AIDraft, NurseReview, Visit
from intake.states import VisitStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.roles import Actor

S = VisitStatus
REVIEWABLE = frozenset({S.READY, S.FAILED})
# Moves a nurse makes from the visit page, with the button's wording.
MOVES: dict[VisitStatus, str] = {
    S.ROOMED: "Roomed",
    S.SEEN: "Seen",
    S.DISCHARGED: "Discharged",
    S.CANCELLED: "Cancel visit",
    S.LEFT_WITHOUT_BEING_SEEN: "Left without being seen",
}


class NotReviewable(Exception):
    pass


def acknowledge_alert(visit_id: int, actor: Actor) -> bool:
    """One nurse acknowledges a new urgent/red-flag visit for everyone; False if already."""
    return set_once(
        visit_id,
        Q(alert_ack_at__isnull=True),
        {"alert_ack_at": timezone.now(), "alert_ack_by": actor},
        action="visit.alert_ack",
        actor=actor,
    )


def move(
    visit_id: int, target: VisitStatus, actor: Actor, expected_version: int, reason: str = ""
) -> Visit:
    """Roomed / seen / discharged, or cancelled / left without being seen; who and when are
    the transition's (status_changed_by/at and the audit trail)."""
    if target not in MOVES:
        raise ValueError(f"not a nurse's move: {target}")
    return transition(
        visit_id, target, actor=actor, expected_version=expected_version, reason=reason
    )


def flatten(record: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """{"hpi.onset.text": "...", "medications[0].name": ...} without the quotes (they are
    evidence, not content): what the nurse's diff compares."""
    out: dict[str, Any] = {}
    if isinstance(record, dict):
        for key, value in record.items():
            if key == "quote":
                continue
            out.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    elif isinstance(record, list):
        for i, value in enumerate(record):
            out.update(flatten(value, f"{prefix}[{i}]"))
    elif record is not None:
        out[prefix] = record
    return out


def diff(draft: dict[str, Any] | None, final: dict[str, Any]) -> list[dict[str, Any]]:
    before, after = flatten(draft), flatten(final)
    return [
        {"path": path, "from": before.get(path), "to": after.get(path)}
        for path in sorted(set(before) | set(after))
        if before.get(path) != after.get(path)
    ]


def confirm(
    visit_id: int,
    actor: User,
    *,
    expected_version: int,
    final_esi: int,
    final_record: dict[str, Any],
) -> NurseReview:
    """The nurse's decision: final record and ESI, stored with who, when and the diff from the
    AI draft (none: triaged by hand). Raises StaleVersion when someone else changed the visit
    since the nurse opened it."""
    if not 1 <= final_esi <= 5:
        raise ValueError("The final ESI must be 1 to 5.")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        if visit.version != expected_version:
            raise StaleVersion(visit_id, expected_version, visit.version)
        if visit.state not in REVIEWABLE:
            raise NotReviewable(
                f"This visit is {visit.state.label.lower()}; it cannot be confirmed now."
            )
        draft = AIDraft.objects.filter(visit_id=visit_id, is_current=True).first()
        transition(visit_id, S.REVIEWED, actor=actor, expected_version=expected_version)
        review = NurseReview.objects.create(
            visit_id=visit_id,
            draft=draft,
            final_record=final_record,
            final_esi=final_esi,
            diff=diff(draft.data if draft else None, final_record),
            manual=draft is None,
            reviewed_by=actor,
        )
        Visit.objects.filter(pk=visit_id).update(esi_final=final_esi)
        audit.record(
            "visit.review",
            actor=actor,
            visit=visit_id,
            obj=review,
            detail={"esi": final_esi, "manual": draft is None, "changes": len(review.diff)},
        )
    return review
