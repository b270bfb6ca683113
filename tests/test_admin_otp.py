"""A second factor for the admin site (django-otp), and the command that enrols an admin."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings as SettingsWrapper

from intake.models import AuditEvent
from intake.roles import Role
from tests.conftest import PASSWORD, logged_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_account() -> User:
    return make_user("it-otp", Role.ADMIN, is_staff=True, is_superuser=True)


def enrol(user: User) -> tuple[str, list[str]]:
    out = io.StringIO()
    call_command("enroll_totp", user.username, stdout=out)
    text = out.getvalue()
    url = next(line for line in text.splitlines() if line.startswith("otpauth://totp/"))
    codes = text.rsplit("locked away):", 1)[1].split()
    return url, codes


def test_it_enrols_an_admin_with_an_app_secret_and_backup_codes(admin_account: User) -> None:
    url, codes = enrol(admin_account)
    assert "secret=" in url and "it-otp" in url
    assert len(codes) == 6 and len(set(codes)) == 6
    assert TOTPDevice.objects.filter(user=admin_account, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="user.second_factor_enrolled").exists()
    enrol(admin_account)  # re-enrolling replaces the old device
    assert TOTPDevice.objects.filter(user=admin_account).count() == 1


def test_it_enrols_only_staff() -> None:
    make_user("nurse-otp", Role.NURSE)
    with pytest.raises(CommandError, match="not staff"):
        call_command("enroll_totp", "nurse-otp", stdout=io.StringIO())


def test_it_requires_a_code_for_the_admin_when_asked(
    admin_account: User, settings: SettingsWrapper
) -> None:
    enrol(admin_account)
    settings.ADMIN_REQUIRE_OTP = True
    # A password alone (the app's own login) does not open the admin.
    password_only = logged_in(admin_account)
    response = password_only.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client = Client()
    form = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' in form
    wrong = client.post(
        "/admin/login/",
        {"username": "it-otp", "password": PASSWORD, "otp_token": "000000", "next": "/admin/"},
    )
    assert wrong.status_code == 200 and client.get("/admin/").status_code == 302
    # The form lists the account's devices once the password is right; one is picked.
    device = TOTPDevice.objects.get(user=admin_account)
    assert device.persistent_id in wrong.content.decode()
    code = f"{totp(device.bin_key):06d}"
    right = client.post(
        "/admin/login/",
        {
            "username": "it-otp",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code,
            "next": "/admin/",
        },
    )
    assert right.status_code == 302, right.context["form"].errors if right.context else right
    assert client.get("/admin/").status_code == 200


def test_it_accepts_a_backup_code_once(admin_account: User, settings: SettingsWrapper) -> None:
    _, codes = enrol(admin_account)
    backup = StaticDevice.objects.get(user=admin_account)
    settings.ADMIN_REQUIRE_OTP = True
    for expected in (200, 302):  # the second use of the same code fails
        client = Client()
        client.post(
            "/admin/login/",
            {
                "username": "it-otp",
                "password": PASSWORD,
                "otp_device": backup.persistent_id,
                "otp_token": codes[0],
                "next": "/admin/",
            },
        )
        assert client.get("/admin/").status_code == expected


def test_it_keeps_the_admin_password_only_when_not_asked(admin_account: User) -> None:
    assert logged_in(admin_account).get("/admin/").status_code == 200
