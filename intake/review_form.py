"""The nurse's form over a triage record: the AI draft comes in as initial values, the nurse's
record goes out in the same schema (inference.triage.schema.TriageRecord), so drafts, reviews
and the FHIR export read one shape.

Items the nurse leaves unchanged keep the draft's quote (their evidence); edited or added
items get an empty quote: the nurse is their source, not the transcript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from pydantic import ValidationError

from inference.triage.schema import TriageRecord

HPI = (
    ("onset", "Onset"),
    ("provocation", "Provocation / palliation"),
    ("quality", "Quality"),
    ("region_radiation", "Region / radiation"),
    ("time_course", "Time course"),
)
VITALS = (
    ("heart_rate", "Heart rate"),
    ("respiratory_rate", "Respiratory rate"),
    ("spo2", "SpO2"),
    ("temperature", "Temperature"),
    ("blood_pressure", "Blood pressure"),
)
# List fields: (name, label, the item's main key, its optional second key).
LISTS = (
    ("symptoms", "Symptoms", "name", None),
    ("allergies", "Allergies (substance - reaction)", "substance", "reaction"),
    ("medications", "Medications (name - dose)", "name", "dose"),
    ("history", "History", "condition", None),
    ("red_flags", "Red flags", "flag", None),
)
SEP = " - "
ESI_CHOICES = [(str(i), f"ESI {i}") for i in range(1, 6)]


def _text(value: str) -> forms.CharField:
    return forms.CharField(label=value, required=False, max_length=400)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # No initial value on purpose: the nurse must choose; the AI's level is shown beside it.
    final_esi = forms.TypedChoiceField(
        choices=ESI_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="Final ESI (your decision)",
        error_messages={"required": "Choose the final ESI: the AI's level is only a suggestion."},
    )
    chief_complaint = forms.CharField(label="Chief complaint", max_length=400)
    severity = forms.CharField(label="Severity (0-10 or mild/moderate/severe)", required=False)
    pain = forms.TypedChoiceField(
        label="Pain score",
        required=False,
        choices=[("", "not said")] + [(str(i), str(i)) for i in range(11)],
        coerce=int,
        empty_value=None,
    )
    rationale = forms.CharField(
        label="Rationale", required=False, max_length=400, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, draft: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft or {}
        for name, label in HPI:
            self.fields[f"hpi_{name}"] = _text(label)
        for name, label in VITALS:
            self.fields[f"vital_{name}"] = _text(label)
        for name, label, _, _ in LISTS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="One per line.",
            )
        if not self.is_bound:
            self.initial.update(initial_from(self.draft))

    def clean_severity(self) -> int | str | None:
        raw = str(self.cleaned_data.get("severity") or "").strip().lower()
        if not raw:
            return None
        if raw.isdigit() and 0 <= int(raw) <= 10:
            return int(raw)
        if raw in ("mild", "moderate", "severe"):
            return raw
        raise forms.ValidationError("Use 0-10 or mild, moderate or severe.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        record = record_from(cleaned, self.draft)
        try:
            TriageRecord.model_validate(record)
        except ValidationError as exc:
            raise forms.ValidationError(
                f"The record is not valid: {exc.errors()[0]['msg']}"
            ) from exc
        cleaned["record"] = record
        return cleaned


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _join(item: dict[str, Any], main: str, second: str | None) -> str:
    text = str(item.get(main) or "")
    if second and item.get(second):
        text += SEP + str(item[second])
    return text


def initial_from(record: dict[str, Any]) -> dict[str, Any]:
    if not record:
        return {}
    hpi = record.get("hpi") or {}
    vitals = record.get("vitals") or {}
    severity = (hpi.get("severity") or {}).get("value")
    initial: dict[str, Any] = {
        "chief_complaint": (record.get("chief_complaint") or {}).get("normalized", ""),
        "severity": "" if severity is None else str(severity),
        "pain": str(record["pain"]["score"]) if record.get("pain") else "",
        "rationale": (record.get("esi") or {}).get("rationale", ""),
    }
    for name, _ in HPI:
        initial[f"hpi_{name}"] = (hpi.get(name) or {}).get("text", "")
    for name, _ in VITALS:
        initial[f"vital_{name}"] = (vitals.get(name) or {}).get("value", "")
    for name, _, main, second in LISTS:
        initial[name] = "\n".join(_join(i, main, second) for i in record.get(name) or [])
    return initial


def _quote(old: dict[str, Any] | None, same: bool) -> str:
    return str((old or {}).get("quote", "")) if same else ""


def _kept(old: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    """{key: value, quote}: the draft item's quote when the nurse left its value as it was."""
    return {key: value, "quote": _quote(old, value == (old or {}).get(key))}


def record_from(cleaned: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """The nurse's record in the draft's schema; unchanged items keep their quotes."""
    hpi_old = draft.get("hpi") or {}
    vitals_old = draft.get("vitals") or {}
    record: dict[str, Any] = {
        "chief_complaint": _kept(
            draft.get("chief_complaint"), "normalized", cleaned["chief_complaint"].strip()
        ),
        "hpi": {},
        "symptoms": [],
        "pain": None,
        "vitals": {},
        "allergies": [],
        "medications": [],
        "history": [],
        "red_flags": [],
        "esi": {"level": cleaned["final_esi"], "rationale": cleaned.get("rationale", "").strip()},
    }
    for name, _ in HPI:
        if text := cleaned.get(f"hpi_{name}", "").strip():
            record["hpi"][name] = _kept(hpi_old.get(name), "text", text)
    if (severity := cleaned.get("severity")) is not None:
        record["hpi"]["severity"] = _kept(hpi_old.get("severity"), "value", severity)
    if (pain := cleaned.get("pain")) is not None:
        record["pain"] = _kept(draft.get("pain"), "score", pain)
    for name, _ in VITALS:
        if value := cleaned.get(f"vital_{name}", "").strip():
            record["vitals"][name] = _kept(vitals_old.get(name), "value", value)
    for name, _, main, second in LISTS:
        olds = {_join(i, main, second): i for i in draft.get(name) or []}
        for line in _lines(cleaned.get(name, "")):
            item: dict[str, Any] = {main: line}
            if second:
                head, _, tail = line.partition(SEP)
                item = {main: head.strip(), second: tail.strip() or None}
            item["quote"] = _quote(olds.get(line), line in olds)
            record[name].append(item)
    return record
