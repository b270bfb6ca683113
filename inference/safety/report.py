"""What the red-flag net says: firings (which rule, how sure, which layer, on which words)
and the report that combines them into an ESI floor that only ever raises urgency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from inference.evidence import Evidence
from inference.safety.document import Document
from inference.safety.rules import Rule

Level = Literal["definite", "possible"]
Layer = Literal["rules", "semantic", "model"]
LAYER_NAMES: dict[str, str] = {
    "rules": "word rules",
    "semantic": "meaning match",
    "model": "AI record",
}


@dataclass(frozen=True)
class Firing:
    rule_id: str
    rule_version: str
    esi_floor: int
    description: str
    source: str  # "transcript" | "typed" | "draft" (as SafetyFiring.Source)
    reason: str  # what matched, e.g. "chest pain + shortness of breath"
    evidence: tuple[Evidence, ...]
    level: Level = "definite"
    layer: Layer = "rules"

    @property
    def possible(self) -> bool:
        return self.level == "possible"

    @property
    def quote(self) -> str:
        """The matched words, as the patient said them."""
        return " … ".join(e.matched_text or e.quote for e in self.evidence)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "esi_floor": self.esi_floor,
            "description": self.description,
            "source": self.source,
            "reason": self.reason,
            "level": self.level,
            "layer": self.layer,
            "possible": self.possible,
            "evidence": [e.as_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class SafetyReport:
    firings: tuple[Firing, ...] = ()
    esi_floor: int | None = None  # the most urgent floor among the firings; None: no firing

    @classmethod
    def of(cls, firings: Sequence[Firing]) -> SafetyReport:
        floors = [f.esi_floor for f in firings]
        return cls(tuple(firings), min(floors) if floors else None)

    def merged(self, other: SafetyReport) -> SafetyReport:
        return SafetyReport.of([*self.firings, *other.firings])

    def as_json(self) -> dict[str, Any]:
        return {"esi_floor": self.esi_floor, "firings": [f.as_json() for f in self.firings]}


def apply_floor(model_esi: int | None, floor: int | None) -> int | None:
    """The suggested ESI after the rules: never less urgent than the floor, never lowered."""
    if model_esi is None:
        return floor
    if floor is None:
        return model_esi
    return min(model_esi, floor)


def make_firing(
    rule: Rule,
    doc: Document,
    spans: Sequence[tuple[int, int]],
    *,
    source: str,
    reason: str,
    level: Level = "definite",
    floor: int | None = None,
    layer: Layer = "rules",
) -> Firing:
    evidence: list[Evidence] = []
    for first, last in spans:
        found = doc.evidence(first, last)
        if found is not None and found not in evidence:
            evidence.append(found)
    return Firing(
        rule.id,
        rule.version,
        floor if floor is not None else rule.esi_floor,
        rule.description,
        source,
        reason,
        tuple(evidence),
        level,
        layer,
    )
