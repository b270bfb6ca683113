"""Quick re-login on a shared tablet: a PIN after an idle logoff, the password after a longer
gap, an explicit logout or too many wrong PINs."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from intake import quick_login
from intake.models import AuditEvent
from intake.roles import Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
PIN = "4711"


@pytest.fixture
def nurse_on_tablet() -> tuple[User, Client]:
    """A nurse who set a PIN and logged in on this device with the password."""
    nurse = make_user("nurse-pin", Role.NURSE)
    quick_login.set_pin(nurse, PIN)
    client = Client()
    response = client.post(reverse("login"), {"username": "nurse-pin", "password": PASSWORD})
    assert response.status_code == 302
    assert quick_login.COOKIE in response.cookies
    return nurse, client


def idle_logoff(client: Client) -> None:
    """What the idle timeout does: the session ends; the device keeps its cookies."""
    client.session.flush()
    client.cookies.pop("sessionid", None)
    assert client.get(reverse("queue")).status_code == 302


def test_it_continues_with_the_pin_after_an_idle_logoff(
    nurse_on_tablet: tuple[User, Client],
) -> None:
    nurse, client = nurse_on_tablet
    idle_logoff(client)
    page = client.get(reverse("login")).content.decode()
    assert "Continue as nurse-pin" in page and 'action="/login/pin/"' in page
    response = client.post(reverse("login_pin"), {"pin": PIN})
    assert response.status_code == 302
    assert client.get(reverse("queue")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.pin_login", actor=nurse).exists()


def test_it_wants_the_password_after_too_many_wrong_pins(
    nurse_on_tablet: tuple[User, Client], settings: SettingsWrapper
) -> None:
    _, client = nurse_on_tablet
    idle_logoff(client)
    for _attempt in range(settings.PIN_MAX_FAILURES):
        response = client.post(reverse("login_pin"), {"pin": "0000"})
        assert response.status_code == 400
    assert "Too many wrong PINs" in response.content.decode()
    assert "Continue as" not in client.get(reverse("login")).content.decode()
    assert client.post(reverse("login_pin"), {"pin": PIN})["Location"] == reverse("login")
    assert client.get(reverse("queue")).status_code == 302  # still logged out
    failures = AuditEvent.objects.filter(action="auth.login_failed", detail__method="pin")
    assert failures.count() == settings.PIN_MAX_FAILURES
    # The password works and clears the count.
    client.post(reverse("login"), {"username": "nurse-pin", "password": PASSWORD})
    idle_logoff(client)
    assert "Continue as nurse-pin" in client.get(reverse("login")).content.decode()


def test_it_forgets_the_device_on_an_explicit_logout(
    nurse_on_tablet: tuple[User, Client],
) -> None:
    _, client = nurse_on_tablet
    client.post(reverse("logout"))
    assert "Continue as" not in client.get(reverse("login")).content.decode()
    assert client.post(reverse("login_pin"), {"pin": PIN})["Location"] == reverse("login")


def test_it_wants_the_password_after_a_longer_gap(
    nurse_on_tablet: tuple[User, Client], settings: SettingsWrapper
) -> None:
    _, client = nurse_on_tablet
    idle_logoff(client)
    later = signing.time.time() + settings.PIN_RELOGIN_MINUTES * 60 + 5  # type: ignore[attr-defined]
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert "Continue as" not in client.get(reverse("login")).content.decode()


def test_it_offers_no_pin_to_an_account_without_one() -> None:
    make_user("desk-nopin", Role.FRONT_DESK)
    client = Client()
    client.post(reverse("login"), {"username": "desk-nopin", "password": PASSWORD})
    idle_logoff(client)
    assert "Continue as" not in client.get(reverse("login")).content.decode()


def test_it_refuses_a_forged_device_cookie() -> None:
    other = make_user("other-pin", Role.NURSE)
    quick_login.set_pin(other, PIN)
    stranger = Client()
    stranger.cookies[quick_login.COOKIE] = signing.dumps({"u": other.pk}, salt="wrong salt")
    assert "Continue as" not in stranger.get(reverse("login")).content.decode()
    assert stranger.post(reverse("login_pin"), {"pin": PIN})["Location"] == reverse("login")


def test_it_sets_a_pin_only_with_the_current_password(
    nurse_on_tablet: tuple[User, Client],
) -> None:
    _, client = nurse_on_tablet
    wrong = client.post(
        reverse("account_pin"), {"password": "nope", "pin": "2468", "pin_again": "2468"}
    )
    assert "not your current password" in wrong.content.decode()
    short = client.post(
        reverse("account_pin"), {"password": PASSWORD, "pin": "12", "pin_again": "12"}
    )
    assert "4 to 8 digits" in short.content.decode()
    ok = client.post(
        reverse("account_pin"), {"password": PASSWORD, "pin": "2468", "pin_again": "2468"}
    )
    assert 'id="pin-saved"' in ok.content.decode()
    idle_logoff(client)
    assert client.post(reverse("login_pin"), {"pin": "2468"}).status_code == 302
