"""FHIR R4B export of a reviewed visit: one Bundle, built and validated with fhir.resources.

`build_bundle(visit_id)` returns the validated Bundle; `bundle_json(visit_id)` its JSON.
The Bundle is a "collection", not a "document": a document Bundle needs a Composition and
claims to be an attested, signed clinical document, while this is a set of related
resources for another system to file. fullUrls are urn:uuid with name-based UUIDs
(intake.fhir.ids), so re-exporting a visit gives the same ids. See docs/FHIR.md for the
mapping.

Raises Visit.DoesNotExist for a missing visit, NotReviewed before a nurse review, and
ExportError when the stored record does not validate or the bundle fails our checks.
"""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle

from intake.fhir import clinical, encounter, media, observations, people, provenance
from intake.fhir.context import ExportContext, ExportError, NotReviewed, load
from intake.fhir.ids import URI_SYSTEM, Entry, build, resource_id, urn
from intake.fhir.validate import invalid_codes, unresolved_references

__all__ = ["ExportError", "NotReviewed", "build_bundle", "bundle_json", "entries"]


def _urls(found: list[Entry]) -> list[str]:
    return [entry.url for entry in found]


def entries(ctx: ExportContext) -> list[Entry]:
    """Every resource of the export, in a reading order (who, the visit, the decision, the
    record, the media, then provenance)."""
    esi = observations.nurse_esi(ctx)
    ai_esi = observations.ai_esi(ctx)
    condition = clinical.condition(ctx)
    record = [
        condition,
        *observations.reported(ctx),
        *clinical.allergies(ctx),
        *clinical.medications(ctx),
        *clinical.record_flags(ctx),
    ]
    visit = encounter.encounter_entry(ctx, condition.url)
    photos = [media.photo_entry(ctx, p) for p in ctx.photos]
    transcript = media.transcript_entry(ctx)
    found = [
        people.patient_entry(ctx.patient),
        visit,
        people.practitioner_entry(ctx.reviewer),
        *people.device_entries(ctx),
        esi,
        *([ai_esi] if ai_esi else []),
        *record,
        *clinical.rule_flags(ctx),
        *[media.recording_entry(ctx, r) for r in ctx.recordings],
        *photos,
        *([transcript] if transcript else []),
        provenance.esi_provenance(ctx, [esi.url, visit.url]),
        provenance.review_provenance(ctx, _urls(record)),
    ]
    if ai_esi is not None and ctx.draft is not None:
        found.append(provenance.draft_provenance(ctx, ctx.draft, ai_esi.url, _urls(photos)))
    return found


def build_bundle(visit_id: int) -> Bundle:
    ctx = load(visit_id)
    bundle_url = urn("bundle", visit_id)
    data = {
        "id": resource_id(bundle_url),
        "identifier": {"system": URI_SYSTEM, "value": bundle_url},
        "type": "collection",
        # The review time, not the export time, so that re-exporting an unchanged visit gives
        # the same bytes (each export is in the audit log with its own time).
        "timestamp": ctx.review.reviewed_at,
        "entry": [{"fullUrl": e.url, "resource": e.resource} for e in entries(ctx)],
    }
    bundle = build(Bundle, data)
    problems = invalid_codes(bundle) + [f"unresolved {r}" for r in unresolved_references(bundle)]
    if problems:
        raise ExportError(f"FHIR export of visit {visit_id} failed its checks: {problems}")
    return bundle


def bundle_json(visit_id: int) -> str:
    return build_bundle(visit_id).model_dump_json(indent=2)
