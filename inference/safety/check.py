"""Run the rule catalogue over the patient's words (transcript or typed complaint) and over
the AI's record.

The transcript check needs no model: it runs as soon as the text exists, before and
independently of the LLM. The record check reads the model's own wording ("shortness of
breath" where the patient said "I can't get my breath"), but only for items whose quote was
found in the transcript: every firing points at words a nurse can see and hear.

Escalation policy ("when unsure, escalate"):
- A rule fires "definite" at its full floor on an affirmed match. A match that relied on a
  one-letter ASR slip, or an infant's age read from the words instead of the record, fires at
  the same floor as "possible" so the nurse checks it.
- Weaker evidence listed in a rule's `possible_when` fires "possible" at `possible_floor`.
- Denied, hypothetical, someone else's and long-past findings never fire. Unknown age uses the
  adult vital-sign limits (the strictest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inference.evidence import Evidence, TranscriptIndex, locate_items
from inference.safety.checks import CHECKS
from inference.safety.document import Document
from inference.safety.match import Hit
from inference.safety.report import Firing, Level, SafetyReport, make_firing
from inference.safety.rules import RULES, Criterion, Rule
from inference.safety.text import sentence_bounds
from inference.transcript import Transcript
from inference.triage.schema import TriageRecord, Vital

# Below this age the patient is nobody's husband, wife, partner or grandparent.
ADULT_RELATIVE_BELOW_YEARS = 14.0


def _near(hits: list[Hit], anchor: Hit, within: int | None) -> Hit | None:
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h.first - anchor.first))
    if within is not None and abs(best.first - anchor.first) > within:
        return None
    return best


def _blocked(doc: Document, anchor: Hit, criterion: Criterion) -> bool:
    """An `unless` concept said in the anchor's sentence."""
    if not criterion.unless:
        return False
    lo, hi = sentence_bounds(doc.words, anchor.first)
    return any(lo <= h.first <= hi for c in criterion.unless for h in doc.affirmed(c))


def criterion_hits(
    doc: Document, criterion: Criterion, rule: Rule, age: float | None = None
) -> list[Hit] | None:
    """The hits that meet the criterion (anchor first), or None."""
    for anchor in doc.affirmed(criterion.all_of[0], hypothetical=rule.hypothetical_fires):
        if not rule.resolved_fires and doc.scopes.resolved_after(anchor):
            continue
        if (
            age is not None
            and age < ADULT_RELATIVE_BELOW_YEARS
            and doc.scopes.adult_relative(anchor)
        ):
            continue  # a child patient is not "my husband" who "had a fit on Sunday"
        if _blocked(doc, anchor, criterion):
            continue
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


def _evaluate(rule: Rule, doc: Document, age: float | None, source: str) -> Firing | None:
    if rule.check is not None:
        found = CHECKS[rule.check](rule, doc, age, source)
        if found is not None:
            return found
    for criterion in rule.criteria:
        hits = criterion_hits(doc, criterion, rule, age)
        if hits:
            weaker = any(h.fuzzy or doc.scopes.hypothetical(h) for h in hits)
            level: Level = "possible" if weaker else "definite"
            return make_firing(
                rule,
                doc,
                [(h.first, h.last) for h in hits],
                source=source,
                reason=" + ".join(dict.fromkeys(h.concept for h in hits)),
                level=level,
            )
    if rule.possible_floor is not None:
        for criterion in rule.possible_when:
            hits = criterion_hits(doc, criterion, rule, age)
            if hits:
                reason = " + ".join(dict.fromkeys(h.concept for h in hits)) + " (partial match)"
                return make_firing(
                    rule,
                    doc,
                    [(h.first, h.last) for h in hits],
                    source=source,
                    reason=reason,
                    level="possible",
                    floor=rule.possible_floor,
                )
    return None


def run_rules(
    doc: Document, age: float | None, source: str, rules: Sequence[Rule] = RULES
) -> SafetyReport:
    firings = [f for rule in rules if (f := _evaluate(rule, doc, age, source)) is not None]
    return SafetyReport.of(firings)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def transcript_document(index: TranscriptIndex) -> Document:
    def locate(start: int, end: int) -> Evidence:
        return index.evidence(index.text[start:end], start, end, 1.0)

    return Document(index.text, locate)


def check_transcript(
    transcript: Transcript | TranscriptIndex,
    *,
    age_years: float | None = None,
    source: str = "transcript",
    rules: Sequence[Rule] = RULES,
) -> SafetyReport:
    """Rules over the patient's words (a transcript, or a typed complaint as one segment)."""
    index = transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)
    return run_rules(transcript_document(index), age_years, source, rules)


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
    """Rules over the extracted record's supported items (layer "model"); evidence = each
    item's quote in the transcript."""
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
    text = ". ".join(parts)  # each item its own sentence: no scope leaks between items

    def locate(start: int, end: int) -> Evidence | None:
        for lo, hi, evidence in pieces:
            if lo <= start < hi:
                return evidence
        return None

    report = run_rules(Document(text, locate), age_years, "draft", rules)
    return SafetyReport.of([_as_model(f) for f in report.firings])


def _as_model(firing: Firing) -> Firing:
    return Firing(
        firing.rule_id,
        firing.rule_version,
        firing.esi_floor,
        firing.description,
        firing.source,
        firing.reason,
        firing.evidence,
        firing.level,
        "model",
    )
