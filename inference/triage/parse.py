"""Model output -> validated TriageRecord, or a typed failure a nurse can read.

Never raises on bad output: garbage, truncation, loops, wrong types and out-of-range values
all become `ExtractionFailed` with a code, a plain-language message and a bounded excerpt of
the raw output (for the visit's record; patient words, so it is never logged).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from inference.triage.schema import TriageRecord

EXCERPT_CHARS = 240  # from each end of the raw output

_MESSAGES = {
    "empty": "The AI returned nothing.",
    "not_json": "The AI's answer was not a structured record.",
    "invalid_json": "The AI's answer was not a well-formed record.",
    "truncated": "The AI's answer was cut off before it was complete.",
    "repetitive": "The AI got stuck repeating itself.",
    "schema_invalid": "The AI's record had missing or invalid fields.",
    "prompt_too_long": "The transcript is too long for the AI model's context.",
    "model_error": "The AI model failed while drafting the record.",
}
_MANUAL = " No AI draft: please triage this visit manually from the transcript."


@dataclass(frozen=True)
class ExtractionFailed:
    code: str
    user_message: str
    raw_output_excerpt: str = ""
    detail: str = ""  # technical, for developers (validation errors); no patient words
    attempts: int = 1
    model_id: str = ""
    prompt_version: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, code: str, raw: str = "", detail: str = "") -> ExtractionFailed:
        return cls(
            code=code,
            user_message=_MESSAGES.get(code, "The AI draft failed.") + _MANUAL,
            raw_output_excerpt=excerpt(raw),
            detail=detail,
        )


def excerpt(raw: str) -> str:
    if len(raw) <= 2 * EXCERPT_CHARS + 5:
        return raw
    return f"{raw[:EXCERPT_CHARS]} [...] {raw[-EXCERPT_CHARS:]}"


def looks_repetitive(text: str, *, min_span: int = 40, min_repeats: int = 3) -> bool:
    """True when the text ends in one chunk repeated >= min_repeats times (a decoding loop).

    Checks every period up to 200 characters against the tail, which is what a looping
    model leaves behind ("pain pain pain", '{"name": "x"}, {"name": "x"}, ...').
    """
    tail = text.rstrip()
    for period in range(1, 201):
        if period * min_repeats > len(tail):
            break
        unit = tail[-period:]
        repeats = 1
        while tail[-period * (repeats + 1) : len(tail) - period * repeats] == unit:
            repeats += 1
        if repeats >= min_repeats and repeats * period >= min_span:
            return True
    return False


def _describe(errors: list[Any]) -> str:
    # Field paths and error types only: the offending *values* are patient words.
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in errors[:6]]
    return "; ".join(parts)


def parse_record(raw: str, finish_reason: str = "stop") -> TriageRecord | ExtractionFailed:
    text = raw.strip()
    if not text:
        return ExtractionFailed.of("empty")
    if not text.startswith("{"):
        code = "repetitive" if looks_repetitive(text) else "not_json"
        return ExtractionFailed.of(code, raw, "output does not start with '{'")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        cut_off = exc.msg.startswith("Unterminated string") or exc.pos >= len(text) - 1
        if finish_reason == "length" or cut_off:
            # Stopped before the record was complete: say whether a loop was the cause.
            code = "repetitive" if looks_repetitive(text) else "truncated"
            return ExtractionFailed.of(code, raw, "output ended before the record was complete")
        return ExtractionFailed.of("invalid_json", raw, f"{exc.msg} at char {exc.pos}")
    if not isinstance(data, dict):
        return ExtractionFailed.of("not_json", raw, "top level is not an object")
    try:
        return TriageRecord.model_validate(data)
    except ValidationError as exc:
        return ExtractionFailed.of("schema_invalid", raw, _describe(exc.errors()))
