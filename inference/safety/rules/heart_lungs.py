"""Heart, lungs and airway: heart attack, dissection, anaphylaxis, airway, breathing, fumes,
vitals."""

from __future__ import annotations

from inference.safety.criteria import ESI, C, Rule

# What makes chest pain cardiac.
CARDIAC_COMPANIONS = (
    "radiation",
    "shortness of breath",
    "sweating",
    "nausea",
    "heart attack",
    "cardiac quality",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="chest_pain_acs",
        title="Possible heart attack",
        version="2",
        category="acs",
        description="Chest pain or pressure that may be a heart attack (with radiation, "
        "breathlessness, sweating or nausea)",
        esi_floor=2,
        guideline="2021 AHA/ACC chest pain guideline; " + ESI + " (high-risk chest pain)",
        criteria=(
            C("chest pain", any_of=CARDIAC_COMPANIONS, unless=("reproducible chest pain",)),
            C("indigestion", any_of=("radiation", "sweating", "shortness of breath"), within=40),
            C("heart attack"),
        ),
        # Chest pain alone is never ESI 4-5: fire as possible so a nurse sees it early; arm
        # or jaw pain with sweating ("I thought it was indigestion...") likewise.
        possible_when=(
            C("chest pain", unless=("indigestion context", "chest wall context")),
            C("radiation", any_of=("sweating",), within=20),
        ),
        possible_floor=2,
    ),
    Rule(
        id="aortic_dissection",
        title="Tearing chest/back pain",
        version="1",
        category="aortic_dissection",
        description="Sudden tearing or ripping pain in the chest or back (aortic dissection)",
        esi_floor=2,
        guideline="2022 ACC/AHA aortic disease guideline (high-risk pain features)",
        criteria=(
            C("tearing pain"),
            C("aneurysm", any_of=("sudden severe pain", "severe pain words", "syncope")),
        ),
    ),
    Rule(
        id="anaphylaxis",
        title="Anaphylaxis",
        version="3",
        category="anaphylaxis",
        description="Anaphylaxis: swelling of throat, tongue or lips, or breathing trouble, "
        "after a trigger or with hives",
        esi_floor=1,
        guideline="WAO anaphylaxis guidance 2020; Resuscitation Council UK 2021",
        criteria=(
            C("throat swelling", any_of=("allergy trigger", "hives", "shortness of breath")),
            C("shortness of breath", any_of=("allergy trigger", "hives"), within=40),
            C("throat swelling", "allergy mention"),
            C("allergy trigger", any_of=("breathing distress", "airway threat"), within=40),
            C("voice change", any_of=("allergy trigger", "hives"), within=40),
        ),
        # A swollen throat alone may be a sore throat, or an airway closing; an allergy named
        # near breathing trouble may be history or a reaction: a nurse decides.
        possible_when=(
            C("throat swelling"),
            C("shortness of breath", any_of=("allergy mention",), within=25),
            C("hives", any_of=("allergy trigger",), within=25),
        ),
        possible_floor=2,
    ),
    Rule(
        id="airway_threat",
        title="Airway in danger",
        version="1",
        category="airway_breathing",
        description="Airway or breathing in danger: not breathing, choking, noisy breathing "
        "(stridor) or turning blue",
        esi_floor=1,
        guideline=ESI + " (decision point A: immediate life-saving intervention)",
        criteria=(C("airway threat"),),
        resolved_fires=False,
    ),
    Rule(
        id="breathing_distress",
        title="Breathing distress",
        version="1",
        category="airway_breathing",
        description="Severe breathing difficulty: cannot breathe or speak in sentences, "
        "working hard to breathe",
        esi_floor=2,
        guideline=ESI + " (decision point B: severe respiratory distress)",
        criteria=(C("breathing distress"),),
        possible_when=(C("shortness of breath", unless=("exertion",)),),
        possible_floor=3,
        resolved_fires=False,
    ),
    Rule(
        id="toxic_inhalation",
        title="Smoke/fumes breathed in",
        version="1",
        category="airway_breathing",
        description="Smoke, fumes, gas or carbon monoxide breathed in",
        esi_floor=2,
        guideline="Toxic inhalation: ESI handbook high-risk; NICE CKS carbon monoxide",
        criteria=(
            C("toxic inhalation"),
            C("co source", any_of=("household ill",)),
        ),
    ),
    Rule(
        id="danger_zone_vitals",
        title="Danger-zone vitals",
        version="2",
        category="hypoxia_vitals",
        description="Danger-zone vital signs: heart or breathing rate above the age limit, "
        "oxygen below 92%, or very low or very high blood pressure",
        esi_floor=2,
        guideline=ESI + " (decision point D: danger-zone vitals); BTS oxygen target 94-98%",
        check="vitals",
    ),
)
