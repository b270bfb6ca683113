"""The red-flag catalogue: plain data a clinician can read, review and extend.

How to read a rule: inference.safety.criteria. The concepts: inference.safety.lexicon.
"""

from __future__ import annotations

from inference.safety.criteria import C, Criterion, Rule

__all__ = ["RULES", "RULES_BY_ID", "Criterion", "Rule", "rule_description", "rule_title"]

ESI = "Emergency Severity Index handbook (AHRQ v4; ENA 5th ed. 2023)"
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
    Rule(
        id="severe_bleeding",
        title="Severe bleeding",
        version="2",
        category="severe_bleeding",
        description="Severe or uncontrolled bleeding",
        esi_floor=2,
        guideline="ATLS 10th ed. (haemorrhage control); " + ESI,
        criteria=(C("severe bleeding"),),
        resolved_fires=False,
    ),
    Rule(
        id="gi_bleeding",
        title="Gut bleeding",
        version="1",
        category="gi_bleeding",
        description="Bleeding from the gut: vomiting blood or 'coffee grounds', black tarry "
        "or heavily bloody stools",
        esi_floor=2,
        guideline="NICE CG141 acute upper GI bleeding (Glasgow-Blatchford)",
        criteria=(C("gi bleeding"),),
    ),
    Rule(
        id="overdose_poisoning",
        title="Overdose/poisoning",
        version="1",
        category="overdose_poisoning",
        description="Overdose or poisoning (too many tablets, a poison or chemical swallowed, "
        "carbon monoxide)",
        esi_floor=2,
        guideline="TOXBASE / NPIS; AAPCC poison centre referral criteria",
        criteria=(C("overdose", unless=("harmless pills",)),),
    ),
    Rule(
        id="dangerous_ingestion",
        title="Dangerous swallow",
        version="1",
        category="dangerous_ingestion",
        description="Dangerous thing swallowed: button battery, magnets, detergent pod or a "
        "caustic",
        esi_floor=2,
        guideline="NCPC button battery guideline (2018); ESPGHAN 2017 foreign bodies",
        criteria=(C("hazardous object", any_of=("swallowed",), within=25),),
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
    Rule(
        id="meningitis_sepsis",
        title="Meningitis/sepsis signs",
        version="1",
        category="meningitis_sepsis",
        description="Meningitis or sepsis signs: fever with stiff neck or light sensitivity, "
        "a rash that does not fade, mottled skin, shaking chills, very unwell",
        esi_floor=2,
        guideline="NICE NG240 meningitis (2024); NICE NG51 sepsis (2024)",
        criteria=(
            C("non blanching rash"),
            C("bulging fontanelle"),
            C("fever", any_of=("stiff neck", "photophobia", "mottled skin", "rigors")),
            C("stiff neck", any_of=("photophobia",)),
            C("mottled skin", any_of=("very unwell", "rigors", "altered mental status")),
        ),
        possible_when=(
            C("fever", any_of=("very unwell", "sepsis risk")),
            C("rigors"),
            C("mottled skin"),
        ),
        possible_floor=2,
    ),
    Rule(
        id="infant_fever",
        title="Infant fever",
        version="2",
        category="infant_fever",
        description="Baby under 3 months with a fever (38.0 C / 100.4 F or more, or feels hot)",
        esi_floor=2,
        guideline="NICE NG143 fever in under 5s (red: under 3 months >= 38 C); AAP 2021",
        check="infant_fever",
    ),
    Rule(
        id="pregnancy_emergency",
        title="Pregnancy emergency",
        version="2",
        category="pregnancy_emergency",
        description="Pregnancy with bleeding, belly or shoulder-tip pain (ectopic, "
        "miscarriage, abruption), pre-eclampsia signs or the baby moving less",
        esi_floor=2,
        guideline="NICE NG126 ectopic pregnancy; NICE NG133 hypertension in pregnancy; "
        "RCOG GTG57 reduced fetal movements",
        criteria=(
            C(
                "pregnancy",
                any_of=(
                    "bleeding",
                    "pelvic pain",
                    "shoulder tip pain",
                    "preeclampsia signs",
                    "waters broken",
                    "seizure",
                ),
            ),
            C("reduced fetal movement"),
            C("obstetric emergency"),
            C("after birth", any_of=("severe bleeding", "bleeding", "preeclampsia signs")),
        ),
    ),
    Rule(
        id="diabetic_emergency",
        title="Diabetic emergency",
        version="1",
        category="diabetic_emergency",
        description="Diabetic emergency: very high sugar with vomiting, fast breathing or "
        "drowsiness (DKA), or low sugar with confusion",
        esi_floor=2,
        guideline="ADA/EASD/JBDS hyperglycaemic crises consensus (2024); ADA level 2-3 "
        "hypoglycaemia",
        criteria=(
            C("high sugar", any_of=("diabetic danger",)),
            C("low sugar", any_of=("diabetic danger",)),
            C("diabetes", any_of=("high sugar",), within=None),
            C("diabetes symptoms", any_of=("diabetic danger",), within=40),
        ),
        possible_when=(C("high sugar"), C("low sugar")),
        possible_floor=2,
        check="glucose",
    ),
    Rule(
        id="acute_limb_ischaemia",
        title="Cold, pulseless limb",
        version="1",
        category="limb_ischaemia",
        description="A limb suddenly cold, pale or pulseless with pain or numbness (blocked "
        "artery)",
        esi_floor=2,
        guideline="ESVS 2020 acute limb ischaemia (the 6 Ps)",
        criteria=(
            C(
                "limb ischaemia",
                any_of=("limb ischaemia danger",),
                within=20,
                unless=("cold triggered",),
            ),
            C(
                "limb",
                "limb cold",
                "limb ischaemia danger",
                within=25,
                unless=("cold triggered",),
            ),
        ),
    ),
    Rule(
        id="testicular_torsion",
        title="Testicular torsion?",
        version="1",
        category="testicular_torsion",
        description="Sudden or severe testicle pain or swelling (possible torsion)",
        esi_floor=2,
        guideline="EAU paediatric urology 2023 (acute scrotum); AUA",
        criteria=(C("testicle", any_of=("testicle danger",), within=20),),
    ),
    Rule(
        id="severe_pain",
        title="Severe pain",
        version="1",
        category="severe_pain",
        description="Severe pain (7/10 or more, 'worst ever', unbearable)",
        esi_floor=2,
        guideline=ESI + " (decision point B: severe pain or distress, >= 7/10)",
        criteria=(C("severe pain words"),),
        check="pain_score",
        resolved_fires=False,
    ),
)


RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rule_title(rule_id: str) -> str:
    """The queue badge for a rule id (one retired from the catalogue: its id, readable)."""
    rule = RULES_BY_ID.get(rule_id)
    return rule.title if rule else rule_id.replace("_", " ")


def rule_description(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.description if rule else rule_id.replace("_", " ")
