"""Quick re-login on shared tablets: a short PIN after an idle logoff, the full password after
a longer gap.

A full-password login leaves a signed, HttpOnly cookie on that device naming the user; while
the person keeps using the device the cookie is refreshed (at most once a minute, with the
session's own idle clock). After an idle logoff, the login page offers "Continue as NAME" with
the PIN for PIN_RELOGIN_MINUTES since the last activity. An explicit "Log out", a wrong PIN
PIN_MAX_FAILURES times, or the gap running out puts the full password back. The PIN never
works on another device, nor for an account that has none."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.core import signing
from django.http import HttpRequest, HttpResponse

from intake.models import AccountState

COOKIE = "intake_resume"
_SALT = "intake.quick_login"


def enabled() -> bool:
    return settings.PIN_RELOGIN_MINUTES > 0


def remember(response: HttpResponse, user_id: int) -> None:
    if not enabled():
        return
    response.set_cookie(
        COOKIE,
        signing.dumps({"u": user_id}, salt=_SALT),
        max_age=settings.PIN_RELOGIN_MINUTES * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Strict")


def resumable_user(request: HttpRequest) -> User | None:
    """The user this device may continue as with a PIN, or None."""
    value = request.COOKIES.get(COOKIE)
    if not enabled() or not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=settings.PIN_RELOGIN_MINUTES * 60)
    except signing.BadSignature:  # forged, or older than the allowed gap
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        return None
    state = AccountState.objects.filter(user=user).first()
    if state is None or not state.pin_hash or state.pin_failures >= settings.PIN_MAX_FAILURES:
        return None
    return user


def set_pin(user: User, pin: str) -> None:
    AccountState.objects.update_or_create(
        user=user, defaults={"pin_hash": make_password(pin), "pin_failures": 0}
    )


def check_pin(user: User, pin: str) -> bool:
    """True for the right PIN (failures reset); a wrong one counts towards the limit."""
    state = AccountState.objects.get(user=user)
    if check_password(pin, state.pin_hash):
        AccountState.objects.filter(pk=state.pk).update(pin_failures=0)
        return True
    AccountState.objects.filter(pk=state.pk).update(pin_failures=state.pin_failures + 1)
    return False


def password_login(user_id: int) -> None:
    """A full-password login clears earlier wrong PINs."""
    AccountState.objects.filter(user_id=user_id).update(pin_failures=0)
