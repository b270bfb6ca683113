"""The nurse's final record as clinical resources: Condition (chief complaint),
AllergyIntolerance, MedicationStatement, and Flags for red flags.

All of it is what the patient said and the nurse kept, not a diagnosis or a reconciled list,
and the statuses say so (provisional, unconfirmed, unknown).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.medicationstatement import MedicationStatement

from intake.fhir.context import ExportContext
from intake.fhir.ids import (
    SNOMED,
    Entry,
    build,
    coding,
    concept,
    device_url,
    note,
    patient_said,
    ref,
    resource_id,
)
from intake.fhir.people import RULES_DEVICE_NAME, staff_display
from intake.models import SafetyFiring

_TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
CLINICAL_STATUS = _TERMINOLOGY + "condition-clinical"
VERIFICATION_STATUS = _TERMINOLOGY + "condition-ver-status"
CONDITION_CATEGORY = _TERMINOLOGY + "condition-category"
ALLERGY_CLINICAL = _TERMINOLOGY + "allergyintolerance-clinical"
ALLERGY_VERIFICATION = _TERMINOLOGY + "allergyintolerance-verification"
FLAG_CATEGORY = _TERMINOLOGY + "flag-category"
SEVERITY_SNOMED = {
    "mild": ("255604002", "Mild"),
    "moderate": ("6736007", "Moderate"),
    "severe": ("24484000", "Severe"),
}


def condition_url(ctx: ExportContext) -> str:
    return ctx.url("condition", "chief-complaint")


def _hpi_notes(ctx: ExportContext) -> list[dict[str, Any]]:
    hpi = ctx.record.hpi
    lines = [
        (label, item.text)
        for label, item in (
            ("Provocation", hpi.provocation),
            ("Quality", hpi.quality),
            # Region and radiation come as one phrase ("left arm"): a note, not bodySite,
            # which would put a chest pain in the arm it radiates to.
            ("Region/radiation", hpi.region_radiation),
            ("Time course", hpi.time_course),
        )
        if item is not None
    ]
    return [note(f"{label}: {text}") for label, text in lines]


def condition(ctx: ExportContext) -> Entry:
    complaint = ctx.record.chief_complaint
    hpi = ctx.record.hpi
    url = condition_url(ctx)
    data: dict[str, Any] = {
        "id": resource_id(url),
        "clinicalStatus": concept("Active", coding(CLINICAL_STATUS, "active")),
        # A complaint in the patient's words, confirmed at triage: not a diagnosis yet.
        "verificationStatus": concept("Provisional", coding(VERIFICATION_STATUS, "provisional")),
        "category": [concept("Chief complaint", coding(CONDITION_CATEGORY, "encounter-diagnosis"))],
        "code": concept(complaint.normalized),
        "subject": ref(ctx.patient_url),
        "encounter": ref(ctx.encounter_url),
        "recordedDate": ctx.review.reviewed_at,
        "recorder": ref(ctx.reviewer_url, staff_display(ctx.reviewer)),
        "asserter": ref(ctx.patient_url),
        "note": patient_said(complaint.quote) + _hpi_notes(ctx),
    }
    if hpi.onset is not None:
        data["onsetString"] = hpi.onset.text
    if hpi.severity is not None and isinstance(hpi.severity.value, str):
        code, display = SEVERITY_SNOMED[hpi.severity.value]
        data["severity"] = concept(display, coding(SNOMED, code, display))
    if ctx.record.symptoms:
        data["evidence"] = [{"code": [concept(s.name) for s in ctx.record.symptoms]}]
    return Entry(url, build(Condition, data))


def allergies(ctx: ExportContext) -> list[Entry]:
    entries = []
    for i, item in enumerate(ctx.record.allergies):
        url = ctx.url("allergy", i)
        data: dict[str, Any] = {
            "id": resource_id(url),
            "clinicalStatus": concept("Active", coding(ALLERGY_CLINICAL, "active")),
            # Reported by the patient at intake, not confirmed by testing or history.
            "verificationStatus": concept(
                "Unconfirmed", coding(ALLERGY_VERIFICATION, "unconfirmed")
            ),
            "code": concept(item.substance),
            "patient": ref(ctx.patient_url),
            "encounter": ref(ctx.encounter_url),
            "recordedDate": ctx.review.reviewed_at,
            "recorder": ref(ctx.reviewer_url, staff_display(ctx.reviewer)),
            "asserter": ref(ctx.patient_url),
            "note": patient_said(item.quote),
        }
        if item.reaction:
            data["reaction"] = [{"manifestation": [concept(item.reaction)]}]
        entries.append(Entry(url, build(AllergyIntolerance, data)))
    return entries


def medications(ctx: ExportContext) -> list[Entry]:
    entries = []
    for i, item in enumerate(ctx.record.medications):
        url = ctx.url("medication", i)
        data: dict[str, Any] = {
            "id": resource_id(url),
            # "unknown", not "active": the patient mentioned the medicine at intake; whether
            # it is still taken is for medication reconciliation to establish.
            "status": "unknown",
            "medicationCodeableConcept": concept(item.name),
            "subject": ref(ctx.patient_url),
            "context": ref(ctx.encounter_url),
            "dateAsserted": ctx.review.reviewed_at,
            "informationSource": ref(ctx.patient_url),
            "note": patient_said(item.quote),
        }
        if item.dose:
            data["dosage"] = [{"text": item.dose}]
        entries.append(Entry(url, build(MedicationStatement, data)))
    return entries


def _flag(ctx: ExportContext, url: str, text: str, start: Any, author: dict[str, str]) -> Entry:
    data = {
        "id": resource_id(url),
        "status": "active",
        "category": [concept("Clinical", coding(FLAG_CATEGORY, "clinical", "Clinical"))],
        "code": concept(text),
        "subject": ref(ctx.patient_url),
        "encounter": ref(ctx.encounter_url),
        "period": {"start": start},
        "author": author,
    }
    return Entry(url, build(Flag, data))


def firing_text(firing: SafetyFiring) -> str:
    version = f" v{firing.rule_version}" if firing.rule_version else ""
    return (
        f"Red flag ({firing.level}): {firing.text} [safety rule {firing.rule_id}{version}, "
        f"found by {firing.get_layer_display()}, ESI floor {firing.esi_floor}, from "
        f"{firing.get_source_display().lower()}]"
    )


def rule_flags(ctx: ExportContext) -> list[Entry]:
    """One Flag per safety-rule firing, authored by the rules (a Device), not by a person."""
    author = ref(device_url("rules", RULES_DEVICE_NAME), RULES_DEVICE_NAME)
    return [
        _flag(ctx, ctx.url("flag", "rule", f.pk), firing_text(f), f.created_at, author)
        for f in ctx.firings
    ]


def record_flags(ctx: ExportContext) -> list[Entry]:
    """Red flags in the nurse's final record: confirmed by the nurse, so she is the author."""
    author = ref(ctx.reviewer_url, staff_display(ctx.reviewer))
    return [
        _flag(
            ctx,
            ctx.url("flag", "record", i),
            f"Red flag: {item.flag}",
            ctx.review.reviewed_at,
            author,
        )
        for i, item in enumerate(ctx.record.red_flags)
    ]
