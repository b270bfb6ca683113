"""Who and what: the Patient, the confirming nurse (Practitioner) and the software (Device).

The AI model, the speech model and the safety rules are separate Devices, so every resource
can say which piece of software produced it, and none of them can pass for a person.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner

from intake.fhir.context import ExportContext
from intake.fhir.ids import (
    BCP47,
    Entry,
    build,
    coding,
    concept,
    device_url,
    note,
    patient_url,
    practitioner_url,
    resource_id,
)
from intake.models import Patient

V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
RULES_DEVICE_NAME = "Clinic Intake safety rules"


def patient_entry(patient: Patient) -> Entry:
    url = patient_url(patient.pk)
    data: dict[str, Any] = {
        "id": resource_id(url),
        "name": [{"text": patient.name}],
        # Our Sex choices are FHIR AdministrativeGender codes already.
        "gender": patient.sex,
    }
    if patient.preferred_language:
        data["communication"] = [
            {
                "language": concept(None, coding(BCP47, patient.preferred_language)),
                "preferred": True,
            }
        ]
    if patient.mrn:
        # No system: the MRN's issuer is the clinic's EHR, which we do not know here.
        data["identifier"] = [
            {
                "use": "usual",
                "type": concept("Medical record number", coding(V2_IDENTIFIER_TYPE, "MR")),
                "value": patient.mrn,
            }
        ]
    if patient.date_of_birth is not None:
        data["birthDate"] = patient.date_of_birth
    if patient.phone:
        data["telecom"] = [{"system": "phone", "value": patient.phone}]
    return Entry(url, build(FhirPatient, data))


def staff_display(user: AbstractBaseUser) -> str:
    full = str(getattr(user, "get_full_name", lambda: "")() or "").strip()
    return full or user.get_username()


def practitioner_entry(user: AbstractBaseUser) -> Entry:
    url = practitioner_url(user.pk)
    data = {
        "id": resource_id(url),
        "identifier": [{"type": {"text": "Clinic Intake username"}, "value": user.get_username()}],
        "name": [{"text": staff_display(user)}],
    }
    return Entry(url, build(Practitioner, data))


def _device(
    kind: str, name: str, type_text: str, notes: list[str], name_type: str = "model-name"
) -> Entry:
    url = device_url(kind, name)
    data = {
        "id": resource_id(url),
        "deviceName": [{"name": name, "type": name_type}],
        "type": concept(type_text),
        "note": [note(text) for text in notes],
    }
    return Entry(url, build(Device, data))


def llm_device(model_id: str) -> Entry:
    return _device(
        "llm",
        model_id,
        "Triage draft language model (software)",
        ["Produces suggestions for a triage nurse; it never sets a final ESI."],
    )


def asr_device(model_id: str) -> Entry:
    return _device("asr", model_id, "Speech recognition model (software)", [])


def rules_device() -> Entry:
    return _device(
        "rules",
        RULES_DEVICE_NAME,
        "Deterministic red-flag rules (software)",
        ["Rules only ever raise urgency; each flag names its rule id and version."],
        name_type="user-friendly-name",
    )


def device_entries(ctx: ExportContext) -> list[Entry]:
    """The software involved in this visit, each once."""
    entries: list[Entry] = []
    if ctx.draft is not None:
        entries.append(llm_device(ctx.draft.model_id))
    if ctx.transcript is not None:
        entries.append(asr_device(ctx.transcript.model_id))
    if ctx.firings:
        entries.append(rules_device())
    return entries
