"""Run the rule table over a transcript (or typed complaint) and over an extracted record.

The transcript check needs no model: it runs as soon as the transcript exists, before and
independently of the LLM. The record check reads the model's own wording ("shortness of
breath" where the patient said "I can't get my breath"), but only for items whose quote was
found in the transcript: every firing must point at words a nurse can see and hear.

Escalation policy ("when unsure, escalate"):
- A rule fires at its full floor on an affirmed match. A match that relied on a one-letter
  ASR slip, or an age read from the words instead of the record, fires at the same floor with
  `possible=True` so the nurse checks it.
- Weaker evidence listed in a rule's `possible_when` fires as possible at `possible_floor`.
- Negated findings never fire. Unknown age uses the adult vital-sign limits (the strictest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from inference.evidence import Evidence, TranscriptIndex, locate_items
from inference.safety.match import Hit, Word, find_concept, words_of
from inference.safety.rules import (
    FEVER_C,
    FEVER_F,
    INFANT_BELOW_YEARS,
    RULES,
    SPO2_BELOW,
    VITAL_LIMITS,
    AgeBand,
    Criterion,
    Rule,
)
from inference.safety.vitals import Reading, age_from_text, find_readings
from inference.transcript import Transcript
from inference.triage.schema import TriageRecord, Vital


@dataclass(frozen=True)
class Firing:
    rule_id: str
    rule_version: str
    esi_floor: int
    description: str
    source: str  # "transcript" | "typed" | "draft" (as SafetyFiring.Source)
    reason: str  # what matched, e.g. "chest pain + shortness of breath"
    evidence: tuple[Evidence, ...]
    possible: bool = False  # weaker evidence: a nurse should check it

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "esi_floor": self.esi_floor,
            "description": self.description,
            "source": self.source,
            "reason": self.reason,
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


# --------------------------------------------------------------------------------------------
# Documents: words to check and a way back to transcript evidence
# --------------------------------------------------------------------------------------------


class _Document:
    def __init__(self, text: str, locate: Callable[[int, int], Evidence | None]) -> None:
        self.words: list[Word] = words_of(text)
        self._locate = locate
        self._hits: dict[str, list[Hit]] = {}

    def affirmed(self, concept: str) -> list[Hit]:
        if concept not in self._hits:
            self._hits[concept] = [h for h in find_concept(self.words, concept) if not h.negated]
        return self._hits[concept]

    def evidence(self, first: int, last: int) -> Evidence | None:
        return self._locate(self.words[first].start, self.words[last].end)


def _near(hits: list[Hit], anchor: Hit, within: int | None) -> Hit | None:
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h.first - anchor.first))
    if within is not None and abs(best.first - anchor.first) > within:
        return None
    return best


def _criterion_hits(doc: _Document, criterion: Criterion) -> list[Hit] | None:
    anchors = doc.affirmed(criterion.all_of[0])
    for anchor in anchors:
        chosen = [anchor]
        for concept in criterion.all_of[1:]:
            hit = _near(doc.affirmed(concept), anchor, criterion.within)
            if hit is None:
                break
            chosen.append(hit)
        else:
            if criterion.any_of:
                extra = [_near(doc.affirmed(c), anchor, criterion.within) for c in criterion.any_of]
                found = [h for h in extra if h is not None]
                if not found:
                    continue
                chosen.extend(found)
            return chosen
    return None


def _firing(
    rule: Rule, floor: int, doc: _Document, spans: list[tuple[int, int]], **kw: Any
) -> Firing:
    evidence: list[Evidence] = []
    for first, last in spans:
        found = doc.evidence(first, last)
        if found is not None and found not in evidence:
            evidence.append(found)
    return Firing(rule.id, rule.version, floor, rule.description, evidence=tuple(evidence), **kw)


def _band(age_years: float | None) -> AgeBand:
    for band in VITAL_LIMITS:
        if age_years is not None and band.below_years is not None and age_years < band.below_years:
            return band
    return VITAL_LIMITS[-1]


def _vitals(rule: Rule, doc: _Document, age: float | None, source: str) -> Firing | None:
    band = _band(age)
    reasons, spans = [], []
    for r in find_readings(doc.words):
        if r.negated:
            continue
        if r.kind == "heart_rate" and r.value > band.heart_rate_above:
            reasons.append(f"heart rate {r.value:g} > {band.heart_rate_above:g} ({band.label})")
        elif r.kind == "resp_rate" and r.value > band.resp_rate_above:
            reasons.append(f"breathing rate {r.value:g} > {band.resp_rate_above:g} ({band.label})")
        elif r.kind == "spo2" and r.value < SPO2_BELOW:
            reasons.append(f"oxygen saturation {r.value:g}% < {SPO2_BELOW:g}%")
        else:
            continue
        spans.append((r.first, r.last))
    if not reasons:
        return None
    return _firing(rule, rule.esi_floor, doc, spans, source=source, reason="; ".join(reasons))


def _is_fever(r: Reading) -> bool:
    celsius = r.celsius()
    if celsius is None:
        return False
    # Compare in the unit that was said so 100.4 F counts exactly (38.0 C is 100.4 F).
    return r.value >= FEVER_F if (r.unit == "F" or r.value >= 86) else celsius >= FEVER_C


def _infant_fever(rule: Rule, doc: _Document, age: float | None, source: str) -> Firing | None:
    spans: list[tuple[int, int]] = []
    inferred = False
    if age is None:
        said = age_from_text(doc.words)
        if said is None:
            return None
        age, inferred = said[0], True
        spans.append((said[1], said[2]))
    if age >= INFANT_BELOW_YEARS:
        return None
    temps = [r for r in find_readings(doc.words) if r.kind == "temperature" and not r.negated]
    fevers = [r for r in temps if _is_fever(r)]
    if fevers:
        spans += [(r.first, r.last) for r in fevers]
        unit = f" {fevers[0].unit}" if fevers[0].unit else ""
        reason = f"temperature {fevers[0].value:g}{unit} at age under 3 months"
        return _firing(
            rule, rule.esi_floor, doc, spans, source=source, reason=reason, possible=inferred
        )
    claims = doc.affirmed("fever")
    if claims and not temps:
        # A fever reported without a number in a young infant: escalate, marked possible.
        spans.append((claims[0].first, claims[0].last))
        reason = "fever reported (no temperature given) under 3 months"
        return _firing(
            rule, rule.esi_floor, doc, spans, source=source, reason=reason, possible=True
        )
    return None


def _evaluate(rule: Rule, doc: _Document, age: float | None, source: str) -> Firing | None:
    if rule.check == "vitals":
        return _vitals(rule, doc, age, source)
    if rule.check == "infant_fever":
        return _infant_fever(rule, doc, age, source)
    for criterion in rule.criteria:
        hits = _criterion_hits(doc, criterion)
        if hits:
            reason = " + ".join(dict.fromkeys(h.concept for h in hits))
            spans = [(h.first, h.last) for h in hits]
            possible = any(h.fuzzy for h in hits)
            return _firing(
                rule, rule.esi_floor, doc, spans, source=source, reason=reason, possible=possible
            )
    if rule.possible_floor is not None:
        for criterion in rule.possible_when:
            hits = _criterion_hits(doc, criterion)
            if hits:
                reason = " + ".join(dict.fromkeys(h.concept for h in hits)) + " (partial match)"
                spans = [(h.first, h.last) for h in hits]
                return _firing(
                    rule,
                    rule.possible_floor,
                    doc,
                    spans,
                    source=source,
                    reason=reason,
                    possible=True,
                )
    return None


def _run(doc: _Document, age: float | None, source: str, rules: Sequence[Rule]) -> SafetyReport:
    firings = [f for rule in rules if (f := _evaluate(rule, doc, age, source)) is not None]
    return SafetyReport.of(firings)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def check_transcript(
    transcript: Transcript | TranscriptIndex,
    *,
    age_years: float | None = None,
    source: str = "transcript",
    rules: Sequence[Rule] = RULES,
) -> SafetyReport:
    """Rules over the patient's words (a transcript, or a typed complaint as one segment)."""
    index = transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)

    def locate(start: int, end: int) -> Evidence:
        return index.evidence(index.text[start:end], start, end, 1.0)

    return _run(_Document(index.text, locate), age_years, source, rules)


_VITAL_LABELS = {
    "heart_rate": "heart rate",
    "respiratory_rate": "respiratory rate",
    "spo2": "oxygen",
    "temperature": "temperature",
    "blood_pressure": "blood pressure",
}


def _item_text(path: str, item: Any) -> str:
    """The model's own wording for an item (its quote is covered by the transcript check)."""
    if isinstance(item, Vital):
        return f"{_VITAL_LABELS.get(path.rsplit('.', 1)[-1], '')} {item.value}"
    fields = [
        str(getattr(item, name))
        for name in type(item).model_fields
        if name != "quote" and isinstance(getattr(item, name), str)
    ]
    return " ".join(fields)


def check_record(
    record: TriageRecord,
    transcript: Transcript | TranscriptIndex,
    *,
    age_years: float | None = None,
    threshold: float = 0.8,
    rules: Sequence[Rule] = RULES,
) -> SafetyReport:
    """Rules over the extracted record's supported items; evidence = each item's quote."""
    index = transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)
    items = record.items()
    located = locate_items(
        [(p, str(getattr(i, "quote", ""))) for p, i in items], index, threshold=threshold
    )
    pieces: list[tuple[int, int, Evidence]] = []
    parts: list[str] = []
    position = 0
    for (path, item), found in zip(items, located, strict=True):
        text = _item_text(path, item).strip()
        if not found.evidence.supported or not text:
            continue  # no transcript evidence: the nurse sees it flagged in the draft instead
        pieces.append((position, position + len(text), found.evidence))
        parts.append(text)
        position += len(text) + 2
    text = ". ".join(parts)  # each item its own clause: no negation leaks between items

    def locate(start: int, end: int) -> Evidence | None:
        for lo, hi, evidence in pieces:
            if lo <= start < hi:
                return evidence
        return None

    return _run(_Document(text, locate), age_years, "draft", rules)
