"""What the pipeline tells staff when it cannot finish a visit: shown on the queue and the
review page, so each says what happened and what to do (triage by hand, ask IT)."""

from __future__ import annotations

DRAFT_FAILED = "The AI could not produce a draft; triage this visit by hand."
MODEL_MISSING = "The AI model file is missing on the server; ask IT. Triage this visit by hand."
TOO_SLOW = "Processing took too long; triage this visit by hand."
KEEPS_STOPPING = "Processing stopped several times; triage this visit by hand."
ASR_KEEPS_CRASHING = (
    "This recording stopped the speech engine {n} times; triage this visit by hand (the "
    "recording is kept)."
)
LLM_KEEPS_CRASHING = "This visit stopped the AI draft engine {n} times; triage it by hand."
INTERNAL_ERROR = "Processing failed unexpectedly; triage this visit by hand."

PHOTOS_ONLY = (
    "Photos only: there are no words to screen for red flags or to draft from. Look at the "
    "photos, ask the patient, and triage by hand."
)
