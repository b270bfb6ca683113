"""Logins that end: idle logoff that a live queue screen cannot keep alive, an absolute session
age, and the Permissions-Policy header (intake.middleware)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from intake.middleware import BACKGROUND_HEADER, LOGIN_AT, SlidingSessionMiddleware
from tests.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db


def touched(client: Client) -> int:
    return int(client.session.get("_touched", 0))


def age_session(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_it_does_not_count_live_refreshes_as_activity(nurse: User) -> None:
    client = logged_in(nurse)
    queue = reverse("queue")
    client.get(queue)
    age_session(client, "_touched", SlidingSessionMiddleware.TOUCH_SECONDS + 5)
    before = touched(client)
    # What the queue's htmx container sends when a WebSocket event asks it to refresh.
    response = client.get(queue, headers={"HX-Request": "true", BACKGROUND_HEADER: "1"})
    assert response.status_code == 200
    assert touched(client) == before  # the idle clock kept running
    client.get(queue)  # a nurse clicking: activity
    assert touched(client) > before


def test_it_marks_the_queue_refresh_as_background(nurse: User) -> None:
    page = logged_in(nurse).get(reverse("queue")).content.decode()
    assert 'hx-trigger="queue-changed from:body"' in page
    assert f'hx-headers=\'{{"{BACKGROUND_HEADER}": "1"}}\'' in page


def test_it_ends_a_login_after_the_absolute_age(nurse: User, settings) -> None:
    settings.SESSION_ABSOLUTE_HOURS = 12
    client = logged_in(nurse)
    assert client.get(reverse("queue")).status_code == 200
    age_session(client, LOGIN_AT, 11 * 3600)
    assert client.get(reverse("queue")).status_code == 200  # still within the shift
    age_session(client, LOGIN_AT, 12 * 3600 + 60)
    page = client.get(reverse("queue"))
    assert page.status_code == 302 and reverse("login") in page["Location"]
    # The tablet's outbox gets 401 JSON, so it keeps its pending uploads for the next login.
    api = client.get(reverse("queue"), headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_it_lets_only_this_site_use_the_microphone_and_camera(client: Client) -> None:
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "microphone=(self)" in policy and "camera=(self)" in policy
    assert "geolocation=()" in policy


def try_login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_locks_an_account_after_repeated_wrong_passwords(nurse: User, settings) -> None:
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, nurse.username, "guess").status_code == 200  # the form again
    locked = try_login(client, nurse.username, "guess")
    assert locked.status_code == 429 and b"Too many failed logins" in locked.content
    # Now even the right password is refused, and from another address too (per account).
    assert try_login(client, nurse.username, PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.8")
    assert try_login(elsewhere, nurse.username, PASSWORD).status_code == 429
    # An administrator unlocks the account (admin "Access attempts", or the command).
    call_command("axes_reset_username", nurse.username)
    call_command("axes_reset_ip", "10.0.0.7")
    assert try_login(elsewhere, nurse.username, PASSWORD).status_code == 302


def test_it_locks_an_address_that_guesses_many_accounts(nurse: User, settings) -> None:
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        try_login(guesser, f"user{n}", "guess")
    assert try_login(guesser, nurse.username, PASSWORD).status_code == 429
    # The nurse at her own tablet is not affected.
    assert try_login(Client(REMOTE_ADDR="10.0.0.10"), nurse.username, PASSWORD).status_code == 302


def test_it_locks_the_admin_login_too(it_admin: User, settings) -> None:
    client = Client(REMOTE_ADDR="10.0.0.11")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": it_admin.username, "password": "guess"})
    response = client.post("/admin/login/", {"username": it_admin.username, "password": PASSWORD})
    assert response.status_code == 429
