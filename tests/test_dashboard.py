"""The clinic-day dashboard: exact aggregates for a built day, the SVG charts, the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from intake import charts
from intake.clinic_time import clinic_today
from intake.dashboard import (
    Agreement,
    EsiWait,
    esi_agreement,
    over_target_now,
    visits_per_hour,
    waits_by_esi,
)
from intake.models import AIDraft, AuditEvent, NurseReview, Patient, Visit
from intake.states import VisitStatus
from tests.conftest import logged_in

S = VisitStatus
CHICAGO = ZoneInfo("America/Chicago")
DAY = date(2026, 1, 15)  # winter: Chicago is UTC-6
TARGETS = [0, 10, 30, 60, 120]
HOSTILE = '</title><script>alert("x")</script><rect style="fill:red" onload="x()"/>&amp;'
SVG_ELEMENTS = {"svg", "title", "desc", "g", "rect", "line", "text"}


@pytest.fixture(autouse=True)
def _clinic(settings: SettingsWrapper) -> None:
    settings.TIME_ZONE = "America/Chicago"
    settings.ESI_WAIT_TARGET_MINUTES = TARGETS


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=CHICAGO)


def make_visit(arrived: datetime, status: S = S.REVIEWED, **fields: Any) -> Visit:
    patient = Patient.objects.create(name="Dash Board", date_of_birth="1980-01-01")
    return Visit.objects.create(patient=patient, arrived_at=arrived, status=status.value, **fields)


def make_draft(visit: Visit, level: object, *, current: bool = True) -> AIDraft:
    return AIDraft.objects.create(
        visit=visit,
        is_current=current,
        data={"esi": {"level": level, "rationale": "test"}},
        schema_version="1",
        model_id="test",
        prompt_version="1",
    )


def review(
    visit: Visit,
    nurse: User,
    final_esi: int,
    after: timedelta,
    draft: AIDraft | None = None,
) -> NurseReview:
    made = NurseReview.objects.create(
        visit=visit, draft=draft, final_record={}, final_esi=final_esi, reviewed_by=nurse
    )
    # reviewed_at is auto_now_add: put it where the scenario needs it.
    NurseReview.objects.filter(pk=made.pk).update(reviewed_at=visit.arrived_at + after)
    Visit.objects.filter(pk=visit.pk).update(esi_final=final_esi)
    return made


def reviewed_visit(
    nurse: User, arrived: datetime, final_esi: int, wait: timedelta, **fields: Any
) -> Visit:
    visit = make_visit(arrived, **fields)
    review(visit, nurse, final_esi, wait)
    return visit


# --- Aggregates --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_counts_visits_per_hour_on_the_clinic_clock() -> None:
    make_visit(local(DAY, 0, 0))
    make_visit(local(DAY, 0, 30))
    for minute in (0, 15, 59):
        make_visit(local(DAY, 9, minute))
    make_visit(local(DAY, 10, 5), S.LEFT_WITHOUT_BEING_SEEN)  # arrived, so counted
    make_visit(local(DAY, 10, 6), S.CANCELLED)  # opened by mistake: not an arrival
    make_visit(local(DAY, 14, 0), S.DRAFT)
    # 23:59 in Chicago is already 05:59 UTC of the next day: still this clinic day, hour 23.
    late = make_visit(local(DAY, 23, 59, 59))
    assert late.arrived_at.astimezone(UTC).date() == DAY + timedelta(days=1)
    make_visit(local(DAY + timedelta(days=1), 0, 0))  # the next clinic day
    make_visit(local(DAY - timedelta(days=1), 23, 59))  # the day before (05:59 UTC of DAY)

    hours = visits_per_hour(DAY)

    assert [hour for hour, _ in hours] == list(range(24))
    assert {hour: n for hour, n in hours if n} == {0: 2, 9: 3, 10: 1, 14: 1, 23: 1}
    assert sum(n for _, n in hours) == 8


@pytest.mark.django_db
def test_it_buckets_a_spring_forward_day_by_wall_clock_hour(settings: SettingsWrapper) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    day = date(2026, 3, 29)  # 02:00 becomes 03:00
    make_visit(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC))  # 01:59:59 CET
    make_visit(datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC))  # 03:00 CEST
    make_visit(datetime(2026, 3, 29, 23, 30, tzinfo=berlin))

    counts = dict(visits_per_hour(day))

    assert (counts[1], counts[2], counts[3], counts[23]) == (1, 0, 1, 1)


@pytest.mark.django_db
def test_it_gives_median_p90_and_over_target_per_final_esi(nurse: User) -> None:
    # ESI 2 (target 10): 4, 8, 10, 12, 20 minutes; exactly at the target is in time.
    for i, minutes in enumerate((4, 8, 10, 12, 20)):
        reviewed_visit(nurse, local(DAY, 8, i), 2, timedelta(minutes=minutes))
    # ESI 1 (target 0): any wait at all is over.
    reviewed_visit(nurse, local(DAY, 9), 1, timedelta(seconds=30))
    # ESI 3 (target 30): 45 minutes, over...
    reviewed_visit(nurse, local(DAY, 10), 3, timedelta(minutes=45))
    # ...and one first reviewed at 25 minutes as ESI 4, re-reviewed as ESI 3 at 90 minutes: it
    # waited 25 minutes (the first review) and counts under ESI 3 (the latest).
    rereviewed = make_visit(local(DAY, 11))
    review(rereviewed, nurse, 4, timedelta(minutes=25))
    review(rereviewed, nurse, 3, timedelta(minutes=90))
    # Not in the day's waits: nobody reviewed it yet; it arrived the day before.
    make_visit(local(DAY, 12), S.READY)
    reviewed_visit(nurse, local(DAY - timedelta(days=1), 12), 2, timedelta(minutes=99))

    waits = waits_by_esi(DAY)

    assert waits == [
        EsiWait(1, 1, 0.5, 0.5, 0, 1),
        # median: the middle of five, 10; p90 = 12 + 0.6 x (20 - 12) = 16.8 (interpolated)
        EsiWait(2, 5, 10.0, pytest.approx(16.8), 10, 2),  # type: ignore[arg-type]
        # median of 25 and 45 is 35; p90 = 25 + 0.9 x 20 = 43
        EsiWait(3, 2, 35.0, pytest.approx(43.0), 30, 1),  # type: ignore[arg-type]
        EsiWait(4, 0, None, None, 60, 0),
        EsiWait(5, 0, None, None, 120, 0),
    ]
    assert [w.median_over_target for w in waits] == [True, False, True, False, False]


@pytest.mark.django_db
def test_it_uses_the_configured_targets(nurse: User, settings: SettingsWrapper) -> None:
    settings.ESI_WAIT_TARGET_MINUTES = [0, 5, 30, 60, 120]
    for minutes in (4, 6, 8):
        reviewed_visit(nurse, local(DAY, 8), 2, timedelta(minutes=minutes))

    esi2 = waits_by_esi(DAY)[1]

    assert (esi2.target_minutes, esi2.over_target, esi2.median_minutes) == (5, 2, 6.0)


@pytest.mark.django_db
def test_it_builds_the_agreement_matrix_from_the_reviewed_draft(nurse: User) -> None:
    def case(ai: object, nurse_esi: int, *, suggested: int | None = None) -> Visit:
        visit = make_visit(local(DAY, 9), esi_suggested=suggested)
        draft = make_draft(visit, ai) if ai is not None else None
        review(visit, nurse, nurse_esi, timedelta(minutes=5), draft)
        return visit

    case(3, 3)  # agree
    case(4, 2)  # AI two levels less urgent: under-triage, not within one
    case(3, 2)  # under-triage within one
    case(None, 3, suggested=2)  # triaged by hand: the visit's suggestion, over-triage
    case(None, 3)  # no AI level anywhere: left out of the matrix
    case("high", 1, suggested=1)  # a malformed draft level falls back to the visit's
    # The review was based on an older draft (level 5); a newer one says 1. The review's counts.
    rerun = make_visit(local(DAY, 10))
    old = make_draft(rerun, 5, current=False)
    make_draft(rerun, 1)
    review(rerun, nurse, 5, timedelta(minutes=5), old)
    # Reviewed twice: the latest review (ESI 2, agreeing) counts, not the first (ESI 4).
    twice = make_visit(local(DAY, 11))
    draft = make_draft(twice, 2)
    review(twice, nurse, 4, timedelta(minutes=5), draft)
    review(twice, nurse, 2, timedelta(minutes=50), draft)
    # Other days and unreviewed visits are not compared.
    other = make_visit(local(DAY + timedelta(days=1), 9))
    review(other, nurse, 1, timedelta(minutes=5), make_draft(other, 5))
    make_draft(make_visit(local(DAY, 12), S.READY), 4)

    agreement = esi_agreement(DAY)

    assert agreement.matrix == (
        # nurse: 1  2  3  4  5
        (1, 0, 0, 0, 0),  # AI 1
        (0, 1, 1, 0, 0),  # AI 2
        (0, 1, 1, 0, 0),  # AI 3
        (0, 1, 0, 0, 0),  # AI 4
        (0, 0, 0, 0, 1),  # AI 5
    )
    assert agreement.total == 7
    assert agreement.no_suggestion == 1
    assert (agreement.exact, agreement.within_one) == (4, 6)
    assert agreement.exact_pct == pytest.approx(400 / 7)
    assert agreement.within_one_pct == pytest.approx(600 / 7)
    assert (agreement.under_triage, agreement.over_triage) == (2, 1)
    assert agreement.under_triage_pct == pytest.approx(200 / 7)


@pytest.mark.django_db
def test_it_gives_no_percentages_for_an_empty_day() -> None:
    agreement = esi_agreement(DAY)
    assert (agreement.total, agreement.exact_pct, agreement.within_one_pct) == (0, None, None)
    assert all(w.count == 0 and w.median_minutes is None for w in waits_by_esi(DAY))
    assert sum(n for _, n in visits_per_hour(DAY)) == 0


@pytest.mark.django_db
def test_it_counts_visits_waiting_over_target_now(nurse: User) -> None:
    now = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    ago = lambda minutes: now - timedelta(minutes=minutes)  # noqa: E731
    make_visit(ago(15), S.READY, esi_rule_floor=2, esi_suggested=3)  # ESI 2 by rules: over 10
    make_visit(ago(15), S.READY, esi_suggested=3)  # in time (30)
    make_visit(ago(31), S.SUBMITTED)  # no level yet: ESI 3's 30 minutes, over
    make_visit(ago(119), S.FAILED, esi_suggested=5)  # in time (120)
    make_visit(ago(20 * 60), S.TRANSCRIBING, esi_suggested=5)  # overnight: over
    make_visit(ago(1), S.SUMMARIZING, esi_rule_floor=1)  # ESI 1: target 0, over
    make_visit(ago(5 * 60), S.REVIEWED, esi_final=3)  # a nurse has decided
    make_visit(ago(5 * 60), S.DISCHARGED)
    make_visit(ago(5 * 60), S.CANCELLED)

    assert over_target_now(now) == 4


# --- Charts ------------------------------------------------------------------------------------


def parse_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check its structure
    assert root.tag == "svg"
    for element in root.iter():
        assert element.tag in SVG_ELEMENTS, element.tag
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    return root


def test_it_escapes_text_in_charts() -> None:
    bars = [
        charts.Bar(label=HOSTILE, value=3, name=HOSTILE, value_label=HOSTILE, target=2),
        charts.Bar(label="b", value=1, name="b", over=True),
    ]
    svg = charts.bar_chart(bars, chart_id="hostile", title=HOSTILE, desc=HOSTILE, y_label=HOSTILE)

    assert "<script" not in svg and "<rect style" not in svg
    root = parse_svg(svg)
    assert root.findtext("title") == HOSTILE
    assert root.findtext("desc") == HOSTILE
    assert HOSTILE in [t.text for t in root.iter("text")]
    assert root.get("aria-labelledby") == "hostile-title hostile-desc"
    with pytest.raises(ValueError):
        charts.bar_chart(bars, chart_id='x" onload="y', title="t", desc="d", y_label="y")


def test_it_draws_targets_and_over_target_bars() -> None:
    waits = [
        EsiWait(1, 0, None, None, 0, 0),
        EsiWait(2, 3, 12.0, 20.0, 10, 2),
        EsiWait(3, 4, 20.0, 25.0, 30, 0),
        EsiWait(4, 0, None, None, 60, 0),
        EsiWait(5, 0, None, None, 120, 0),
    ]
    root = parse_svg(charts.waits_chart(waits, title="Waits", desc="d"))

    assert len(root.findall(".//line[@class='target']")) == 5
    over = root.findall(".//rect[@class='bar over']")
    assert len(over) == 1
    assert "12 min over" in [t.text for t in root.iter("text")]
    # Heights are in proportion to the medians.
    bars = root.findall(".//rect")
    heights = [float(b.get("height", "0")) for b in bars if "bar" in (b.get("class") or "")]
    assert heights[2] == pytest.approx(heights[1] * 20 / 12, abs=0.1)  # drawn to 0.1 px


def test_it_draws_a_five_by_five_heatmap_marking_under_triage() -> None:
    matrix = ((2, 0, 0, 0, 0), (0, 4, 0, 0, 0), (0, 1, 3, 0, 0), (0, 0, 0, 0, 0), (0, 0, 0, 0, 1))
    root = parse_svg(charts.agreement_heatmap(Agreement(matrix, 0), title="t", desc="d"))

    cells = root.findall(".//rect[@width='52']")
    assert len(cells) == 25
    assert [c.text for c in root.iter("text") if "cell-value" in (c.get("class") or "")] == [
        str(n) for row in matrix for n in row
    ]
    under = [c for c in cells if "under" in (c.get("class") or "")]
    assert len(under) == 1 and "heat-" in (under[0].get("class") or "")
    assert len([c for c in cells if "agree" in (c.get("class") or "")]) == 5
    assert "heat-5" in (cells[6].get("class") or "")  # the largest cell, AI 2 / nurse 2
    assert "heat-0" in (cells[1].get("class") or "")


# --- The page ----------------------------------------------------------------------------------


def svgs(html: str) -> list[ET.Element]:
    return [parse_svg(s) for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


@pytest.mark.django_db
def test_it_renders_the_dashboard_for_a_nurse(nurse: User, settings: SettingsWrapper) -> None:
    settings.CLINIC_NAME = HOSTILE
    day = clinic_today() - timedelta(days=1)
    visit = make_visit(local(day, 9, 10))
    review(visit, nurse, 2, timedelta(minutes=12), make_draft(visit, 3))

    response = logged_in(nurse).get("/dashboard/", {"day": day.isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    # No style attribute in any tag (the escaped hostile name may say "style=" as text).
    assert re.search(r"<[^>]*\sstyle\s*=", html, flags=re.I) is None
    assert "<script>alert" not in html and "<rect style" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    found = svgs(html)
    assert [s.get("id") for s in found] == ["visits-per-hour", "waits-by-esi", "esi-agreement"]
    # The clinic's name reaches the charts' descriptions as text, never as markup.
    assert all(HOSTILE in (s.findtext("desc") or "") for s in found)
    for table in ("data-hours", "data-waits", "data-agreement"):
        assert f'class="data {table}"' in html
    assert '<span class="num" data-stat="visits">1</span>' in html
    assert '<span class="num" data-stat="under-triage">1</span>' in html
    assert '<span class="num" data-stat="under-triage-share">1 (100%)</span>' in html
    assert '<tr class="over">' in html  # ESI 2: 12 minutes against 10
    event = AuditEvent.objects.get(action="dashboard.view")
    assert (event.actor_id, event.detail) == (nurse.pk, {"day": day.isoformat()})


@pytest.mark.django_db
def test_it_is_for_nurses_and_admins_only(front_desk: User, it_admin: User) -> None:
    assert logged_in(front_desk).get("/dashboard/").status_code == 403
    assert logged_in(it_admin).get("/dashboard/").status_code == 200
    assert Client().get("/dashboard/").status_code == 302  # to the login page
    assert not AuditEvent.objects.filter(action="dashboard.view", actor=front_desk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "message"),
    [
        ("yesterday", "That is not a date"),
        ("2026-02-30", "That is not a date"),
        ("20260101", "That is not a date"),
        ("1999-12-31", "There are no visits before 2000-01-01"),
        ("future", "A day in the future"),
    ],
)
def test_it_shows_today_for_a_bad_or_future_day(nurse: User, asked: str, message: str) -> None:
    today = clinic_today()
    if asked == "future":
        asked = (today + timedelta(days=1)).isoformat()

    response = logged_in(nurse).get("/dashboard/", {"day": asked})

    assert response.status_code == 200
    assert response.context["day"] == today
    assert message in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_number_over_target_now(nurse: User) -> None:
    make_visit(timezone.now() - timedelta(minutes=45), S.READY, esi_suggested=3)

    response = logged_in(nurse).get("/dashboard/")

    assert response.context["over_target_now"] == 1
    assert '<span class="num" data-stat="over-target-now">1</span>' in response.content.decode()
