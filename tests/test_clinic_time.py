from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pytest_django.fixtures import Settings

from intake.clinic_time import clinic_today, day_bounds


def test_it_uses_the_clinic_day_not_utc(settings: Settings) -> None:
    settings.TIME_ZONE = "America/Chicago"
    # 03:00 UTC on the 2nd is still the evening of the 1st in Chicago.
    assert clinic_today(datetime(2026, 3, 2, 3, 0, tzinfo=UTC)) == date(2026, 3, 1)
    settings.TIME_ZONE = "Asia/Tokyo"
    assert clinic_today(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == date(2026, 3, 2)


def test_it_gives_a_23_hour_day_when_clocks_spring_forward(settings: Settings) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    start, end = day_bounds(date(2026, 3, 29))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    assert start.astimezone(UTC) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
