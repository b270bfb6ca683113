from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from intake.models import Visit
from intake.roles import Role, role_required, user_roles
from intake.states import OPEN


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own starting page."""
    roles = user_roles(request.user)
    if Role.NURSE in roles:
        return redirect("queue")
    if Role.FRONT_DESK in roles:
        return redirect("front_desk")
    return render(request, "home.html", {"roles": roles})


@role_required(Role.FRONT_DESK)
def front_desk(request: HttpRequest) -> HttpResponse:
    return render(request, "front_desk/start.html")


@role_required(Role.NURSE)
def queue(request: HttpRequest) -> HttpResponse:
    visits = (
        Visit.objects.filter(status__in=[s.value for s in OPEN])
        .select_related("patient")
        .order_by("-urgent", "arrived_at")[:200]
    )
    return render(request, "queue/queue.html", {"visits": visits})
