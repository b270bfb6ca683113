"""The queue WebSocket: authenticated nurses only; events carry no patient data."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, User

from intake.asgi import application
from intake.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, QueueConsumer
from intake.lifecycle import transition
from intake.models import Patient, Visit
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(user: User | AnonymousUser) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(QueueConsumer.as_asgi(), "/ws/queue/")
    comm.scope["user"] = user
    return comm


async def test_it_refuses_anonymous() -> None:
    comm = communicator(AnonymousUser())
    connected, code = await comm.connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED


async def test_it_refuses_front_desk() -> None:
    desk = await database_sync_to_async(make_user)("desk-ws", Role.FRONT_DESK)
    connected, code = await communicator(desk).connect()
    assert not connected
    assert code == CLOSE_FORBIDDEN


async def test_it_relays_visit_events_to_nurses_without_patient_data() -> None:
    nurse = await database_sync_to_async(make_user)("nurse-ws", Role.NURSE)
    comm = communicator(nurse)
    connected, _ = await comm.connect()
    assert connected

    def submit() -> Visit:
        patient = Patient.objects.create(name="Zed Unique-Name", date_of_birth="1970-01-01")
        visit = Visit.objects.create(patient=patient)
        return transition(visit.pk, VisitStatus.SUBMITTED)

    visit = await database_sync_to_async(submit)()
    message = await comm.receive_json_from(timeout=5)
    assert message == {
        "type": "visit.changed",
        "visit_id": visit.pk,
        "status": "submitted",
        "stage": "",
        "progress": 0.0,
        "version": 2,
    }
    assert "Zed" not in str(message) and "1970" not in str(message)
    await comm.disconnect()


async def test_it_checks_origin_through_the_real_asgi_stack() -> None:
    # The project's ASGI app wraps the consumer in the allowed-hosts origin check and the
    # session auth middleware: a socket without a session is refused.
    comm = WebsocketCommunicator(
        application, "/ws/queue/", headers=[(b"origin", b"http://localhost")]
    )
    connected, code = await comm.connect()
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED


def visit_communicator(user: User | AnonymousUser, visit_id: int) -> WebsocketCommunicator:
    from channels.routing import URLRouter

    from intake.routing import websocket_urlpatterns

    comm = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/visits/{visit_id}/")
    comm.scope["user"] = user
    return comm


async def test_it_sends_a_visits_page_only_that_visits_events() -> None:
    nurse = await database_sync_to_async(make_user)("nurse-visit-ws", Role.NURSE)

    def two_visits() -> tuple[Visit, Visit]:
        patient = Patient.objects.create(name="P Q", date_of_birth="1970-01-01")
        return Visit.objects.create(patient=patient), Visit.objects.create(patient=patient)

    mine, other = await database_sync_to_async(two_visits)()
    comm = visit_communicator(nurse, mine.pk)
    connected, _ = await comm.connect()
    assert connected
    await database_sync_to_async(transition)(other.pk, VisitStatus.SUBMITTED)
    await database_sync_to_async(transition)(mine.pk, VisitStatus.SUBMITTED)
    message = await comm.receive_json_from(timeout=5)
    assert message["visit_id"] == mine.pk and message["status"] == "submitted"
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()


async def test_it_refuses_a_visits_events_to_front_desk_and_anonymous() -> None:
    desk = await database_sync_to_async(make_user)("desk-visit-ws", Role.FRONT_DESK)
    for user in (desk, AnonymousUser()):
        connected, code = await visit_communicator(user, 1).connect()
        assert not connected
        assert code in (CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED)
