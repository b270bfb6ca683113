"""HTTP -> HTTPS for `make run`, where daphne itself serves both ports.

Django's SECURE_SSL_REDIRECT keeps the request's port, which is the plain port here; tablets
must land on the TLS port instead. Behind the compose proxy nginx does the redirect and
HTTPS_PORT stays 0, which turns this middleware off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as DjangoLoginRequiredMiddleware,
)
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from intake import quick_login
from intake.models import AccountState


class DevHttpsRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        port: int = settings.HTTPS_PORT
        if port and not request.is_secure() and request.path not in settings.HTTP_REDIRECT_EXEMPT:
            host = (
                request.get_host().rsplit(":", 1)[0]
                if "]" not in request.get_host()
                else (request.get_host().rsplit("]", 1)[0] + "]")
            )
            return HttpResponsePermanentRedirect(f"https://{host}:{port}{request.get_full_path()}")
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's login requirement, except that calls from scripts (Accept: application/json,
    the tablet's outbox) get 401 JSON instead of a redirect to the login page: the outbox then
    keeps its recordings and photos until someone logs in again on that tablet."""

    def handle_no_permission(  # type: ignore[override]  # a 401 instead of the redirect
        self, request: HttpRequest, view_func: Any
    ) -> HttpResponse:
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"ok": False, "code": "logged_out", "message": "Log in again to send this."},
                status=401,
            )
        return super().handle_no_permission(request, view_func)


class NoStoreMiddleware:
    """Pages for a logged-in user carry patient data: no browser disk cache, no back/forward
    cache that would show the last patient on a shared tablet after "next patient"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


# Sent by refreshes the page makes on its own (a live-update event, not a person): they must not
# count as activity, or an open queue screen would never log off.
BACKGROUND_HEADER = "X-Intake-Background"
LOGIN_AT = "_login_at"


class PasswordChangeRequiredMiddleware:
    """An account whose password an administrator set (new account, reset) reaches nothing but
    the password change page until its owner picks a new one. Scripts (the tablet's outbox)
    get 403 JSON and keep their pending uploads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path not in _password_change_exempt()
            and not request.path.startswith(settings.STATIC_URL)
            and self._must_change(request, user.pk)
        ):
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse(
                    {
                        "ok": False,
                        "code": "password_change_required",
                        "message": "Choose your own password first (open the app's home page).",
                    },
                    status=403,
                )
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _must_change(request: HttpRequest, user_id: int) -> bool:
        """Asked of the database once per session: an administrator can only require a new
        password by setting one, and setting a password ends the account's other sessions
        (Django's session auth hash), so a session once found fine stays fine."""
        if request.session.get(_CHECKED_KEY):
            return False
        if AccountState.must_change(user_id):
            return True
        request.session[_CHECKED_KEY] = True
        return False


_CHECKED_KEY = "account_state_checked"


def _password_change_exempt() -> set[str]:
    return {reverse("password_change"), reverse("logout"), reverse("login"), "/healthz"}


class SessionAgeMiddleware:
    """Ends a login SESSION_ABSOLUTE_HOURS after it began, however active it is. The next
    request is then anonymous: pages go to the login form, the tablet's outbox gets 401 JSON
    and keeps its pending uploads until someone logs in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            began = int(request.session.setdefault(LOGIN_AT, now))
            if now - began > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Only this site's own pages may use the microphone and camera (the tablet's recorder and
    photos); no page may use anything else a browser offers."""

    POLICY = (
        "microphone=(self), camera=(self), geolocation=(), payment=(), usb=(), serial=(), "
        "bluetooth=(), display-capture=(), interest-cohort=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response


class SlidingSessionMiddleware:
    """Idle logoff without a session write per request: the expiry moves forward at most once
    a minute (SESSION_SAVE_EVERY_REQUEST would write the session row on every queue refresh).
    The idle limit is thus SESSION_IDLE_MINUTES, give or take a minute. Background refreshes
    (BACKGROUND_HEADER) never move it."""

    TOUCH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        background = request.headers.get(BACKGROUND_HEADER) == "1"
        if session is not None and request.user.is_authenticated and not background:
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= self.TOUCH_SECONDS:
                session["_touched"] = now  # marks it modified: saved with a new expiry
                if quick_login.COOKIE in request.COOKIES:
                    # The PIN's window counts from the last activity on this device too.
                    quick_login.remember(response, request.user.pk)
        return response
