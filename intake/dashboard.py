"""Figures for the clinic-day dashboard: arrivals per hour, waits per ESI level against the
targets, and how often the AI's suggested ESI agrees with the nurse's final one.

Pure queries: no request, no rendering (intake.charts draws, intake.views.dashboard shows).
A day is the clinic's calendar day (intake.clinic_time), never the server's UTC day. Every
function runs a single query whose rows are already grouped by Postgres: a busy day has ~1000
visits and the page must not pull them one by one.

Definitions, each chosen for what the nurses act on:
- An arrival is every visit started that day except cancelled ones: a cancelled visit was
  opened by mistake (duplicate, wrong patient); a patient who left without being seen did
  arrive and counts.
- A visit's wait is from arrival to the FIRST nurse review: the target is about how soon a
  nurse first decided, not about later corrections. It is grouped under the nurse's final ESI
  (the latest review's), because the target that applied is the level the patient really had.
- Agreement compares the latest review's ESI with the AI level of the draft that review was
  based on, so both numbers describe the same decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import ExtractHour
from django.utils import timezone

from intake.clinic_time import clinic_zone, day_bounds
from intake.models import NurseReview, Visit
from intake.states import PROCESSING, VisitStatus
from intake.worklist import sort_esi, target_minutes

LEVELS = (1, 2, 3, 4, 5)
# A waiting visit that nobody (rules, AI) has given a level yet counts against the ESI 3
# target, as the queue sorts it (UNKNOWN_ESI): the two pages must agree on "over target".
# Waiting for a first nurse decision: the same statuses as the queue's "waiting" filter.
WAITING = PROCESSING | {VisitStatus.READY, VisitStatus.FAILED}


class Percentile(Aggregate):
    """Postgres' continuous percentile (linear interpolation between the two nearest values,
    so the median of an even count is the mean of the middle two). Ordered over an interval,
    it returns an interval, so waits never go through a float conversion in SQL."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"a percentile's fraction is within 0..1, not {fraction}")
        # Formatted into the SQL, never a parameter: Postgres needs a constant here, and the
        # value comes from this module, never from a request.
        super().__init__(
            expression, fraction=repr(float(fraction)), output_field=DurationField(), **extra
        )


def _target_interval(level_field: str) -> Case:
    """The wait target of the ESI level in `level_field`, as an interval."""
    return Case(
        *(
            When(**{level_field: level}, then=Value(timedelta(minutes=target_minutes(level))))
            for level in LEVELS
        ),
        output_field=DurationField(),
    )


def _day_visits(day: date) -> QuerySet[Visit]:
    start, end = day_bounds(day)
    return Visit.objects.filter(arrived_at__gte=start, arrived_at__lt=end)


def _latest_reviews(day: date) -> QuerySet[NurseReview]:
    """The latest review of each visit that arrived on `day`: one row per reviewed visit.
    Read from the review side, so the draft and the visit are plain joins rather than
    correlated subqueries evaluated per visit (several times faster on a full day)."""
    start, end = day_bounds(day)
    latest = (
        NurseReview.objects.filter(visit=OuterRef("visit"))
        .order_by("-reviewed_at", "-pk")
        .values("pk")[:1]
    )
    return NurseReview.objects.filter(
        visit__arrived_at__gte=start, visit__arrived_at__lt=end, pk=Subquery(latest)
    )


# --- Arrivals ----------------------------------------------------------------------------------


def visits_per_hour(day: date) -> list[tuple[int, int]]:
    """(hour 0..23, arrivals) on the clinic's wall clock, all 24 hours even when empty. On a
    daylight-saving day the repeated hour counts both of its passes and the skipped hour is 0,
    as the clinic's wall clock read."""
    counts = dict(
        _day_visits(day)
        .exclude(status=VisitStatus.CANCELLED.value)
        .annotate(hour=ExtractHour("arrived_at", tzinfo=clinic_zone()))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    return [(hour, int(counts.get(hour, 0))) for hour in range(24)]


# --- Waits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EsiWait:
    """Arrival-to-first-review waits of one ESI level (minutes; None when nobody had it)."""

    level: int
    count: int
    median_minutes: float | None
    p90_minutes: float | None
    target_minutes: int
    over_target: int

    @property
    def median_over_target(self) -> bool:
        return self.median_minutes is not None and self.median_minutes > self.target_minutes


def _minutes(wait: timedelta | None) -> float | None:
    return None if wait is None else wait.total_seconds() / 60


def waits_by_esi(day: date) -> list[EsiWait]:
    """One entry per ESI level 1..5 for the reviewed visits that arrived on `day`. A wait is
    over target when it is longer than the target (a review exactly at the target is in time)."""
    first_reviewed_at = Subquery(
        NurseReview.objects.filter(visit=OuterRef("visit"))
        .order_by("reviewed_at", "pk")
        .values("reviewed_at")[:1]
    )
    rows = (
        _latest_reviews(day)
        .annotate(
            wait=ExpressionWrapper(
                first_reviewed_at - F("visit__arrived_at"), output_field=DurationField()
            ),
            target=_target_interval("final_esi"),
        )
        .values("final_esi")
        .annotate(
            n=Count("pk"),
            median=Percentile("wait", 0.5),
            p90=Percentile("wait", 0.9),
            over=Count("pk", filter=Q(wait__gt=F("target"))),
        )
    )
    by_level: dict[int, Mapping[str, Any]] = {row["final_esi"]: row for row in rows}
    out = []
    for level in LEVELS:
        row = by_level.get(level, {})
        out.append(
            EsiWait(
                level=level,
                count=int(row.get("n", 0)),
                median_minutes=_minutes(row.get("median")),
                p90_minutes=_minutes(row.get("p90")),
                target_minutes=target_minutes(level),
                over_target=int(row.get("over", 0)),
            )
        )
    return out


def over_target_now(now: datetime | None = None) -> int:
    """Visits still waiting for a first nurse review longer than their level's target right
    now, whatever day they arrived (an overnight wait is still a wait). Their level is the most
    urgent known so far (rules' floor or AI suggestion), as the queue sorts them."""
    now = now or timezone.now()
    late = Q()
    for level in LEVELS:
        late |= Q(level=level, arrived_at__lt=now - timedelta(minutes=target_minutes(level)))
    return (
        Visit.objects.filter(status__in=[s.value for s in WAITING])
        .exclude(Exists(NurseReview.objects.filter(visit=OuterRef("pk"))))
        .annotate(level=sort_esi())
        .filter(late)
        .count()
    )


# --- AI vs nurse ESI -------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """AI-suggested vs nurse-final ESI of the reviewed visits of a day.

    matrix[ai - 1][nurse - 1] counts visits, rows the AI's level and columns the nurse's.
    Under-triage (the AI said less urgent, a higher number, than the nurse) is the error that
    delays a sick patient, so it is counted on its own; over-triage only costs a queue place.
    """

    matrix: tuple[tuple[int, ...], ...]
    no_suggestion: int  # reviewed, but no AI level to compare (triaged by hand, model failed)

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.matrix)

    def _count(self, keep: Callable[[int, int], bool]) -> int:
        return sum(
            self.matrix[ai - 1][nurse - 1] for ai in LEVELS for nurse in LEVELS if keep(ai, nurse)
        )

    @property
    def exact(self) -> int:
        return self._count(lambda ai, nurse: ai == nurse)

    @property
    def within_one(self) -> int:
        return self._count(lambda ai, nurse: abs(ai - nurse) <= 1)

    @property
    def under_triage(self) -> int:
        return self._count(lambda ai, nurse: ai > nurse)

    @property
    def over_triage(self) -> int:
        return self._count(lambda ai, nurse: ai < nurse)

    def _percent(self, part: int) -> float | None:
        return 100 * part / self.total if self.total else None

    @property
    def exact_pct(self) -> float | None:
        return self._percent(self.exact)

    @property
    def within_one_pct(self) -> float | None:
        return self._percent(self.within_one)

    @property
    def under_triage_pct(self) -> float | None:
        return self._percent(self.under_triage)


def esi_level(value: object) -> int | None:
    """An ESI level read from stored JSON, or None for anything that is not a whole 1..5: one
    malformed old draft must not take the dashboard down."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= 5 else None


def esi_agreement(day: date) -> Agreement:
    """Compare, per reviewed visit of `day`, the AI level of the draft its latest review was
    based on (AIDraft.data["esi"]["level"]; Visit.esi_suggested when the review has no draft
    or the draft has no usable level) with that review's final ESI."""
    rows = (
        _latest_reviews(day)
        .annotate(draft_level=KeyTransform("level", KeyTransform("esi", "draft__data")))
        # Grouped in SQL: at most a few dozen distinct combinations however busy the day.
        .values("draft_level", "visit__esi_suggested", "final_esi")
        .annotate(n=Count("pk"))
    )
    matrix = [[0] * len(LEVELS) for _ in LEVELS]
    no_suggestion = 0
    for row in rows:
        ai = esi_level(row["draft_level"]) or esi_level(row["visit__esi_suggested"])
        if ai is None:
            no_suggestion += row["n"]
            continue
        # The database keeps final_esi within 1..5 (review_final_esi_1_5).
        matrix[ai - 1][int(row["final_esi"]) - 1] += row["n"]
    return Agreement(matrix=tuple(tuple(r) for r in matrix), no_suggestion=no_suggestion)
