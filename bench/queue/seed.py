"""Seeding one clinic day: 1,000 patients and visits (60 open), drafts, firings, step rows,
and a nurse to log in as."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import sys
from typing import Any

from bench.queue.base import NURSE

# One clinic day: status -> number of visits (1,000 in all, 60 of them open).
DAY_MIX: dict[str, int] = {
    "submitted": 4,
    "transcribing": 3,
    "summarizing": 5,
    "ready": 18,
    "failed": 2,
    "reviewed": 14,
    "roomed": 14,
    "draft": 2,  # still at the front desk; the urgent one shows on the queue
    "seen": 20,
    "cancelled": 25,
    "left_without_being_seen": 23,
    "discharged": 870,
}
COMPLAINTS = (
    "chest pain",
    "shortness of breath",
    "abdominal pain",
    "headache",
    "fever and cough",
    "ankle injury",
    "back pain",
    "laceration of the hand",
    "dizziness",
    "vomiting and diarrhoea",
    "sore throat",
    "rash",
    "urinary pain",
    "eye redness",
    "allergic reaction",
)
RULES = (  # (rule id, ESI floor) as inference.safety.rules names them
    ("chest_pain_acs", 2),
    ("stroke_signs", 1),
    ("anaphylaxis", 1),
    ("severe_bleeding", 2),
    ("altered_mental_status", 2),
    ("danger_zone_vitals", 2),
)
ESI_WEIGHTS = (1, 15, 45, 30, 9)  # ESI 1..5, a typical walk-in mix (%)


def seed(rng: random.Random) -> tuple[str, int]:
    """One clinic day; returns the nurse's password and the number of visits seeded."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from inference.triage.schema import record_template
    from intake.models import AIDraft, Patient, ProcessingStep, SafetyFiring, Visit
    from intake.roles import Role

    now = timezone.now()
    statuses = [status for status, count in DAY_MIX.items() for _ in range(count)]
    rng.shuffle(statuses)
    open_states = {"submitted", "transcribing", "summarizing", "ready", "failed"}
    open_states |= {"reviewed", "roomed"}
    processed = {"ready", "reviewed", "roomed", "seen", "discharged"}  # an AI draft exists
    transcribed = processed | {"summarizing", "failed", "left_without_being_seen"}
    first_names = ("Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jo")
    last_names = ("Alvarez", "Brown", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad")

    with transaction.atomic():
        nurse_group, _ = Group.objects.get_or_create(name=Role.NURSE.value)
        for role in Role:
            Group.objects.get_or_create(name=role.value)
        password = secrets.token_urlsafe(16)
        nurse = User.objects.create_user(NURSE, password=password)
        nurse.groups.set([nurse_group])

        patients = Patient.objects.bulk_create(
            Patient(
                name=f"{rng.choice(first_names)} {rng.choice(last_names)} {n}",
                date_of_birth=dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(32_000)),
                sex=rng.choice(("female", "male", "female", "male", "other", "unknown")),
                mrn=f"MRN{100000 + n}",
            )
            for n in range(len(statuses))
        )
        visits: list[Visit] = []
        for patient, status in zip(patients, statuses, strict=True):
            # Open visits arrived in the last 3 h, closed ones over the day (13 h).
            window = 180 if status in open_states or status == "draft" else 13 * 60
            arrived = now - dt.timedelta(minutes=rng.uniform(2, window))
            esi_ai = rng.choices(range(1, 6), weights=ESI_WEIGHTS)[0]
            reviewed = status in {"reviewed", "roomed", "seen", "discharged"}
            final = max(1, min(5, esi_ai + rng.choice((-1, 0, 0, 0, 0, 1)))) if reviewed else None
            urgent = (status in {"submitted", "ready", "draft"} and rng.random() < 0.2) or (
                status == "discharged" and rng.random() < 0.01
            )
            typed = rng.random() < 0.05
            visits.append(
                Visit(
                    patient=patient,
                    arrived_at=arrived,
                    status=status,
                    status_changed_at=arrived + (now - arrived) * rng.uniform(0.3, 0.9),
                    version=rng.randint(3, 9) if status != "draft" else 1,
                    consent_to_record=not typed,
                    consent_recorded_at=None if typed else arrived,
                    chief_complaint_typed=rng.choice(COMPLAINTS) if typed else "",
                    urgent=urgent,
                    urgent_at=arrived if urgent else None,
                    esi_suggested=esi_ai if status in processed else None,
                    esi_final=final,
                    # Acknowledged alerts, except a few fresh ones on the open queue.
                    alert_ack_at=(
                        None if status in open_states and rng.random() < 0.3 else arrived
                    ),
                )
            )
        # A guaranteed urgent visit still at the front desk: "needs a nurse now" shows at once.
        drafts_at_desk = [v for v in visits if v.status == "draft"]
        drafts_at_desk[0].urgent, drafts_at_desk[0].urgent_at = True, now
        drafts_at_desk[0].alert_ack_at = None
        Visit.objects.bulk_create(visits)

        firings: list[SafetyFiring] = []
        for v in visits:
            if v.status in transcribed and rng.random() < 0.09:
                for rule_id, floor in rng.sample(RULES, k=rng.choice((1, 1, 2))):
                    firings.append(
                        SafetyFiring(
                            visit=v,
                            source="transcript",
                            rule_id=rule_id,
                            rule_version="1",
                            esi_floor=floor,
                            evidence=[{"quote": "it hurts", "segment": 0, "t0": 1.0, "t1": 2.0}],
                        )
                    )
                    v.esi_rule_floor = min(floor, v.esi_rule_floor or 5)
        SafetyFiring.objects.bulk_create(firings)
        Visit.objects.bulk_update(
            [v for v in visits if v.esi_rule_floor is not None], ["esi_rule_floor"]
        )

        drafts: list[AIDraft] = []
        for v in visits:
            if v.status not in processed:
                continue
            for current in (False, True) if rng.random() < 0.05 else (True,):  # some re-runs
                data = record_template()
                complaint = rng.choice(COMPLAINTS)
                data["chief_complaint"] = {"normalized": complaint, "quote": f"I have {complaint}"}
                data["esi"]["level"] = v.esi_suggested
                drafts.append(
                    AIDraft(
                        visit=v,
                        is_current=current,
                        data=data,
                        schema_version="1",
                        model_id="gemma3-270m-q4_k_m.gguf",
                        prompt_version="bench",
                        evidence=[{"path": "chief_complaint", "supported": True, "segment": 0}],
                        timings={"prompt_tokens": 515, "generated_tokens": 233},
                    )
                )
        AIDraft.objects.bulk_create(drafts)
        ProcessingStep.objects.bulk_create(step for v in visits for step in _steps(v, now, rng))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them in a live clinic
    return password, len(visits)


def _steps(visit: Any, now: dt.datetime, rng: random.Random) -> list[Any]:
    """The pipeline's step rows as a worker leaves them: running for a visit in progress,
    done (or failed) for those past it."""
    from intake.models import ProcessingStep

    def step(name: str, status: str, attempt: int = 1) -> ProcessingStep:
        started = visit.arrived_at + dt.timedelta(seconds=rng.uniform(5, 60))
        running = status == "running"
        return ProcessingStep(
            visit=visit,
            step=name,
            attempt=attempt,
            status=status,
            lease_owner="asr@bench" if running else "",
            lease_expires_at=now + dt.timedelta(minutes=10) if running else None,
            progress=rng.uniform(0.1, 0.9) if running else (1.0 if status == "done" else 0.0),
            started_at=None if status == "pending" else started,
            finished_at=started + dt.timedelta(seconds=30)
            if status in ("done", "failed")
            else None,
        )

    if visit.status == "submitted":
        return [step("asr", "pending")]
    if visit.status == "transcribing":
        return [step("asr", "running")]
    if visit.status == "summarizing":
        return [step("asr", "done"), step("safety", "done"), step("llm", "running")]
    if visit.status == "failed":
        return [step("asr", "done"), step("llm", "failed"), step("llm", "failed", 2)]
    if visit.status in {"ready", "reviewed", "roomed", "seen", "discharged"}:
        return [step(name, "done") for name in ("asr", "safety", "llm", "playback")]
    return []


def expected_rows() -> int:
    from intake import worklist
    from intake.views.nurse import MAX_ROWS

    return len(worklist.queue_visits(worklist.DEFAULT_FILTER)[:MAX_ROWS])


def ready_visit_ids(count: int) -> list[int]:
    from intake.models import Visit

    ids = list(
        Visit.objects.filter(status="ready", urgent=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    if not ids:
        sys.exit("no ready visits to move")
    return ids
