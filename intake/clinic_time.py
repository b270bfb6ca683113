"""The clinic's local day. Timestamps are stored in UTC; "today" in the queue and the
dashboards means the clinic's calendar day in CLINIC_TIME_ZONE (TIME_ZONE), whatever the
server's or the browser's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def clinic_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(clinic_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the clinic's calendar `day` as aware datetimes. Built from local
    midnights, so a daylight-saving day is 23 or 25 hours long, as it is on the clinic's wall."""
    zone = clinic_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
