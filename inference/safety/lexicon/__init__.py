"""The red-flag lexicon: what patients and carers say, as plain data a clinician can read.

- WORD_SETS (words.py): words the patterns share, used as `{chest}`.
- CONCEPTS: a concept (a finding such as "chest pain") is a list of patterns in the syntax
  of inference.safety.match. One module per body area; they are merged here.
- EXCEPTIONS: patterns that, overlapping a hit of the concept, mean it is not that concept
  ("food poisoning" is not a poisoning, "nearly passed out" is not a faint).
- scopes.py: cue words for denied, hypothetical, someone else's, and long-past findings.
"""

from __future__ import annotations

from inference.safety.lexicon import (
    blood_poison,
    body,
    heart_lungs,
    infection,
    injury,
    mind,
    neuro,
    pregnancy,
)
from inference.safety.lexicon.words import WORD_SETS

_AREAS = (heart_lungs, neuro, blood_poison, mind, injury, infection, pregnancy, body)


def _merge() -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for area in _AREAS:
        for name, patterns in area.CONCEPTS.items():
            if name in merged:
                raise ValueError(f"concept {name!r} is defined twice")
            merged[name] = patterns
    return merged


CONCEPTS: dict[str, tuple[str, ...]] = _merge()
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    name: patterns for area in _AREAS for name, patterns in getattr(area, "EXCEPTIONS", {}).items()
}
# "nearly passed out" is not a faint; a "fit note" is not a fit.
EXCEPTIONS["syncope"] = CONCEPTS["near syncope"]
EXCEPTIONS["seizure"] = CONCEPTS["not a seizure"]
EXCEPTIONS["heart attack"] = CONCEPTS["figurative heart attack"]
EXCEPTIONS["syncope"] = EXCEPTIONS["syncope"] + (
    "blacked out the|some|those|my|his|her ~ (dates|names|details|form|words|text|bits|parts|"
    "numbers|address|windows)",
    "fell out with|of",
    "passed out (the|some) (flyers|fliers|leaflets|handouts|pamphlets|programs|programmes|"
    "papers|candy|sweets|cards|invitations|presents|gifts|snacks|tickets|forms|bibles|"
    "hymn books|hymnals|newsletters)",
    "passed out (flyers|fliers|leaflets|handouts|pamphlets|programs|programmes|candy|sweets|"
    "invitations|snacks|tickets|hymn books|hymnals|newsletters)",
    "(collapsed|collapse|collapsing) ~ (into|onto|on) ~ (bed|the sofa|the couch|a chair|my bed|"
    "the bed|sofa|couch)",
)
EXCEPTIONS["airway threat"] = (
    "(nearly|almost) choked ~ (laughing|on my tea|on my coffee|on my drink|with laughter)",
    "choked laughing",
    "choked up",
    "choke up",
    "choking up",
    # "sorry, it's noisy in here": the room, not the breathing.
    "(its|it is|sorry|very|so|bit|really|too) noisy",
    "noisy (in|out) (here|there)",
)
# A chesty cough is a cough; a blood pressure or heart rate reading is not a pressing chest.
EXCEPTIONS["chest pain"] = (
    *EXCEPTIONS.get("chest pain", ()),
    "chesty (cough|coughs|cold|bug)",
    "heart rate|rates|beat|beats",
    "pressure ~ # (over|by) #",
)
# Blue or purple is cyanosis on the lips or face, not a stubbed toe or a bruise.
EXCEPTIONS["airway threat"] = (
    *EXCEPTIONS["airway threat"],
    "(toe|toes|finger|fingers|nail|nails|foot|feet|ankle|knee|leg|arm|hand|bruise|thumb|shin|"
    "wrist|elbow|hair|eye|eyes) ~ (gone|going|turned|turning|went|go|goes) (purple|blue|black)",
)
# "too much screen time, paracetamol helps": too much of something else.
EXCEPTIONS["overdose"] = (
    *EXCEPTIONS.get("overdose", ()),
    "too (much|many) (screen|screen time|time|work|stress|coffee|caffeine|sugar|sun|telly|tv|"
    "phone|gaming|sitting|noise|hours|late nights|shifts)",
)
# A shot record or a flu shot is a vaccine.
EXCEPTIONS["major trauma"] = (
    *EXCEPTIONS.get("major trauma", ()),
    "shot (record|records|card|cards|clinic|schedule|history|form|forms|reminder)",
    "(flu|covid|booster|tetanus|allergy|b12|vitamin|cortisone|steroid|hep|hepatitis) shot",
)
# "my blood pressure tablets": not a pressing chest pain.
EXCEPTIONS["cardiac quality"] = (
    "blood pressure",
    "bp",
    "pressure (tablets|pills|meds|medication|check|checks|cuff|machine|monitor|reading|readings)",
)
EXCEPTIONS["altered mental status"] = (
    "(grown|grew|growing|get|got|getting|talked|talk|snap|snapped) out of it",
)
# States, not events: being pregnant or diabetic is not over because the test was last week.
STATES = frozenset(("pregnancy", "after birth", "diabetes", "sepsis risk", "allergy mention"))

__all__ = ["CONCEPTS", "EXCEPTIONS", "STATES", "WORD_SETS"]
