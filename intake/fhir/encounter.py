"""The Encounter: the visit, its state and its priority from the nurse's final ESI."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.encounter import Encounter

from intake.fhir.context import ExportContext
from intake.fhir.ids import Entry, build, coding, concept, ref, resource_id
from intake.fhir.people import staff_display
from intake.models import Visit
from intake.states import FINAL, VisitStatus

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"

S = VisitStatus
# R4B EncounterStatus has "triaged" ("the patient has been assessed for the priority of
# their treatment"), which is exactly what a nurse review is. Later visit states map onward.
ENCOUNTER_STATUS: dict[VisitStatus, str] = {
    S.REVIEWED: "triaged",
    S.ROOMED: "in-progress",
    S.SEEN: "in-progress",
    S.DISCHARGED: "finished",
    # The patient left after triage: the encounter is over, and the reason says how.
    S.LEFT_WITHOUT_BEING_SEEN: "finished",
    S.CANCELLED: "cancelled",
}

# ESI level -> v3 ActPriority, following ESI's own level names: 1 resuscitation (stat),
# 2 emergent, 3 urgent, 4 less urgent and 5 non-urgent (both routine). The ESI level itself
# travels in the text and in the ESI Observation, so nothing is lost by the coarser code.
ESI_PRIORITY: dict[int, tuple[str, str, str]] = {
    1: ("S", "stat", "resuscitation"),
    2: ("EM", "emergency", "emergent"),
    3: ("UR", "urgent", "urgent"),
    4: ("R", "routine", "less urgent"),
    5: ("R", "routine", "non-urgent"),
}


def encounter_status(visit: Visit) -> str:
    # A reviewed visit is never in an earlier state, but a review row is what makes a visit
    # exportable; should one exist anyway, "triaged" is still true of it.
    return ENCOUNTER_STATUS.get(visit.state, "triaged")


def priority(esi: int) -> dict[str, Any]:
    code, display, level_name = ESI_PRIORITY[esi]
    return concept(f"ESI {esi} ({level_name})", coding(ACT_PRIORITY, code, display))


def encounter_entry(ctx: ExportContext, condition_url: str) -> Entry:
    visit = ctx.visit
    url = ctx.encounter_url
    period: dict[str, Any] = {"start": visit.arrived_at}
    if visit.state in FINAL:
        period["end"] = visit.status_changed_at
    data: dict[str, Any] = {
        "id": resource_id(url),
        "status": encounter_status(visit),
        # A walk-in clinic visit is ambulatory care (AMB), even with ED-style ESI triage.
        "class": coding(ACT_CODE, "AMB", "ambulatory"),
        "priority": priority(ctx.review.final_esi),
        "subject": ref(ctx.patient_url),
        "period": period,
        "participant": [
            {
                "type": [concept("Triage nurse")],
                "individual": ref(ctx.reviewer_url, staff_display(ctx.reviewer)),
            }
        ],
        "reasonReference": [ref(condition_url, "Chief complaint")],
    }
    if visit.state == S.LEFT_WITHOUT_BEING_SEEN:
        data["hospitalization"] = {"dischargeDisposition": concept("Left without being seen")}
    return Entry(url, build(Encounter, data))
