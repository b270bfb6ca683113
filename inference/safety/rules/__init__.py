"""The red-flag catalogue: plain data a clinician can read, review and extend, one module per
body area (as the lexicon). RULES keeps the order the net reports them in.

How to read a rule: inference.safety.criteria. The concepts: inference.safety.lexicon.
"""

from __future__ import annotations

from inference.safety.criteria import Criterion, Rule
from inference.safety.rules import blood_poison, body, heart_lungs, infection, injury, neuro

__all__ = ["RULES", "RULES_BY_ID", "Criterion", "Rule", "rule_description", "rule_title"]

# The order of the catalogue before it was split: firings are reported in it.
_ORDER = (
    "chest_pain_acs",
    "aortic_dissection",
    "stroke_signs",
    "thunderclap_headache",
    "anaphylaxis",
    "airway_threat",
    "breathing_distress",
    "toxic_inhalation",
    "danger_zone_vitals",
    "severe_bleeding",
    "gi_bleeding",
    "overdose_poisoning",
    "dangerous_ingestion",
    "suicidal_homicidal",
    "unresponsive",
    "altered_mental_status",
    "seizure",
    "syncope",
    "head_injury_high_risk",
    "major_trauma",
    "meningitis_sepsis",
    "infant_fever",
    "pregnancy_emergency",
    "diabetic_emergency",
    "acute_limb_ischaemia",
    "testicular_torsion",
    "severe_pain",
)
_ALL = {
    rule.id: rule
    for area in (heart_lungs, neuro, blood_poison, injury, infection, body)
    for rule in area.RULES
}
if sorted(_ALL) != sorted(_ORDER):
    raise ValueError("a rule is missing from the catalogue's order, or listed twice")
RULES: tuple[Rule, ...] = tuple(_ALL[rule_id] for rule_id in _ORDER)


RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rule_title(rule_id: str) -> str:
    """The queue badge for a rule id (one retired from the catalogue: its id, readable)."""
    rule = RULES_BY_ID.get(rule_id)
    return rule.title if rule else rule_id.replace("_", " ")


def rule_description(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.description if rule else rule_id.replace("_", " ")
