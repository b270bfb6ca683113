"""The red-flag net: a floor under the ESI that only ever raises urgency.

Layers (union; each firing says which layer found it):
1. word rules (`check_transcript`): the catalogue in rules.py over the lexicon in lexicon/,
   with negation, hypothetical, someone-else and past scopes (scope.py) and numbers
   (numbers.py, checks.py);
2. meaning match (`semantic.py`): each sentence's embedding against exemplar phrases per
   rule;
3. the AI record (`check_record`): the rules over the model's own supported wording.
`net.RedFlagNet` runs the layers together wherever text enters.
"""

from inference.safety.check import check_record, check_transcript
from inference.safety.report import Firing, SafetyReport, apply_floor
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
