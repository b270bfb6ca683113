"""The queue WebSocket: authenticated nurses only; events carry no patient data."""

from __future__ import annotations

from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import Client

from intake.asgi import application
from intake.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, QueueConsumer
from intake.lifecycle import transition
from intake.models import AuditEvent, Patient, Visit
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import logged_in, make_user

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


def nurse_session(username: str) -> tuple[User, Client, WebsocketCommunicator]:
    """A nurse logged in through the real login, and a queue socket on that session."""
    nurse = make_user(username, Role.NURSE)
    client = logged_in(nurse)
    comm = communicator(nurse)
    comm.scope["session"] = import_module(settings.SESSION_ENGINE).SessionStore(
        client.session.session_key
    )
    return nurse, client, comm


async def closed_with(comm: WebsocketCommunicator) -> int:
    message = await comm.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    return int(message["code"])


async def test_it_closes_a_sessions_sockets_on_logout() -> None:
    _, client, comm = await database_sync_to_async(nurse_session)("nurse-logout-ws")
    _, _, other = await database_sync_to_async(nurse_session)("nurse-stays-ws")
    assert (await comm.connect())[0] and (await other.connect())[0]
    await database_sync_to_async(client.post)("/logout/")
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED
    assert await other.receive_nothing(timeout=0.3)  # another nurse's socket stays open
    await other.disconnect()


async def test_it_closes_sockets_when_the_nurse_role_is_taken_away() -> None:
    nurse, _, comm = await database_sync_to_async(nurse_session)("nurse-demoted-ws")
    assert (await comm.connect())[0]

    def demote() -> None:
        nurse.groups.remove(Group.objects.get(name=Role.NURSE.value))

    await database_sync_to_async(demote)()
    assert await closed_with(comm) == CLOSE_FORBIDDEN


async def test_it_keeps_sockets_open_when_a_role_is_added() -> None:
    nurse, _, comm = await database_sync_to_async(nurse_session)("nurse-promoted-ws")
    assert (await comm.connect())[0]

    def promote() -> None:
        group, _ = Group.objects.get_or_create(name=Role.FRONT_DESK.value)
        nurse.groups.add(group)

    await database_sync_to_async(promote)()
    assert await comm.receive_nothing(timeout=0.5)
    await comm.disconnect()


async def test_it_closes_sockets_of_a_deactivated_account() -> None:
    nurse, _, comm = await database_sync_to_async(nurse_session)("nurse-gone-ws")
    assert (await comm.connect())[0]

    def deactivate() -> None:
        nurse.is_active = False
        nurse.save()

    await database_sync_to_async(deactivate)()
    assert await closed_with(comm) == CLOSE_UNAUTHENTICATED


async def test_it_audits_role_changes_with_who_made_them() -> None:
    nurse = await database_sync_to_async(make_user)("nurse-roles-audit", Role.NURSE)

    def demote() -> AuditEvent | None:
        nurse.groups.clear()
        return AuditEvent.objects.filter(action="user.roles_changed").order_by("-seq").first()

    event = await database_sync_to_async(demote)()
    assert event is not None
    assert event.detail == {"user_id": nurse.pk, "change": "clear", "roles": []}
