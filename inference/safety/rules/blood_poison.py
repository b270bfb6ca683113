"""Bleeding and poisoning: severe and gut bleeding, overdose, dangerous swallows."""

from __future__ import annotations

from inference.safety.criteria import ESI, C, Rule

RULES: tuple[Rule, ...] = (
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
)
