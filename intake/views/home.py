from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from intake.roles import Role, user_roles


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own starting page."""
    roles = user_roles(request.user)
    if Role.NURSE in roles:
        return redirect("queue")
    if Role.FRONT_DESK in roles:
        return redirect("front_desk")
    return render(request, "home.html", {"roles": roles})
