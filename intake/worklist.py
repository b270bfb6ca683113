"""The nurses' worklist: which visits show, in which order, and what each row says.

Order: "needs a nurse now" first; then the most urgent (lowest) of the nurse's ESI (once
reviewed), the red-flag rules' floor and the AI's suggestion; then arrival. A nurse may set an
ESI above the rules' floor, but the queue keeps such a visit where the floor puts it: the order
errs towards safety, the badge shows the nurse's decision. A visit with no ESI from anyone yet
(still processing, nothing fired) sorts as ESI 3, the usual level of an untriaged walk-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from inference.safety.rules import rule_title
from intake.models import AIDraft, ProcessingStep, SafetyFiring, StepStatus, Visit
from intake.states import FINAL, OPEN, PROCESSING, VisitStatus

S = VisitStatus
UNKNOWN_ESI = 3

# Status filters offered above the queue: name -> (label, statuses).
FILTERS: dict[str, tuple[str, frozenset[VisitStatus]]] = {
    "open": ("All open", OPEN | {S.DRAFT}),
    "waiting": ("Waiting for a nurse", frozenset({S.READY, S.FAILED}) | PROCESSING),
    "processing": ("AI working", PROCESSING),
    "ready": ("Ready for review", frozenset({S.READY})),
    "failed": ("Failed", frozenset({S.FAILED})),
    "reviewed": ("Reviewed", frozenset({S.REVIEWED})),
    "roomed": ("Roomed", frozenset({S.ROOMED})),
}
DEFAULT_FILTER = "open"


def sort_esi() -> Coalesce:
    """The level a visit sorts and is timed by: the most urgent of nurse, rules and AI (SQL)."""
    return Coalesce(
        Least("esi_final", "esi_rule_floor", "esi_suggested"),
        Value(UNKNOWN_ESI),
        output_field=IntegerField(),
    )


def queue_visits(filter_name: str = DEFAULT_FILTER) -> QuerySet[Visit]:
    _, statuses = FILTERS.get(filter_name, FILTERS[DEFAULT_FILTER])
    shown = Q(status__in=[s.value for s in statuses if s != S.DRAFT])
    if S.DRAFT in statuses:
        # "Needs a nurse now" shows at once, even while the front desk is still on the intake.
        shown |= Q(status=S.DRAFT.value, urgent=True)
    return (
        Visit.objects.filter(shown)
        .select_related("patient")
        .annotate(
            sort_esi=sort_esi(),
            urgent_rank=Case(When(urgent=True, then=Value(0)), default=Value(1)),
        )
        .order_by("urgent_rank", "sort_esi", "arrived_at", "pk")
    )


@dataclass(frozen=True)
class Running:
    """The pipeline step working on a visit now."""

    step: str  # "asr" or "llm"
    seconds: int  # since it started
    attempt: int
    percent: int  # how far it got (audio transcribed, token budget used)


@dataclass(frozen=True)
class Row:
    visit: Visit
    sort_esi: int
    age: int | None
    wait_minutes: int
    target_minutes: int
    waiting: bool  # for the first nurse decision: the wait clock runs
    over_target: bool
    complaint: str
    red_flags: tuple[str, ...]
    alerting: bool
    typed: bool
    running: Running | None = None


def age_years(born: date | None, on: datetime) -> int | None:
    if born is None:
        return None
    day = on.date()
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years if 0 <= years < 130 else None


def target_minutes(esi: int) -> int:
    return int(settings.ESI_WAIT_TARGET_MINUTES[esi - 1])


def waiting_for_nurse(visit: Visit) -> bool:
    """Still waiting for the first nurse decision (the wait clock runs)."""
    return visit.state in PROCESSING | {S.READY, S.FAILED, S.DRAFT}


def rows(visits: list[Visit], now: datetime | None = None) -> list[Row]:
    """What each queue row shows; three queries for the whole page, not per row."""
    now = now or timezone.now()
    ids = [v.pk for v in visits]
    definite: dict[int, dict[str, bool]] = {}
    for visit_id, rule_id, level in (
        SafetyFiring.objects.filter(visit_id__in=ids)
        .order_by("esi_floor", "rule_id")
        .values_list("visit_id", "rule_id", "level")
        .distinct()
    ):
        seen = definite.setdefault(visit_id, {})
        seen[rule_id] = seen.get(rule_id, False) or level == SafetyFiring.Level.DEFINITE
    # Badges a nurse reads: the rule's title, "?" when only weaker evidence fired.
    flags = {
        visit_id: [rule_title(r) + ("" if sure else "?") for r, sure in rules.items()]
        for visit_id, rules in definite.items()
    }
    complaints = dict(
        AIDraft.objects.filter(visit_id__in=ids, is_current=True).values_list(
            "visit_id", "data__chief_complaint__normalized"
        )
    )
    running = {
        visit_id: Running(
            step,
            int((now - started).total_seconds()) if started else 0,
            attempt,
            round(100 * progress),
        )
        for visit_id, step, started, attempt, progress in ProcessingStep.objects.filter(
            visit_id__in=ids, status=StepStatus.RUNNING
        ).values_list("visit_id", "step", "started_at", "attempt", "progress")
    }
    out = []
    for v in visits:
        esi = int(getattr(v, "sort_esi", None) or UNKNOWN_ESI)
        wait = int((now - v.arrived_at).total_seconds() // 60)
        target = target_minutes(esi)
        typed = bool(v.chief_complaint_typed.strip())
        out.append(
            Row(
                visit=v,
                sort_esi=esi,
                age=age_years(v.patient.date_of_birth, v.arrived_at),
                wait_minutes=max(0, wait),
                target_minutes=target,
                waiting=waiting_for_nurse(v),
                over_target=waiting_for_nurse(v) and wait > target,
                complaint=str(complaints.get(v.pk) or v.chief_complaint_typed or ""),
                red_flags=tuple(flags.get(v.pk, ())),
                alerting=is_alerting(v, bool(flags.get(v.pk))),
                typed=typed,
                running=running.get(v.pk),
            )
        )
    return out


def is_alerting(visit: Visit, has_red_flag: bool) -> bool:
    """New urgent or red-flag visit that no nurse has acknowledged yet."""
    if visit.alert_ack_at is not None or visit.state in FINAL:
        return False
    if visit.state not in PROCESSING | {S.READY, S.FAILED, S.DRAFT}:
        return False  # a nurse has reviewed it: they know
    floor = visit.esi_rule_floor
    return visit.urgent or has_red_flag or (floor is not None and floor <= 2)
