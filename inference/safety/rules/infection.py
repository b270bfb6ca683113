"""Infection: meningitis and sepsis signs, fever in a young baby."""

from __future__ import annotations

from inference.safety.criteria import C, Rule

RULES: tuple[Rule, ...] = (
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
)
