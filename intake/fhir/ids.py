"""Stable identities and small element builders shared by the FHIR modules.

Every resource gets a name-based UUID (uuid5) under one fixed namespace, so exporting the same
visit twice yields the same fullUrls and ids: a receiving system can match a re-export to the
first one instead of filing duplicates. Never change NAMESPACE or the key layout below.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fhir.resources.R4B.resource import Resource

# Fixed forever: changing it changes every exported id.
NAMESPACE = uuid.UUID("6f1c7c52-5d5b-4a3e-9d2c-1f3b0e8a9c41")

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
URI_SYSTEM = "urn:ietf:rfc:3986"  # an identifier whose value is itself a URI
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


@dataclass(frozen=True)
class Entry:
    """One Bundle entry: the resource and the urn:uuid other resources use to point at it."""

    url: str
    resource: Resource


def key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def urn(*parts: object) -> str:
    return f"urn:uuid:{key(*parts)}"


def resource_id(url: str) -> str:
    """The resource's own id: the UUID of its fullUrl (so a server may keep it on PUT)."""
    return url.removeprefix("urn:uuid:")


# Keys. Patients, staff and devices are keyed on their own rows, not on the visit, so two
# visits of one patient share one Patient id.
def patient_url(patient_id: int) -> str:
    return urn("patient", patient_id)


def practitioner_url(user_id: int) -> str:
    return urn("practitioner", user_id)


def device_url(kind: str, name: str) -> str:
    return urn("device", kind, name)


def visit_url(visit_id: int, kind: str, *more: object) -> str:
    return urn("visit", visit_id, kind, *more)


def ref(url: str, display: str | None = None) -> dict[str, str]:
    out = {"reference": url}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(text: str | None = None, *codings: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def loinc(code: str, display: str) -> dict[str, Any]:
    return concept(display, coding(LOINC, code, display))


def category(code: str, display: str) -> list[dict[str, Any]]:
    return [concept(display, coding(OBSERVATION_CATEGORY, code, display))]


def note(text: str, when: datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"text": text}
    if when is not None:
        out["time"] = when
    return out


def patient_said(quote: str) -> list[dict[str, Any]]:
    """A note with the patient's own words, when the record has them."""
    return [note(f'Patient\'s words: "{quote}"')] if quote else []


R = TypeVar("R", bound=Resource)


def build(cls: type[R], data: dict[str, Any]) -> R:
    """Validate `data` as `cls`; None and empty values are left out (FHIR forbids empty
    arrays and objects, and leaving them out keeps the round trip exact)."""
    return cls.model_validate({k: v for k, v in data.items() if v not in (None, [], {})})
