"""Deterministic red-flag rules: a floor under the ESI that only ever raises urgency.

The rule table is data (inference/safety/rules.py); this package matches it against the
patient's words and the extracted record, with negation handling and transcript evidence.
"""

from inference.safety.check import (
    Firing,
    SafetyReport,
    apply_floor,
    check_record,
    check_transcript,
)
from inference.safety.rules import RULES, Criterion, Rule

__all__ = [
    "RULES",
    "Criterion",
    "Firing",
    "Rule",
    "SafetyReport",
    "apply_floor",
    "check_record",
    "check_transcript",
]
