"""The triage record the LLM fills in: a versioned pydantic schema, plus its grammar schema.

Every extracted item carries `quote`: the patient's exact words from the transcript that
support it. The evidence matcher (inference.evidence) later locates each quote in the
transcript; the model's paraphrase is never trusted on its own.

Two views of the same schema:
- `TriageRecord` (pydantic) validates whatever came back. Its caps (HARD_*) are generous and
  fixed, so a record stored under SCHEMA_VERSION "1" always validates again later.
- `grammar_schema(bounds)` is the JSON schema handed to llama.cpp's grammar. It adds the
  *configured* bounds (`Bounds`, always within the hard caps) to every string and array and
  makes every key required in a fixed order. Bounds matter more than they look: llama-cpp-
  python's schema converter ignores minimum/maximum (hence enums for ESI and severity), and an
  unbounded string lets a small model repeat itself until max_tokens.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SCHEMA_VERSION = "1"

# Fixed caps of the stored schema. Configured bounds must stay within them.
HARD_STRING = 400
HARD_QUOTE = 400
HARD_ITEMS = 20

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=HARD_STRING)]
Quote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=HARD_QUOTE)]

EsiLevel = Literal[1, 2, 3, 4, 5]
PainScore = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
SeverityWord = Literal["mild", "moderate", "severe"]


class _Item(BaseModel):
    # Extra keys and coerced types ("3" for 3) are errors, not noise: the grammar cannot
    # produce them, so such an output did not come from our constrained decoder.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ChiefComplaint(_Item):
    normalized: Text = Field(description="short clinical form, e.g. 'chest pain'")
    quote: Quote = Field(description="the patient's own words")


class Finding(_Item):
    text: Text
    quote: Quote


class Severity(_Item):
    value: PainScore | SeverityWord
    quote: Quote


class Hpi(_Item):
    """History of present illness as OPQRST; None where the patient did not say."""

    onset: Finding | None = None
    provocation: Finding | None = None
    quality: Finding | None = None
    region_radiation: Finding | None = None
    severity: Severity | None = None
    time_course: Finding | None = None


class Symptom(_Item):
    name: Text
    quote: Quote


class Pain(_Item):
    score: PainScore
    quote: Quote


class Vital(_Item):
    value: Text = Field(description="as said, e.g. '120', '38.5 C', '150/90'")
    quote: Quote


class Vitals(_Item):
    heart_rate: Vital | None = None
    respiratory_rate: Vital | None = None
    spo2: Vital | None = None
    temperature: Vital | None = None
    blood_pressure: Vital | None = None


class Allergy(_Item):
    substance: Text
    reaction: Text | None = None
    quote: Quote


class Medication(_Item):
    name: Text
    dose: Text | None = None
    quote: Quote


class HistoryItem(_Item):
    condition: Text
    quote: Quote


class RedFlag(_Item):
    flag: Text
    quote: Quote


class Esi(_Item):
    level: EsiLevel
    rationale: Text


def _dedupe(items: list[Any]) -> list[Any]:
    # A looping model repeats the same item up to maxItems; identical items add nothing.
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


class TriageRecord(_Item):
    chief_complaint: ChiefComplaint
    hpi: Hpi = Field(default_factory=Hpi)
    symptoms: list[Symptom] = Field(default_factory=list, max_length=HARD_ITEMS)
    pain: Pain | None = None
    vitals: Vitals = Field(default_factory=Vitals)
    allergies: list[Allergy] = Field(default_factory=list, max_length=HARD_ITEMS)
    medications: list[Medication] = Field(default_factory=list, max_length=HARD_ITEMS)
    history: list[HistoryItem] = Field(default_factory=list, max_length=HARD_ITEMS)
    red_flags: list[RedFlag] = Field(default_factory=list, max_length=HARD_ITEMS)
    esi: Esi

    @field_validator("symptoms", "allergies", "medications", "history", "red_flags")
    @classmethod
    def _no_duplicates(cls, items: list[Any]) -> list[Any]:
        return _dedupe(items)

    def items(self) -> list[tuple[str, BaseModel]]:
        """(path, item) for every extracted item (everything with a quote), in order."""
        return list(_walk_items(self, ""))

    def quotes(self) -> list[tuple[str, str]]:
        """(path, quote) for every extracted item, e.g. ("hpi.onset", "since Monday")."""
        return [(path, str(getattr(item, "quote", ""))) for path, item in self.items()]


def _walk_items(node: Any, path: str) -> Iterator[tuple[str, BaseModel]]:
    if isinstance(node, BaseModel):
        if isinstance(getattr(node, "quote", None), str):
            yield path, node
        for name in type(node).model_fields:
            yield from _walk_items(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _walk_items(child, f"{path}[{i}]")


@dataclass(frozen=True)
class Bounds:
    """Lengths the grammar allows; smaller means faster, cheaper and less room to ramble."""

    max_string: int = 80  # names, normalized forms, vital values
    max_quote: int = 160
    max_rationale: int = 200
    max_items: int = 4  # per list (symptoms, medications, ...)

    def __post_init__(self) -> None:
        for name, value, cap in (
            ("max_string", self.max_string, HARD_STRING),
            ("max_quote", self.max_quote, HARD_QUOTE),
            ("max_rationale", self.max_rationale, HARD_STRING),
            ("max_items", self.max_items, HARD_ITEMS),
        ):
            if not 1 <= value <= cap:
                raise ValueError(f"{name} must be within 1..{cap}, got {value}")


def _bound(node: Any, bounds: Bounds, key: str | None) -> None:
    """Walk pydantic's JSON schema in place: bound strings/arrays, require every key."""
    if isinstance(node, list):
        for child in node:
            _bound(child, bounds, key)
        return
    if not isinstance(node, dict):
        return
    for meta in ("title", "description", "default"):
        node.pop(meta, None)  # never a property here: property maps are walked below
    if node.get("type") == "string" and "enum" not in node:
        limit = {"quote": bounds.max_quote, "rationale": bounds.max_rationale}
        node["maxLength"] = limit.get(key or "", bounds.max_string)
    if node.get("type") == "array":
        node["maxItems"] = bounds.max_items
    if "properties" in node:
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False
        for name, child in node["properties"].items():
            _bound(child, bounds, name)
    for nested in ("$defs", "items", "anyOf"):
        if nested in node:
            child = node[nested]
            if nested == "$defs":
                for sub in child.values():
                    _bound(sub, bounds, None)
            else:
                _bound(child, bounds, key)


def grammar_schema(bounds: Bounds) -> dict[str, Any]:
    """The JSON schema for constrained decoding under `bounds` (a fresh dict each call)."""
    schema = copy.deepcopy(TriageRecord.model_json_schema())
    _bound(schema, bounds, None)
    return schema


def record_template() -> dict[str, Any]:
    """A filled-in example of the record's shape for the prompt: a made-up, low-acuity patient.

    Small models copy examples. A low-acuity example copied by mistake cannot raise a false
    alarm, and the deterministic safety rules (which read the transcript itself) still catch
    real red flags whatever the model wrote.
    """
    return {
        "chief_complaint": {"normalized": "ankle injury", "quote": "I twisted my ankle"},
        "hpi": {
            "onset": {"text": "yesterday", "quote": "yesterday at football"},
            "provocation": {"text": "worse walking", "quote": "it hurts when I walk"},
            "quality": None,
            "region_radiation": {"text": "right ankle", "quote": "my right ankle"},
            "severity": {"value": 4, "quote": "about a four"},
            "time_course": None,
        },
        "symptoms": [{"name": "swelling", "quote": "it's swollen"}],
        "pain": {"score": 4, "quote": "about a four"},
        "vitals": {
            "heart_rate": None,
            "respiratory_rate": None,
            "spo2": None,
            "temperature": None,
            "blood_pressure": None,
        },
        "allergies": [],
        "medications": [],
        "history": [],
        "red_flags": [],
        "esi": {"level": 4, "rationale": "minor injury, walking"},
    }
