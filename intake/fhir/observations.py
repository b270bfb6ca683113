"""Observations: the nurse's ESI, the AI's suggestion (kept visibly apart), pain and vitals.

The AI's guess must never look like the nurse's decision. So the nurse's ESI is the only
Observation coded LOINC 75636-1 (status final, performer the nurse); the AI's level is a
separate Observation with status "preliminary", method "AI suggestion", device = the model,
and a text-only code: a query for the LOINC code finds the decision, never the guess.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.observation import Observation

from inference.triage.schema import TriageRecord, Vital
from intake.fhir.context import ExportContext
from intake.fhir.ids import (
    LOINC,
    UCUM,
    Entry,
    build,
    category,
    coding,
    concept,
    device_url,
    loinc,
    note,
    patient_said,
    ref,
    resource_id,
)
from intake.fhir.people import staff_display

ESI_CODE = ("75636-1", "Emergency severity index")
PAIN_CODE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
AI_ESI_TEXT = "AI-suggested ESI level (a suggestion, not a triage decision)"
AI_METHOD = "AI suggestion"
SURVEY = category("survey", "Survey")
VITAL_SIGNS = category("vital-signs", "Vital Signs")


def _base(ctx: ExportContext, url: str, status: str, code: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": resource_id(url),
        "status": status,
        "code": code,
        "subject": ref(ctx.patient_url),
        "encounter": ref(ctx.encounter_url),
    }


def _from_transcript(ctx: ExportContext) -> dict[str, Any]:
    url = ctx.transcript_url
    return {"derivedFrom": [ref(url, "Intake transcript")]} if url else {}


def nurse_esi(ctx: ExportContext) -> Entry:
    url = ctx.url("observation", "esi")
    data = _base(ctx, url, "final", loinc(*ESI_CODE))
    data |= {
        "category": SURVEY,
        "effectiveDateTime": ctx.review.reviewed_at,
        "issued": ctx.review.reviewed_at,
        "performer": [ref(ctx.reviewer_url, staff_display(ctx.reviewer))],
        "valueInteger": ctx.review.final_esi,
        "method": concept("Triage nurse decision"),
    }
    return Entry(url, build(Observation, data))


def ai_esi(ctx: ExportContext) -> Entry | None:
    if ctx.draft is None or ctx.ai_record is None:
        return None
    draft = ctx.draft
    url = ctx.url("observation", "ai-esi", draft.pk)
    data = _base(ctx, url, "preliminary", concept(AI_ESI_TEXT))
    data |= {
        "effectiveDateTime": draft.created_at,
        "issued": draft.created_at,
        "valueInteger": ctx.ai_record.esi.level,
        "method": concept(AI_METHOD),
        "device": ref(device_url("llm", draft.model_id), draft.model_id),
        "note": [
            note(
                f"Suggested by {draft.model_id} (prompt {draft.prompt_version}); the final ESI "
                f"is the nurse's ({ctx.review.final_esi}). "
                f"Model's rationale: {ctx.ai_record.esi.rationale}",
                draft.created_at,
            )
        ],
    }
    data |= _from_transcript(ctx)
    return Entry(url, build(Observation, data))


def pain_score(record: TriageRecord) -> tuple[int, str] | None:
    """The 0-10 score and its quote: the pain item, else a numeric HPI severity."""
    if record.pain is not None:
        return record.pain.score, record.pain.quote
    severity = record.hpi.severity
    if severity is not None and isinstance(severity.value, int):
        return severity.value, severity.quote
    return None


def _reported(
    ctx: ExportContext, url: str, code: dict[str, Any], cat: list[dict[str, Any]]
) -> dict[str, Any]:
    """Common part of what the patient reported and the nurse kept in the final record."""
    data = _base(ctx, url, "final", code)
    data |= {
        "category": cat,
        "issued": ctx.review.reviewed_at,
        # Said by the patient, not measured by staff: the patient is the performer.
        "performer": [ref(ctx.patient_url)],
    }
    data |= _from_transcript(ctx)
    return data


def pain(ctx: ExportContext) -> Entry | None:
    found = pain_score(ctx.record)
    if found is None:
        return None
    score, quote = found
    url = ctx.url("observation", "pain")
    data = _reported(ctx, url, loinc(*PAIN_CODE), SURVEY)
    data |= {"valueInteger": score, "note": patient_said(quote)}
    return Entry(url, build(Observation, data))


# --- vitals --------------------------------------------------------------------------------

# A number on its own, not the digit of a word like "SpO2" or "O2".
_NUMBER = re.compile(r"(?<![A-Za-z\d.,])\d+(?:[.,]\d+)?")
# A unit letter right after a number ("38.5 C", "101F", "100 °F"); a bare "f" or "c" elsewhere
# is part of a word ("temperature of 38").
_FAHRENHEIT = re.compile(r"\d\s*°?\s*f\b|fahrenheit")
_CELSIUS = re.compile(r"\d\s*°?\s*c\b|celsius|centigrade")
# (LOINC codes, UCUM unit, human unit). SpO2 carries both codes the FHIR vital-signs
# profile expects (pulse oximetry and arterial saturation).
VITAL_CODES: dict[str, tuple[tuple[tuple[str, str], ...], str, str]] = {
    "heart_rate": ((("8867-4", "Heart rate"),), "/min", "beats/minute"),
    "respiratory_rate": ((("9279-1", "Respiratory rate"),), "/min", "breaths/minute"),
    "spo2": (
        (
            ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            ("2708-6", "Oxygen saturation in Arterial blood"),
        ),
        "%",
        "%",
    ),
    "temperature": ((("8310-5", "Body temperature"),), "Cel", "C"),
    "blood_pressure": ((("85354-9", "Blood pressure panel with all children optional"),), "", ""),
}
BP_PARTS = (("8480-6", "Systolic blood pressure"), ("8462-4", "Diastolic blood pressure"))
MMHG = ("mm[Hg]", "mmHg")


def numbers(text: str) -> list[Decimal]:
    return [Decimal(n.replace(",", ".")) for n in _NUMBER.findall(text)]


def quantity(value: Decimal, ucum: str, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": ucum}


def temperature_unit(text: str, value: Decimal) -> tuple[str, str] | None:
    """UCUM code and unit: as said, else inferred from the value (as the safety rules do)."""
    said = text.lower()
    if _FAHRENHEIT.search(said):
        return "[degF]", "F"
    if _CELSIUS.search(said):
        return "Cel", "C"
    if value <= 45:
        return "Cel", "C"
    if value >= 86:
        return "[degF]", "F"
    return None


def vital_value(kind: str, vital: Vital) -> dict[str, Any]:
    """The value[x] (or BP components) of one vital; the words as said when unparsable."""
    found = numbers(vital.value)
    _, ucum, unit = VITAL_CODES[kind]
    if kind == "blood_pressure" and len(found) >= 2:
        return {
            "component": [
                {"code": concept(display, coding(LOINC, code, display)), "valueQuantity": q}
                for (code, display), q in zip(
                    BP_PARTS, (quantity(found[0], *MMHG), quantity(found[1], *MMHG)), strict=True
                )
            ]
        }
    if kind == "temperature" and found:
        temp_unit = temperature_unit(vital.value, found[0])
        if temp_unit is not None:
            return {"valueQuantity": quantity(found[0], *temp_unit)}
    elif kind != "blood_pressure" and found:
        return {"valueQuantity": quantity(found[0], ucum, unit)}
    return {"valueString": vital.value}


def vitals(ctx: ExportContext) -> list[Entry]:
    entries: list[Entry] = []
    for kind, (codes, _, _) in VITAL_CODES.items():
        vital: Vital | None = getattr(ctx.record.vitals, kind)
        if vital is None:
            continue
        url = ctx.url("observation", "vital", kind)
        code = concept(codes[0][1], *(coding(LOINC, c, d) for c, d in codes))
        data = _reported(ctx, url, code, VITAL_SIGNS)
        data |= vital_value(kind, vital)
        data["note"] = [note(f'Reported by the patient, not measured: "{vital.value}"')]
        data["note"] += patient_said(vital.quote)
        entries.append(Entry(url, build(Observation, data)))
    return entries


def reported(ctx: ExportContext) -> list[Entry]:
    """Pain and vitals from the nurse's final record."""
    score = pain(ctx)
    return ([score] if score else []) + vitals(ctx)
