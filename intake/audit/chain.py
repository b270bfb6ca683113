"""The audit trail as a hash chain.

Each event stores the SHA-256 of its own content together with the previous event's hash, in
one gap-free sequence. Editing, deleting or reordering any stored event therefore breaks the
chain from that point on, and `manage.py verify_audit` says where. Two more layers keep the
chain from being rewritten in the first place: a database trigger refuses UPDATE, DELETE and
TRUNCATE on the table (migration 0007), and in production the app connects as a role that may
only INSERT and SELECT there (`manage.py grant_app_role`). Someone holding the database owner's
password could still rebuild a consistent chain; the chain heads that `verify_audit` prints and
beat logs every day, kept off the box, catch that.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import connection, transaction

from intake.models import AuditEvent

GENESIS = "0" * 64
# pg_advisory_xact_lock key: one writer extends the chain at a time ("audt" in ASCII).
LOCK_KEY = 0x61756474


def normal_ip(ip: str | None) -> str | None:
    # Postgres' inet prints addresses in their compressed form; hash what will be read back.
    return ipaddress.ip_address(ip).compressed if ip else None


def digest(event: AuditEvent) -> str:
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = [
        event.seq,
        at,
        event.actor_id,
        event.role,
        event.action,
        event.outcome,
        event.visit_id,
        event.patient_id,
        event.object_type,
        event.object_id,
        event.detail,
        event.ip,
        event.prev_hash,
    ]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def append(event: AuditEvent) -> AuditEvent:
    """Store `event` (unsaved, without seq or hashes) as the new head of the chain."""
    event.ip = normal_ip(event.ip)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Held until the surrounding transaction ends, so two writers never take one seq.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        event.seq, event.prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        event.hash = digest(event)
        event.save(force_insert=True)
    return event


@dataclass
class Verdict:
    checked: int = 0
    first_seq: int | None = None
    head_seq: int | None = None
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def verify(
    events: Iterable[AuditEvent] | None = None,
    *,
    anchors: Iterable[tuple[int, str]] = (),
    limit: int = 20,
) -> Verdict:
    """Walk the chain in seq order. An event whose content no longer matches its hash was
    edited; a gap in seq or a prev_hash that is not the previous event's hash means events were
    deleted, inserted or reordered. The chain may start after seq 1 only where a retention
    purge recorded exactly what it removed. `anchors` are (seq, hash) heads seen earlier."""
    verdict = Verdict()
    expected = dict(anchors)
    previous: AuditEvent | None = None

    def problem(text: str) -> None:
        if len(verdict.problems) < limit:
            verdict.problems.append(text)

    for event in events if events is not None else _in_order():
        verdict.checked += 1
        if previous is None:
            verdict.first_seq = event.seq
            if event.seq != 1 and not _purge_explains(event):
                problem(
                    f"the chain starts at event {event.seq}: events before it were deleted "
                    "without a retention purge record"
                )
        elif event.seq != previous.seq + 1:
            problem(f"events {previous.seq + 1}..{event.seq - 1} are missing (deleted)")
        elif event.prev_hash != previous.hash:
            problem(
                f"event {event.seq} does not follow event {previous.seq} (reordered or replaced)"
            )
        if digest(event) != event.hash:
            problem(f"event {event.seq} ({event.action}) was changed after it was written")
        if event.seq in expected and expected.pop(event.seq) != event.hash:
            problem(f"event {event.seq} is not the one recorded earlier as the chain head")
        previous = event
    for seq in sorted(expected):
        problem(f"event {seq}, recorded earlier as the chain head, is gone (events cut off)")
    if previous is not None:
        verdict.head_seq, verdict.head_hash = previous.seq, previous.hash
    return verdict


def _purge_explains(first: AuditEvent) -> bool:
    """A retention purge writes which seq and hash it removed up to; the first remaining
    event must follow exactly that."""
    purges = AuditEvent.objects.filter(action="audit.purged", detail__through_seq=first.seq - 1)
    return any(p.detail.get("through_hash") == first.prev_hash for p in purges)


def parse_anchor(text: str) -> tuple[int, str]:
    seq, sep, value = text.partition(":")
    if not sep or not seq.isdigit() or len(value) != 64:
        raise ValueError(f"{text!r}: expected SEQ:HASH as printed by verify_audit")
    return int(seq), value.lower()


def fhir_action(action: str) -> str:
    """FHIR AuditEvent.action: C(reate), R(ead), U(pdate), D(elete) or E(xecute)."""
    verb = action.rsplit(".", 1)[-1]
    if action.startswith("auth.") or verb.startswith("export"):
        return "E"
    if verb in {"view", "list", "print", "play", "listen", "download"}:
        return "R"
    if verb in {"delete", "discard", "purge", "purged", "expired"}:
        return "D"
    if verb in {"add", "create", "complete", "complaint_typed", "start", "submit"}:
        return "C"
    return "U"


def as_fhir(event: AuditEvent) -> dict[str, Any]:
    """The event as a FHIR R4 AuditEvent resource (ids only: no names, no clinical data)."""
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(event.seq),
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
        },
        "subtype": [{"system": "urn:clinic-intake:audit-action", "code": event.action}],
        "action": fhir_action(event.action),
        "recorded": event.at.astimezone(UTC).isoformat(),
        "outcome": "0" if event.outcome == AuditEvent.SUCCESS else "4",
        "agent": [
            {
                "who": {"identifier": {"value": str(event.actor_id)}}
                if event.actor_id
                else {"display": "system"},
                "role": [{"text": role} for role in event.role.split(",") if role],
                "requestor": event.actor_id is not None,
                **({"network": {"address": event.ip, "type": "2"}} if event.ip else {}),
            }
        ],
        "source": {"observer": {"display": "Clinic Intake"}},
        "entity": [],
    }
    for kind, value in (
        ("patient", event.patient_id),
        ("visit", event.visit_id),
        (event.object_type.lower(), event.object_id),
    ):
        if kind and value not in (None, ""):
            identifier = {"system": f"urn:clinic-intake:{kind}", "value": str(value)}
            resource["entity"].append({"what": {"identifier": identifier}})
    return resource


def head_line(verdict: Verdict) -> str:
    return f"audit chain head {verdict.head_seq}:{verdict.head_hash}"
