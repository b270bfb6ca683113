"""The extraction prompt. Bump PROMPT_VERSION whenever the wording changes: drafts record it.

Written for the weakest model we ship with: the bundled Gemma 3 270M is a base model that only
continues text, and its chat format drops system messages, so everything (instructions, an
example of the shape, the patient's words) sits in the single user turn. The grammar enforces
the shape; the prompt only has to make sensible *content* likely for the instruction-tuned
production models.
"""

from __future__ import annotations

import json
from typing import Any

from inference.triage.patient import PatientContext
from inference.triage.schema import record_template

PROMPT_VERSION = "triage-2026-11-1"

_INSTRUCTIONS = """\
You help a triage nurse. Read what the patient said and fill in a triage record as JSON.
Rules:
- Every "quote" must be copied word for word from the patient's words below.
- Use null or [] for anything the patient did not say. Never guess or invent.
- Vitals only when the patient states a number.
- Suggest an ESI level from 1 (most urgent) to 5 (least urgent) with a short rationale.
- The record is a draft for a nurse, who decides."""


def build_prompt(
    words: str,
    patient: PatientContext,
    *,
    typed: bool = False,
    photo_count: int = 0,
    note: str = "",
) -> str:
    source = "typed by staff" if typed else "transcribed from speech; may contain errors"
    example = json.dumps(record_template(), separators=(", ", ": "))
    lines = [
        _INSTRUCTIONS,
        "",
        "Example of the record's shape only (a made-up patient; do not copy its content):",
        example,
        "",
        f"Patient: {patient.describe()}.",
    ]
    if photo_count:
        lines.append(f"{photo_count} photo(s) of the problem follow; describe only what is seen.")
    if note:
        lines.append(note)
    lines += [f"Patient's words ({source}):", '"""', words.strip(), '"""', "", "Record:"]
    return "\n".join(lines)


def repair_suffix(problem: str) -> str:
    """Appended on the retry: the same prompt (its KV cache is reused) plus what went wrong."""
    return (
        f"\n(Your previous answer was rejected: {problem}. Answer again with one complete JSON "
        "record, short values, no repetition.)\nRecord:"
    )


def build_messages(prompt: str, image_uris: list[str]) -> list[dict[str, Any]]:
    """One user turn. Images go in as image_url parts holding data: URIs only."""
    for uri in image_uris:
        if not uri.startswith("data:image/"):
            raise ValueError("images must be passed as data:image/... URIs built from bytes")
    if not image_uris:
        return [{"role": "user", "content": prompt}]
    content: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    content += [{"type": "image_url", "image_url": {"url": uri}} for uri in image_uris]
    return [{"role": "user", "content": content}]
