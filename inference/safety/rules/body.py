"""Pregnancy, diabetes, limbs, testicles and severe pain."""

from __future__ import annotations

from inference.safety.criteria import ESI, C, Rule

RULES: tuple[Rule, ...] = (
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
        # Waters breaking is only ever said of a pregnancy, term or not: a midwife checks
        # whether it is early, however the pregnancy itself was (or was not) mentioned.
        possible_when=(C("waters broken"),),
        possible_floor=2,
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
