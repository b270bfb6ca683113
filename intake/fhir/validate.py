"""Checks fhir.resources does not make: required code bindings and bundle-internal references.

fhir.resources validates structure, cardinality and data types, but it accepts any string for
a code ("enum values can be used in validation, but use in your own responsibilities"). A
wrong status code is exactly the kind of mistake a receiving server rejects, so every
export is checked here before it leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.reference import Reference
from pydantic import BaseModel

# Required bindings that fhir.resources lists only in part (its list ends in "+"): the full
# R4B value sets, so these are checked too.
FULL_VALUE_SETS: dict[tuple[str, str], frozenset[str]] = {
    ("Encounter", "status"): frozenset(
        "planned arrived triaged in-progress onleave finished cancelled entered-in-error "  # noqa: SIM905
        "unknown".split()
    ),
    ("Observation", "status"): frozenset(
        "registered preliminary final amended corrected cancelled entered-in-error "  # noqa: SIM905
        "unknown".split()
    ),
}


def _children(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _children(item)


def walk(model: BaseModel) -> Iterator[BaseModel]:
    """The model and every element inside it, depth first."""
    yield model
    for name in type(model).model_fields:
        for child in _children(getattr(model, name)):
            yield from walk(child)


def _allowed(model: BaseModel, name: str, extra: Any) -> frozenset[str] | None:
    full = FULL_VALUE_SETS.get((type(model).__name__, name))
    if full is not None:
        return full
    if not isinstance(extra, dict) or "enum_values" not in extra:
        return None
    values = extra["enum_values"]
    return None if "+" in values else frozenset(values)


def invalid_codes(model: BaseModel) -> list[str]:
    """'Type.field=value' for every code outside its (fully known) required value set."""
    problems = []
    for element in walk(model):
        for name, field in type(element).model_fields.items():
            value = getattr(element, name)
            allowed = _allowed(element, name, field.json_schema_extra)
            if allowed is None or value is None:
                continue
            for code in value if isinstance(value, list) else [value]:
                if code not in allowed:
                    problems.append(f"{type(element).__name__}.{name}={code}")
    return problems


def unresolved_references(bundle: Bundle) -> list[str]:
    """References that point at nothing in the bundle (a collection must be self-contained)."""
    urls = {entry.fullUrl for entry in bundle.entry or []}
    return [
        element.reference
        for element in walk(bundle)
        if isinstance(element, Reference)
        and element.reference is not None
        and element.reference not in urls
    ]
