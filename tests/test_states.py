from __future__ import annotations

import asyncio

import pytest

# database_sync_to_async closes the thread's connection afterwards; plain sync_to_async would
# leave it open and block dropping the test database.
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from intake.events import QUEUE_GROUP, visit_group
from intake.lifecycle import StaleVersion, transition
from intake.models import AuditEvent, Patient, Transcript, Visit
from intake.states import (
    FINAL,
    TRANSITIONS,
    IllegalTransition,
    VisitStatus,
    sources_of,
)

S = VisitStatus


def make_visit(status: VisitStatus = S.DRAFT) -> Visit:
    patient = Patient.objects.create(name="Ada Example", date_of_birth="1980-02-03")
    return Visit.objects.create(patient=patient, status=status.value)


def test_it_lists_every_state_in_the_table() -> None:
    assert set(TRANSITIONS) == set(VisitStatus)


def test_it_has_no_exit_from_final_states() -> None:
    for status in FINAL:
        assert TRANSITIONS[status] == frozenset()


def test_it_can_always_cancel_before_review() -> None:
    for status in (S.DRAFT, S.SUBMITTED, S.TRANSCRIBING, S.SUMMARIZING, S.READY, S.FAILED):
        assert status in sources_of(S.CANCELLED)
        assert status in sources_of(S.LEFT_WITHOUT_BEING_SEEN)


@pytest.mark.django_db
def test_it_moves_a_visit_and_bumps_its_version(nurse: User) -> None:
    visit = make_visit()
    moved = transition(visit.pk, S.SUBMITTED, actor=nurse)
    assert moved.status == "submitted"
    assert moved.version == visit.version + 1
    assert moved.status_changed_by == nurse
    event = AuditEvent.objects.get(action="visit.transition", visit=visit)
    assert event.actor == nurse
    assert event.detail == {"to": "submitted", "version": moved.version}


@pytest.mark.django_db
def test_it_refuses_an_illegal_move_and_changes_nothing() -> None:
    visit = make_visit()
    with pytest.raises(IllegalTransition):
        transition(visit.pk, S.REVIEWED)
    visit.refresh_from_db()
    assert visit.status == "draft"
    assert visit.version == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_detects_a_stale_version() -> None:
    visit = make_visit(S.READY)
    transition(visit.pk, S.SUMMARIZING, expected_version=1)  # someone else re-ran it
    with pytest.raises(StaleVersion, match="changed by someone else"):
        transition(visit.pk, S.CANCELLED, expected_version=1)
    visit.refresh_from_db()
    assert visit.status == "summarizing"


@pytest.mark.django_db(transaction=True)
async def test_it_publishes_an_event_after_commit() -> None:

    layer = get_channel_layer()
    channel = await layer.new_channel()
    visit = await database_sync_to_async(make_visit)()
    await layer.group_add(QUEUE_GROUP, channel)
    await layer.group_add(visit_group(visit.pk), channel)

    await database_sync_to_async(transition)(visit.pk, S.SUBMITTED)
    first = await layer.receive(channel)
    second = await layer.receive(channel)
    expected = {
        "type": "visit.changed",
        "visit_id": visit.pk,
        "status": "submitted",
        "stage": "",
        "progress": 0.0,
        "version": 2,
    }
    assert first == expected
    assert second == expected


@pytest.mark.django_db(transaction=True)
async def test_it_publishes_nothing_when_rolled_back() -> None:

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(QUEUE_GROUP, channel)
    visit = await database_sync_to_async(make_visit)()

    def move_then_fail() -> None:
        with transaction.atomic():
            transition(visit.pk, S.SUBMITTED)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(move_then_fail)()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), timeout=0.5)


@pytest.mark.django_db
def test_it_keeps_one_current_transcript_per_visit() -> None:
    visit = make_visit(S.TRANSCRIBING)
    common = {
        "visit": visit,
        "text": "x",
        "model_id": "m",
        "language": "en",
        "audio_seconds": 1.0,
        "wall_seconds": 1.0,
    }
    Transcript.objects.create(**common)
    Transcript.objects.create(**common, is_current=False)  # history is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Transcript.objects.create(**common)


@pytest.mark.django_db
def test_it_rejects_an_out_of_range_esi_in_the_database() -> None:
    visit = make_visit()
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(esi_final=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(status="teleported")
