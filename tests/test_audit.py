"""The audit trail: hash-chained, append-only for every role, verifiable, purged only with a
record of the cut, and shaped like FHIR AuditEvent."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent
from pytest_django.fixtures import Settings as SettingsWrapper

from intake import audit
from intake.audit.chain import GENESIS, append, as_fhir, digest, parse_anchor, verify
from intake.audit.purge import purge_expired_events
from intake.models import AuditEvent, Patient, Visit
from intake.roles import Role
from tests.conftest import make_user


def some_events(n: int, actor: User | None = None) -> list[AuditEvent]:
    patient = Patient.objects.create(name="Audit Patient", date_of_birth="1960-01-01")
    visit = Visit.objects.create(patient=patient)
    return [
        audit.record("visit.view", actor=actor, visit=visit, detail={"page": "review", "n": i})
        for i in range(n)
    ]


def raw(statement: str, params: list[Any] | None = None) -> None:
    """SQL as a determined attacker with the owner's password would run it: the append-only
    trigger switched off first."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this test's inserts must run before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE intake_auditevent DISABLE TRIGGER intake_audit_append_only")
        cursor.execute(statement, params or [])
        cursor.execute("ALTER TABLE intake_auditevent ENABLE TRIGGER intake_audit_append_only")


@pytest.mark.django_db
def test_it_chains_events_with_who_where_and_which_patient() -> None:
    nurse = make_user("nurse-audit", Role.NURSE)
    assert AuditEvent.objects.get().action == "user.roles_changed"  # seq 1: made a nurse
    events = some_events(3, actor=nurse)
    assert [e.seq for e in events] == [2, 3, 4]
    assert AuditEvent.objects.get(seq=1).prev_hash == GENESIS
    assert events[0].prev_hash == AuditEvent.objects.get(seq=1).hash
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    stored = AuditEvent.objects.get(seq=2)
    assert stored.hash == digest(stored)  # what was hashed is what reads back
    assert stored.role == "nurse" and stored.actor_id == nurse.pk
    assert stored.patient_id == Visit.objects.get(pk=events[0].visit_id or 0).patient_id
    verdict = verify()
    assert verdict.ok and verdict.checked == 4 and verdict.head_seq == 4


@pytest.mark.django_db
def test_it_refuses_updates_and_deletes_even_from_the_owner() -> None:
    some_events(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="nothing.happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2 and verify().ok


@pytest.mark.django_db
def test_it_detects_an_edited_event() -> None:
    some_events(4)
    raw("UPDATE intake_auditevent SET detail = %s WHERE seq = 2", ['{"page": "elsewhere"}'])
    verdict = verify()
    assert verdict.problems == ["event 2 (visit.view) was changed after it was written"]
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    assert raised.value.returncode == 1


@pytest.mark.django_db
def test_it_detects_a_deleted_event() -> None:
    some_events(4)
    raw("DELETE FROM intake_auditevent WHERE seq = 3")
    assert verify().problems == ["events 3..3 are missing (deleted)"]


@pytest.mark.django_db
def test_it_detects_deleted_first_events() -> None:
    some_events(3)
    raw("DELETE FROM intake_auditevent WHERE seq = 1")
    assert "events before it were deleted" in verify().problems[0]


@pytest.mark.django_db
def test_it_detects_reordered_events() -> None:
    some_events(4)
    # Swap events 2 and 3 (each keeps its own, valid hash).
    raw("UPDATE intake_auditevent SET seq = -seq WHERE seq IN (2, 3)")
    raw("UPDATE intake_auditevent SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0")
    problems = verify().problems
    assert problems[0] == "event 2 does not follow event 1 (reordered or replaced)"
    assert "event 2 (visit.view) was changed after it was written" in problems


@pytest.mark.django_db
def test_it_detects_events_cut_off_the_end_against_an_anchor() -> None:
    events = some_events(4)
    anchor = (events[-1].seq, events[-1].hash)
    raw("DELETE FROM intake_auditevent WHERE seq = 4")
    assert verify().ok  # a shorter chain is consistent in itself...
    assert verify(anchors=[anchor]).problems == [  # ...but not with the head kept elsewhere
        "event 4, recorded earlier as the chain head, is gone (events cut off)"
    ]
    with pytest.raises(CommandError):
        call_command("verify_audit", "--anchor", f"{anchor[0]}:{anchor[1]}")


def test_it_reads_anchors_as_printed() -> None:
    assert parse_anchor("12:" + "AB" * 32) == (12, "ab" * 32)
    with pytest.raises(ValueError, match="SEQ:HASH"):
        parse_anchor("12-abc")


@pytest.mark.django_db
def test_it_prints_the_head_of_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    events = some_events(2)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "audit trail intact: events 1..2" in out
    assert f"audit chain head 2:{events[1].hash}" in out


@pytest.mark.django_db
def test_it_purges_only_past_retention_and_keeps_the_chain_verifiable(
    settings: SettingsWrapper,
) -> None:
    settings.AUDIT_RETENTION_DAYS = 2200
    old = timezone.now() - timedelta(days=2300)
    for _ in range(3):
        append(AuditEvent(action="auth.login", at=old))
    some_events(2)
    result = purge_expired_events()
    assert (result.removed, result.through_seq) == (3, 3)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [4, 5, 6]
    purge = AuditEvent.objects.get(seq=6)
    assert purge.action == "audit.purged" and purge.detail["through_seq"] == 3
    assert verify().ok
    # A second run finds nothing more to remove.
    assert purge_expired_events().removed == 0


@pytest.mark.django_db
def test_it_never_purges_the_head(settings: SettingsWrapper) -> None:
    settings.AUDIT_RETENTION_DAYS = 2200
    append(AuditEvent(action="auth.login", at=timezone.now() - timedelta(days=2300)))
    assert purge_expired_events().removed == 0
    assert AuditEvent.objects.count() == 1


def test_it_keeps_events_at_least_six_years(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from intake.env import env_int

    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "365")
    with pytest.raises(ImproperlyConfigured):
        env_int("AUDIT_RETENTION_DAYS", 6 * 366, minimum=6 * 365)


@pytest.mark.django_db
def test_it_lets_the_app_role_append_but_never_change_the_trail() -> None:
    role = f"intake_app_{uuid.uuid4().hex[:8]}"
    call_command("grant_app_role", role)  # CREATE ROLE is transactional: the test undoes it
    visit = some_events(1)[0].visit_id
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        event = audit.record("visit.view", visit=visit)  # INSERT, advisory lock, head lookup
        assert event.seq == 2
        assert Visit.objects.filter(pk=visit or 0).update(urgent=True) == 1  # ordinary tables
        for attempt in (
            "UPDATE intake_auditevent SET action = 'x'",
            "DELETE FROM intake_auditevent",
            "TRUNCATE intake_auditevent",
            "ALTER TABLE intake_auditevent DISABLE TRIGGER intake_audit_append_only",
        ):
            with (
                pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(attempt)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert verify().ok


@pytest.mark.django_db
def test_it_refuses_a_role_name_that_is_not_a_plain_identifier() -> None:
    with pytest.raises(CommandError, match="lower-case"):
        call_command("grant_app_role", 'app"; DROP TABLE x; --')


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_when_writers_race() -> None:
    visit = some_events(1)[0].visit_id
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(15):
                audit.record("visit.view", visit=visit)
        except BaseException as e:  # reported by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdict = verify()
    assert verdict.ok and verdict.checked == 46 and verdict.head_seq == 46


@pytest.mark.django_db
def test_it_exports_events_as_valid_fhir_audit_events() -> None:
    nurse = make_user("nurse-fhir-audit", Role.NURSE)
    event = some_events(1, actor=nurse)[0]
    failed = audit.record("auth.login_failed", outcome=AuditEvent.FAILURE, detail={"username": "x"})
    resource = as_fhir(AuditEvent.objects.get(pk=event.pk))
    FhirAuditEvent.model_validate(resource)
    assert resource["action"] == "R" and resource["outcome"] == "0"
    assert resource["agent"][0]["role"] == [{"text": "nurse"}]
    systems = {e["what"]["identifier"]["system"] for e in resource["entity"]}
    assert {"urn:clinic-intake:patient", "urn:clinic-intake:visit"} <= systems
    failure = as_fhir(failed)
    FhirAuditEvent.model_validate(failure)
    assert failure["action"] == "E" and failure["outcome"] == "4"
    assert "Audit Patient" not in str(resource)
