"""Numbers the net reads: vital-sign limits by age (ESI handbook, decision point D), fever,
blood sugar and pain scores, and the words that introduce each reading."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgeBand:
    label: str
    below_years: float | None  # upper age bound (exclusive); None: no bound
    heart_rate_above: float
    resp_rate_above: float
    # Bradycardia (PALS / adult ACLS): a pulse this slow is a danger sign, not a fit heart.
    heart_rate_below: float


VITAL_LIMITS: tuple[AgeBand, ...] = (
    AgeBand("under 3 months", 0.25, 180, 50, 90),
    AgeBand("3 months to 3 years", 3, 160, 40, 80),
    AgeBand("3 to 8 years", 8, 140, 30, 60),
    # Also used when the age is unknown: the adult limits are the strictest for fast rates,
    # so unknown age escalates rather than hides (a slow pulse only fires below 40).
    AgeBand("over 8 years", None, 100, 20, 40),
)
SPO2_BELOW = 92.0
SYSTOLIC_BELOW = 90.0  # adults: hypotension (shock) is a danger sign at any age we see
SYSTOLIC_AT_LEAST = 220.0  # severe hypertension: a nurse checks for end-organ signs
DIASTOLIC_AT_LEAST = 130.0
INFANT_BELOW_YEARS = 0.25  # under 3 months
FEVER_C = 38.0
FEVER_F = 100.4
# Blood glucose: values up to 35 are read as mmol/L, above as mg/dL.
GLUCOSE_MMOL_MAX = 35.0
GLUCOSE_LOW_MMOL = 3.0  # severe hypoglycaemia (level 2, ADA/IHSG: < 3.0 mmol/L, < 54 mg/dL)
GLUCOSE_LOW_MG = 54.0
GLUCOSE_HIGH_MMOL = 25.0  # ~450 mg/dL: possible DKA/HHS, a nurse checks ketones
GLUCOSE_HIGH_MG = 450.0
PAIN_SEVERE = 7  # ESI decision point B: pain >= 7/10 may be ESI 2

# fmt: off
# What introduces a number for each reading (lexicon patterns), and units that may follow it.
VITAL_CUES: dict[str, tuple[str, ...]] = {
    "heart_rate": (
        "heart rate", "pulse", "pulse rate", "hr", "heartbeat", "heart beat", "heart is beating",
        "heart was|is ~ going|racing|beating|pounding at", "heart rates", "heart rate is|was|of",
        "heart ~ (going at|racing at|beating at)", "hard rate", "heart race", "hart rate",
        "hart rates", "heart read", "pulses", "heart is|was|at|says|said", "pulls",
        "my heart ~ (says|said|is at|was at|reading)",
    ),
    "resp_rate": (
        "respiratory rate", "breathing rate", "resp rate", "rr", "breaths",
        "breathing ~ (at|about|around)", "respirations", "breathing like",
    ),
    "spo2": (
        "oxygen", "o2", "sats", "sat", "saturation", "saturations", "spo2", "pulse ox",
        "pulse oximeter", "oximeter", "oxygen level|levels", "sacks", "sax", "stats",
        "oxygen sat|sats|saturation", "finger thing|monitor|clip|probe", "ox", "oxy",
        "ox again", "(finger|thingy|clip|gadget) ~ (says|said|reads|read|showed|shows)",
        # "the little machine on her finger says eighty seven"
        "(machine|thing|thingy|clip|gadget|monitor|meter) (on|pon) ~ finger ~ (says|say|said|"
        "reads|read|showed|shows|showing|is)",
    ),
    "temperature": (
        "temperature", "temp", "fever of", "fever was", "fever is", "fever", "thermometer",
        "temperatures",
    ),
    "blood_pressure": (
        "blood pressure", "bp", "pressure", "(machine|monitor|cuff|reading) ~ (said|says|read|"
        "reads|showed|shows|was|is|say|show|read)",
    ),
    "glucose": (
        "sugar", "sugars", "blood sugar", "glucose", "bm", "bg", "blood glucose",
        "sugar level|levels|reading", "glucose level|levels|reading", "meter|monitor ~ says|"
        "said|reads|read|reading|showed|shows", "sugar is|was",
    ),
}
# Cues that name a device, not a vital sign: they never cut off the number of a cue before
# them ("his pulse on the machine is thirty six", "heart rate on the home machine it say 38").
DEVICE_CUES: frozenset[str] = frozenset(
    cue for cues in VITAL_CUES.values() for cue in cues if cue.startswith(("(machine|", "meter|"))
)
VITAL_UNITS: dict[str, tuple[str, ...]] = {
    "heart_rate": ("bpm", "beats per minute", "beats a minute", "beats a min", "beats"),
    "resp_rate": ("breaths per minute", "breaths a minute", "breaths a min"),
    "spo2": ("percent",),
    "temperature": ("degrees",),
    "glucose": ("mmol", "millimoles", "mg", "milligrams"),
}
# fmt: on
# Plausible readings; anything else is some other number ("for 3 days", "2 liters").
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "heart_rate": (20, 300),
    "resp_rate": (4, 120),
    "spo2": (40, 100),
    "temperature": (30, 113),
    "blood_pressure": (30, 300),
    "glucose": (0.5, 1500),
}
