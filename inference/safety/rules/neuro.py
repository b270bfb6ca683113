"""Brain and mind: stroke, sudden headache, suicide and harm risk, unresponsive, confusion,
seizure, fainting."""

from __future__ import annotations

from inference.safety.criteria import ESI, C, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        id="stroke_signs",
        title="Stroke signs",
        version="2",
        category="stroke",
        description="Stroke signs: face droop, one-sided weakness or numbness, speech "
        "trouble or sudden loss of vision",
        esi_floor=2,
        guideline="AHA/ASA 2019 acute ischaemic stroke; BE-FAST",
        criteria=(
            C("face droop"),
            C("one sided weakness", unless=("injury context",)),
            C("speech problem", unless=("throat or voice",)),
            C("vision loss"),
        ),
    ),
    Rule(
        id="thunderclap_headache",
        title="Sudden worst headache",
        version="1",
        category="stroke",
        description="Sudden severe 'worst ever' headache (possible bleed in the brain)",
        esi_floor=2,
        guideline="NICE NG228 subarachnoid haemorrhage (2022); Ottawa SAH rule",
        criteria=(C("thunderclap headache"),),
    ),
    Rule(
        id="suicidal_homicidal",
        title="Suicide/harm risk",
        version="2",
        category="suicidal_homicidal",
        description="Thoughts of suicide, self-harm or harming others (also said indirectly, "
        "or voices telling them to)",
        esi_floor=2,
        guideline="NICE NG225 self-harm (2022); Columbia (C-SSRS) screener; " + ESI,
        criteria=(C("suicidal or homicidal ideation"),),
        hypothetical_fires=True,
    ),
    Rule(
        id="unresponsive",
        title="Unresponsive",
        version="1",
        category="unresponsive",
        description="Unresponsive or cannot be woken",
        esi_floor=1,
        guideline=ESI + " (decision point A: unresponsive)",
        criteria=(C("unresponsive"),),
        resolved_fires=False,
    ),
    Rule(
        id="altered_mental_status",
        title="Confused/drowsy",
        version="2",
        category="altered_mental_status",
        description="New confusion, disorientation or unusual drowsiness",
        esi_floor=2,
        guideline=ESI + " (decision point B: confused, lethargic or disoriented)",
        criteria=(C("altered mental status"),),
    ),
    Rule(
        id="seizure",
        title="Seizure",
        version="1",
        category="seizure",
        description="Seizure (fit), now or today",
        esi_floor=2,
        guideline="NICE NG217 epilepsies (2022); " + ESI,
        criteria=(C("seizure"),),
    ),
    Rule(
        id="syncope",
        title="Fainted/collapsed",
        version="1",
        category="syncope",
        description="Fainted, blacked out or collapsed",
        esi_floor=2,
        guideline="ESC 2018 syncope guideline; NICE CG109 transient loss of consciousness",
        criteria=(C("syncope"),),
    ),
)
