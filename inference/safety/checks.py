"""The rules that read numbers: danger-zone vitals by age, fever in a young infant, blood
sugar, and pain scores. Each takes (rule, document, age in years, source) and returns a
firing or None, like the word criteria in inference.safety.check."""

from __future__ import annotations

from collections.abc import Callable

from inference.safety.document import Document
from inference.safety.limits import (
    DIASTOLIC_AT_LEAST,
    GLUCOSE_HIGH_MG,
    GLUCOSE_HIGH_MMOL,
    GLUCOSE_LOW_MG,
    GLUCOSE_LOW_MMOL,
    GLUCOSE_MMOL_MAX,
    INFANT_BELOW_YEARS,
    PAIN_SEVERE,
    SPO2_BELOW,
    SYSTOLIC_AT_LEAST,
    SYSTOLIC_BELOW,
    VITAL_LIMITS,
    AgeBand,
)
from inference.safety.numbers import Reading, age_from_text, is_fever, pain_scores
from inference.safety.report import Firing, Level, make_firing
from inference.safety.rules import Rule
from inference.safety.text import sentence_bounds

Check = Callable[[Rule, Document, "float | None", str], "Firing | None"]


def _band(age_years: float | None) -> AgeBand:
    for band in VITAL_LIMITS:
        if age_years is not None and band.below_years is not None and age_years < band.below_years:
            return band
    return VITAL_LIMITS[-1]


def _vital_problem(r: Reading, band: AgeBand) -> str | None:
    if r.kind == "heart_rate" and r.value > band.heart_rate_above:
        return f"heart rate {r.value:g} > {band.heart_rate_above:g} ({band.label})"
    if r.kind == "heart_rate" and r.value < band.heart_rate_below:
        return f"heart rate {r.value:g} < {band.heart_rate_below:g} ({band.label})"
    if r.kind == "resp_rate" and r.value > band.resp_rate_above:
        return f"breathing rate {r.value:g} > {band.resp_rate_above:g} ({band.label})"
    if r.kind == "spo2" and r.value < SPO2_BELOW:
        return f"oxygen saturation {r.value:g}% < {SPO2_BELOW:g}%"
    if r.kind == "blood_pressure":
        said = f"{r.value:g}/{r.value2:g}" if r.value2 is not None else f"{r.value:g}/?"
        if r.value < SYSTOLIC_BELOW and (r.value2 is None or r.value > r.value2):
            return f"blood pressure {said}: systolic < {SYSTOLIC_BELOW:g}"
        if r.value >= SYSTOLIC_AT_LEAST or (r.value2 or 0) >= DIASTOLIC_AT_LEAST:
            return f"blood pressure {said}: severely high"
    return None


def _exercising(doc: Document, r: Reading) -> bool:
    """A heart or breathing rate taken while exercising ("165 when I'm sprinting")."""
    if r.kind not in ("heart_rate", "resp_rate"):
        return False
    lo, hi = sentence_bounds(doc.words, r.first)
    return any(lo <= h.first <= hi for h in doc.affirmed("exercise context"))


def vitals(rule: Rule, doc: Document, age: float | None, source: str) -> Firing | None:
    band = _band(age)
    reasons, spans = [], []
    for r in doc.readings:
        counts = doc.counts(r) and not _exercising(doc, r)
        problem = _vital_problem(r, band) if counts else None
        if problem:
            reasons.append(problem)
            spans.append((r.first, r.last))
    if not reasons:
        return None
    return make_firing(rule, doc, spans, source=source, reason="; ".join(reasons))


def infant_fever(rule: Rule, doc: Document, age: float | None, source: str) -> Firing | None:
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
    temps = [r for r in doc.readings if r.kind == "temperature" and doc.counts(r)]
    fevers = [r for r in temps if is_fever(r)]
    if fevers:
        spans += [(r.first, r.last) for r in fevers]
        unit = f" {fevers[0].unit}" if fevers[0].unit else ""
        reason = f"temperature {fevers[0].value:g}{unit} at age under 3 months"
        level: Level = "possible" if inferred else "definite"
        return make_firing(rule, doc, spans, source=source, reason=reason, level=level)
    claims = doc.affirmed("fever") + doc.affirmed("infant hot")
    if claims and not temps:
        # A fever reported without a number in a young infant: escalate, marked possible.
        first = min(claims, key=lambda h: h.first)
        spans.append((first.first, first.last))
        reason = "fever reported (no temperature given) under 3 months"
        return make_firing(rule, doc, spans, source=source, reason=reason, level="possible")
    return None


def _glucose_problem(r: Reading) -> tuple[str, Level] | None:
    """(reason, level) for a blood sugar outside the safe range."""
    mmol = r.value <= GLUCOSE_MMOL_MAX
    unit = "mmol/L" if mmol else "mg/dL"
    low, high = (GLUCOSE_LOW_MMOL, GLUCOSE_HIGH_MMOL) if mmol else (GLUCOSE_LOW_MG, GLUCOSE_HIGH_MG)
    if r.value < low:
        return f"blood sugar {r.value:g} {unit}: severely low", "definite"
    if r.value >= high:
        return f"blood sugar {r.value:g} {unit}: very high", "possible"
    return None


def glucose(rule: Rule, doc: Document, age: float | None, source: str) -> Firing | None:
    for r in doc.readings:
        if r.kind != "glucose" or not doc.counts(r):
            continue
        problem = _glucose_problem(r)
        if problem:
            reason, level = problem
            return make_firing(
                rule, doc, [(r.first, r.last)], source=source, reason=reason, level=level
            )
    return None


_PAIN_WORDS = frozenset(
    "pain pains painful hurts hurt hurting ache aching agony sore scale".split()  # noqa: SIM905
)


def pain_score(rule: Rule, doc: Document, age: float | None, source: str) -> Firing | None:
    """Pain of 7/10 or more: ESI decision point B. 8+ is definite, 7 possible."""
    for score in pain_scores(doc.words):
        if score.value < PAIN_SEVERE or not doc.counts(score):
            continue
        lo, hi = sentence_bounds(doc.words, score.first)
        explicit = any(
            w.norm in ("out", "/", "of") for w in doc.words[score.first : score.last + 1]
        )
        if not explicit and not any(w.norm in _PAIN_WORDS for w in doc.words[lo : hi + 1]):
            continue
        level: Level = "definite" if score.value >= PAIN_SEVERE + 1 else "possible"
        reason = f"pain {score.value:g}/10"
        return make_firing(
            rule, doc, [(score.first, score.last)], source=source, reason=reason, level=level
        )
    return None


CHECKS: dict[str, Check] = {
    "vitals": vitals,
    "infant_fever": infant_fever,
    "glucose": glucose,
    "pain_score": pain_score,
}
