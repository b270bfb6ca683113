"""Provenance: who made what. Three records, so that no statement mixes the AI and the nurse
in a way that could make the AI's guess read as a decision:

- "draft"   the AI suggestion Observation, assembled by the model (a Device) from the
            transcript (and photos when the model saw them);
- "review"  the final record's resources (complaint, pain, vitals, allergies, medications,
            red flags): the model assembled them, the nurse verified them, derived from the
            AI draft (named by identifier: the draft itself is not a FHIR resource);
- "esi"     the ESI decision and the Encounter's priority: the nurse alone is the author.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.provenance import Provenance

from intake.fhir.context import ExportContext
from intake.fhir.ids import URI_SYSTEM, Entry, build, coding, concept, device_url, ref, resource_id
from intake.fhir.people import staff_display
from intake.models import AIDraft

PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def _agent(kind: str, who: dict[str, str]) -> dict[str, Any]:
    return {"type": concept(kind.capitalize(), coding(PARTICIPANT_TYPE, kind)), "who": who}


def _provenance(url: str, **data: Any) -> Entry:
    return Entry(url, build(Provenance, {"id": resource_id(url), **data}))


def draft_identifier(ctx: ExportContext, draft: AIDraft) -> dict[str, str]:
    return {"system": URI_SYSTEM, "value": ctx.url("aidraft", draft.pk)}


def draft_provenance(
    ctx: ExportContext, draft: AIDraft, ai_esi_url: str, photo_urls: list[str]
) -> Entry:
    sources = [ctx.transcript_url] if ctx.transcript_url else []
    if draft.photos_analysed:
        sources += photo_urls
    return _provenance(
        ctx.url("provenance", "draft", draft.pk),
        target=[ref(ai_esi_url)],
        recorded=draft.created_at,
        activity=concept("AI triage draft (suggestion)"),
        agent=[_agent("assembler", ref(device_url("llm", draft.model_id), draft.model_id))],
        entity=[{"role": "source", "what": ref(url)} for url in sources] or None,
    )


def review_provenance(ctx: ExportContext, targets: list[str]) -> Entry:
    nurse = _agent("verifier", ref(ctx.reviewer_url, staff_display(ctx.reviewer)))
    agents = [nurse]
    entities: list[dict[str, Any]] = []
    draft = ctx.draft
    if draft is not None:
        model = draft.model_id
        agents.append(_agent("assembler", ref(device_url("llm", model), model)))
        entities.append(
            {
                "role": "derivation",
                "what": {
                    "identifier": draft_identifier(ctx, draft),
                    "display": f"AI triage draft #{draft.pk} by {model} (a suggestion)",
                },
            }
        )
    if ctx.transcript_url:
        entities.append({"role": "source", "what": ref(ctx.transcript_url)})
    activity = "Manual nurse triage" if draft is None else "Nurse review of the AI draft"
    return _provenance(
        ctx.url("provenance", "review", ctx.review.pk),
        target=[ref(url) for url in targets],
        recorded=ctx.review.reviewed_at,
        activity=concept(activity),
        agent=agents,
        entity=entities or None,
    )


def esi_provenance(ctx: ExportContext, targets: list[str]) -> Entry:
    return _provenance(
        ctx.url("provenance", "esi", ctx.review.pk),
        target=[ref(url) for url in targets],
        recorded=ctx.review.reviewed_at,
        activity=concept("Final ESI set by the triage nurse"),
        agent=[_agent("author", ref(ctx.reviewer_url, staff_display(ctx.reviewer)))],
    )
