"""The clinic-day dashboard for nurses and admins: aggregates only, no patient shown."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake import audit, charts
from intake.clinic_time import clinic_today
from intake.dashboard import LEVELS, esi_agreement, over_target_now, visits_per_hour, waits_by_esi
from intake.roles import Role, role_required

# Strictly YYYY-MM-DD: date.fromisoformat alone also takes "20260301" and week dates.
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Nothing is older than the software; also keeps day_bounds clear of datetime's year-1 edge.
EARLIEST_DAY = date(2000, 1, 1)


def chosen_day(request: HttpRequest, today: date) -> date:
    """The day asked for in ?day=, or today with a message saying why not."""
    raw = request.GET.get("day", "").strip()
    if not raw:
        return today
    try:
        if not _DAY.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        messages.error(request, "That is not a date (use YYYY-MM-DD); showing today.")
        return today
    if day > today:
        messages.error(request, "A day in the future has no visits yet; showing today.")
        return today
    if day < EARLIEST_DAY:
        messages.error(
            request, f"There are no visits before {EARLIEST_DAY:%Y-%m-%d}; showing today."
        )
        return today
    return day


@role_required(Role.NURSE, Role.ADMIN)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = clinic_today()
    day = chosen_day(request, today)
    audit.record("dashboard.view", request=request, detail={"day": day.isoformat()})

    hours = visits_per_hour(day)
    waits = waits_by_esi(day)
    agreement = esi_agreement(day)
    total = sum(count for _, count in hours)
    reviewed = sum(w.count for w in waits)
    when = f"{day:%A %d %B %Y} at {settings.CLINIC_NAME}"
    targets = ", ".join(f"ESI {w.level} {w.target_minutes} min" for w in waits)
    context = {
        "day": day,
        "today": today,
        "is_today": day == today,
        "previous_day": day - timedelta(days=1) if day > EARLIEST_DAY else None,
        "next_day": day + timedelta(days=1) if day < today else None,
        "hours": hours,
        "total_visits": total,
        "waits": waits,
        "reviewed": reviewed,
        "agreement": agreement,
        "agreement_rows": [(ai, agreement.matrix[ai - 1]) for ai in LEVELS],
        "levels": LEVELS,
        "over_target_now": over_target_now(),
        "now": timezone.now(),
        "visits_svg": charts.visits_chart(
            hours,
            title="Visits per hour",
            desc=f"Arrivals per hour on the clinic's clock on {when}: {total} in all.",
        ),
        "waits_svg": charts.waits_chart(
            waits,
            title="Median wait to first nurse review, per ESI level",
            desc=(
                f"Reviewed visits that arrived on {when}: {reviewed}. Bars are median minutes "
                f"from arrival to the first nurse review; ticks are the targets ({targets})."
            ),
        ),
        "agreement_svg": charts.agreement_heatmap(
            agreement,
            title="AI-suggested ESI against the nurse's final ESI",
            desc=(
                f"Reviewed visits that arrived on {when} with an AI suggestion: "
                f"{agreement.total}; the AI agreed on {agreement.exact} and suggested a less "
                f"urgent level than the nurse on {agreement.under_triage}."
            ),
        ),
    }
    return render(request, "dashboard/dashboard.html", context)
