"""The admin's pipeline panel above the worker heartbeats: real queue depth read from the test
broker (db 10) after real task messages were published to it, visits per pipeline state, and
only for staff allowed to see the heartbeats."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from intake.health import check_redis
from intake.models import Patient, Visit
from intake.pipeline.enqueue import enqueue_extraction, enqueue_transcription
from intake.roles import Role
from tests.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Admin Panel-Patient"


def changelist() -> str:
    return reverse("admin:intake_workerheartbeat_changelist")


def visits_in(*statuses: str) -> Visit:
    patient = Patient.objects.create(name=PATIENT_NAME, date_of_birth="1961-02-03")
    visits = [Visit.objects.create(patient=patient, status=s) for s in statuses]
    return visits[0]


def test_it_shows_real_queue_depth_and_visits_per_state() -> None:
    visit = visits_in("transcribing", "summarizing", "summarizing", "failed", "reviewed")
    # Real task messages into the test broker's queues (no worker consumes them here).
    enqueue_transcription(visit.pk)
    enqueue_transcription(visit.pk)
    enqueue_extraction(visit.pk)
    assert check_redis().detail["queued"] == {"asr": 2, "llm": 1, "default": 0}
    admin = make_user("it-super", Role.ADMIN, is_staff=True, is_superuser=True)

    response = logged_in(admin).get(changelist())

    assert response.status_code == 200
    pipeline = response.context["pipeline"]
    assert pipeline.queued == {"asr": 2, "llm": 1, "default": 0}
    assert pipeline.broker_error == ""
    html = response.content.decode()
    for queue, depth in (("asr", 2), ("llm", 1), ("default", 0)):
        assert f'data-queue-depth="{queue}">{depth}<' in html
    expected = {"submitted": 0, "transcribing": 1, "summarizing": 2, "ready": 0, "failed": 1}
    for status, count in expected.items():
        assert f'data-visit-count="{status}">{count}<' in html
    assert 'data-visit-count="reviewed"' not in html  # past the pipeline: not counted
    assert PATIENT_NAME not in html and "1961" not in html


def test_it_refuses_users_who_are_not_staff(nurse: User) -> None:
    response = logged_in(nurse).get(changelist())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_staff_without_permission_to_see_workers(it_admin: User) -> None:
    # Staff, but not a superuser and not granted intake.view_workerheartbeat.
    response = logged_in(it_admin).get(changelist())
    assert response.status_code == 403
    assert b"pipeline-status" not in response.content
