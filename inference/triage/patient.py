"""What the intake knows about the patient before anyone listens to the recording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sex = Literal["female", "male", "other", "unknown"]


@dataclass(frozen=True)
class PatientContext:
    # Years as a float: infants matter (0.1 years is about five weeks). None: not recorded.
    age_years: float | None = None
    sex: Sex = "unknown"
    preferred_language: str = "en"  # BCP 47, asked of the ASR and shown to the model
    # Typed by staff when there is no recording (no consent, no microphone).
    chief_complaint: str | None = None

    def __post_init__(self) -> None:
        if self.age_years is not None and not 0 <= self.age_years < 130:
            raise ValueError(f"age_years must be within 0..130, got {self.age_years}")

    def describe(self) -> str:
        """A short line for the prompt, e.g. 'age 6 weeks, sex female'."""
        parts = []
        if self.age_years is not None:
            parts.append(f"age {format_age(self.age_years)}")
        if self.sex != "unknown":
            parts.append(f"sex {self.sex}")
        return ", ".join(parts) or "age and sex not recorded"


def format_age(years: float) -> str:
    if years < 1 / 12 * 3:
        return f"{round(years * 52.18)} weeks"
    if years < 2:
        return f"{round(years * 12)} months"
    return f"{int(years)} years"
