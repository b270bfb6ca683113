"""Injuries: high-risk head injury and major trauma mechanisms."""

from __future__ import annotations

from inference.safety.criteria import C, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        id="head_injury_high_risk",
        title="High-risk head injury",
        version="1",
        category="head_injury",
        description="Head injury with knock-out, vomiting, confusion, seizure or blood thinners",
        esi_floor=2,
        guideline="NICE NG232 head injury (2023); Canadian CT head rule",
        criteria=(C("head injury", any_of=("head injury danger",)),),
    ),
    Rule(
        id="major_trauma",
        title="Major trauma",
        version="1",
        category="major_trauma",
        description="High-risk injury: crash at speed, fall from height, stabbing, shooting, "
        "hit by a vehicle",
        esi_floor=2,
        guideline="CDC/ACS 2021 National Guideline for the Field Triage of Injured Patients",
        criteria=(C("major trauma"),),
    ),
)
