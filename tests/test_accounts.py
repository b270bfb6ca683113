"""Accounts IT creates in the admin (no email needed): a password an administrator set must be
replaced by its owner before anything else; resets work the same way."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import AccountState, AuditEvent
from intake.roles import Role
from tests.conftest import PASSWORD, logged_in, make_user

pytestmark = pytest.mark.django_db
NEW = "a-Much-better-secret-42"


@pytest.fixture
def it_admin_client() -> Client:
    return logged_in(make_user("it-admin", Role.ADMIN, is_staff=True, is_superuser=True))


def test_it_makes_a_new_account_choose_its_own_password(it_admin_client: Client) -> None:
    response = it_admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "newnurse",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newnurse")
    assert AccountState.must_change(user.pk)
    assert AuditEvent.objects.filter(action="user.created", detail__user_id=user.pk).exists()

    client = logged_in(user)
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert client.get(reverse("queue"))["Location"] == reverse("password_change")
    outbox = client.post(
        reverse("intake_chunk", args=[1, 0, 0]),
        b"x",
        content_type="application/octet-stream",
        headers={"Accept": "application/json"},
    )
    assert outbox.status_code == 403 and outbox.json()["code"] == "password_change_required"
    page = client.get(reverse("password_change")).content.decode()
    assert "An administrator set this password" in page

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200 and AccountState.must_change(user.pk)
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    assert not AccountState.must_change(user.pk)
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=user).exists()
    assert client.get(reverse("home")).status_code == 200  # still logged in, no role yet


def test_it_makes_a_reset_password_temporary(it_admin_client: Client) -> None:
    nurse = make_user("nurse-reset", Role.NURSE)
    assert not AccountState.must_change(nurse.pk)
    response = it_admin_client.post(
        f"/admin/auth/user/{nurse.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AccountState.must_change(nurse.pk)
    assert AuditEvent.objects.filter(
        action="user.password_reset", detail__user_id=nurse.pk
    ).exists()
    client = Client()
    assert client.login(request=HttpRequest(), username="nurse-reset", password=NEW)
    assert client.get(reverse("queue"))["Location"] == reverse("password_change")


def test_it_leaves_accounts_with_their_own_password_alone() -> None:
    nurse = make_user("nurse-own", Role.NURSE)
    assert logged_in(nurse).get(reverse("queue")).status_code == 200


def test_it_checks_the_password_state_once_per_session(it_admin_client: Client) -> None:
    nurse = make_user("nurse-cached", Role.NURSE)
    client = logged_in(nurse)
    assert client.get(reverse("queue")).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("queue")).status_code == 200
    assert not any("intake_accountstate" in q["sql"] for q in ctx.captured_queries)
    # A reset by an administrator sets a password, which ends the nurse's session: the
    # remembered "fine" goes with it and the next login must choose a new password.
    reset = it_admin_client.post(
        f"/admin/auth/user/{nurse.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert reset.status_code == 302
    assert client.get(reverse("queue"))["Location"].startswith(reverse("login"))
    assert client.login(request=HttpRequest(), username="nurse-cached", password=NEW)
    assert client.get(reverse("queue"))["Location"] == reverse("password_change")
