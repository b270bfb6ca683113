"""The red-flag rule table: plain data a clinician can read, review and extend.

How to read a rule
------------------
- `esi_floor`: the most lenient ESI level a visit may get when the rule fires. Rules only ever
  raise urgency (lower number = more urgent); several firings combine by taking the minimum.
- `criteria`: the rule fires when ANY criterion is met. A criterion needs EVERY concept in
  `all_of` and, when `any_of` is given, at least ONE of those too, each said without negation
  ("no chest pain" does not count). `within` (words) keeps the concepts close together; None
  means anywhere in the patient's words.
- `possible_when` / `possible_floor`: weaker evidence that still fires, marked "possible" so a
  nurse checks it (our policy: when unsure, escalate and say so).
- `check`: a built-in numeric check (vital signs, infant fever) using the limits below.
- Bump `version` whenever a rule's meaning changes: every firing records id and version.

How to write a pattern (in CONCEPTS)
------------------------------------
Words are matched case-insensitively on whole words, apostrophes ignored ("can't" = "cant").
- `bleed*`   a word starting with "bleed" (bleed, bleeding, bleeds)
- `arm|jaw`  either word at this position
- `...`      up to 3 other words in between ("pain ... chest" matches "pain in my chest")
A pattern never spans two sentences or clauses. Long words (6+ letters) also match with one
letter wrong (ASR slips like "breth"); such matches fire as "possible".

Negation (see inference.safety.match for the mechanics and limits): a cue from NEGATION_CUES
within NEGATION_WINDOW words before a finding, in the same clause, cancels it. Clauses end at
. , ; : ! ? and at the words in CLAUSE_BREAKS.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    within: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    version: str
    description: str
    esi_floor: int
    criteria: tuple[Criterion, ...] = ()
    possible_when: tuple[Criterion, ...] = ()
    possible_floor: int | None = None
    check: str | None = None  # "vitals" | "infant_fever"


# --------------------------------------------------------------------------------------------
# Concepts: what a patient might say
# --------------------------------------------------------------------------------------------

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "chest pain": (
        "chest pain*", "chest hurt*", "chest ache*", "chest tight*", "chest pressure",
        "chest discomfort", "chest heavy", "chest heaviness", "chest is tight|heavy|hurting",
        "chest feels tight|heavy", "pain* ... chest", "hurt* ... chest", "ache* ... chest",
        "tight* ... chest", "pressure ... chest", "crushing ... chest", "squeez* ... chest",
        "heavy ... chest", "heaviness ... chest", "angina",
    ),
    "radiation": (
        "radiat*", "spread*",
        "goes|going|moves|moving|shoots|shooting ... arm|arms|jaw|neck|shoulder",
        "down ... arm|arms", "into ... arm|arms|jaw|neck|shoulder",
        "arm|arms|jaw|shoulder hurt*|pain*|ache*|numb*", "pain* ... arm|arms|jaw|shoulder",
        "numb* ... arm|arms",
    ),
    "shortness of breath": (
        "short* of breath", "breathless*", "out of breath", "cant breathe|breath",
        "cannot breathe|breath", "can not breathe", "unable to breathe", "not able to breathe",
        "hard to breathe", "hard time breathing", "difficult* breath*", "trouble breathing",
        "struggling to breathe", "catch my|his|her|their breath", "wheez*", "gasping",
        "breathing is hard|bad|difficult|fast|heavy", "cant get air", "air hunger",
    ),
    "sweating": (
        "sweating", "sweaty", "sweats", "sweated", "diaphore*", "clammy", "drenched",
    ),
    "face droop": (
        "face ... droop*", "droop* ... face|mouth|smile|lip|lips|eye|eyelid", "face ... drop*",
        "face ... numb*", "numb* ... face", "facial droop*", "facial weakness", "facial numbness",
        "crooked smile", "smile ... crooked|uneven|lopsided",
        "face is|looks uneven|lopsided|crooked", "one side of ... face",
    ),
    "arm weakness": (
        "arm|arms|hand ... weak*", "weak* ... arm|arms|hand|side",
        "cant|cannot lift|move|raise|feel ... arm|arms|leg|legs|hand",
        "unable to lift|move|raise|feel ... arm|arms|leg|legs|hand",
        "not able to lift|move|raise|feel ... arm|arms|leg|legs|hand", "arm|hand ... numb*",
        "numb* ... arm|hand|side", "one side ... weak*|numb*", "paraly*",
    ),
    "slurred speech": (
        "slur*", "speech ... strange|funny|garbled|weird|off", "cant|cannot speak|talk",
        "trouble speaking|talking", "hard to speak|talk", "unable to speak|talk",
        "words ... wrong|jumbled|mixed", "trouble ... words", "talking funny|strange|weird",
        "aphasia",
    ),
    "sudden severe headache": (
        "worst headache", "worst ... headache", "thunderclap", "sudden* ... headache",
        "headache ... sudden*", "headache came on suddenly|fast",
    ),
    "throat swelling": (
        "throat ... swell*|swollen|closing|tight*", "swell* ... throat|tongue|lips",
        "tongue ... swell*|swollen", "lips ... swell*|swollen", "throat is closing", "closing up",
    ),
    "allergy trigger": (
        "ate", "eating", "food", "peanut*", "nut", "nuts", "shellfish", "shrimp", "sting*", "stung",
        "bee|bees|wasp|wasps|hornet|hornets",
        "new medicine|medication|pill|drug", "took ... medicine|medication|pill|drug", "injection",
        "anaphyla*", "epipen",
    ),
    # Saying one has an allergy is usually history ("I'm allergic to penicillin"), not an
    # exposure: with breathing trouble it fires as possible, for a nurse to ask.
    "allergy mention": (
        "allerg*", "penicillin", "antibiotic*", "reaction",
    ),
    "hives": (
        "hives", "welts", "itchy rash", "rash all over", "urticaria",
    ),
    "severe bleeding": (
        "bleed* ... not stop*", "bleed* ... wont|cant|doesnt|didnt stop*",
        "not|wont|cant|cannot|doesnt|didnt stop ... bleed*",
        "bleed* heavily|badly|profusely|everywhere", "bleeding a lot", "bleeding through",
        "lot|lots|pool of blood", "blood everywhere",
        "heavy|severe|massive|profuse|uncontrolled ... bleed*", "soaked ... blood",
        "soaking ... pad|pads|towel|towels|blood", "gushing|spurting|pouring ... blood",
        "blood ... gushing|spurting|pouring", "vomit* blood", "vomit* up blood", "throw* up blood",
        "threw up blood", "cough* up blood", "coughing blood", "blood in ... vomit|sick",
        "hemorrhag*", "haemorrhag*",
    ),
    "suicidal or homicidal ideation": (
        "suicid*", "kill myself", "killing myself", "end my life", "ending my life",
        "take my own life", "want to die", "wanna die", "better off dead", "hurt myself",
        "harm myself", "self harm", "overdos*", "dont want to live|be alive", "do not want to live",
        "no reason to live", "kill him|her|them|someone|somebody|people|everyone", "homicid*",
        "want|going|gonna to kill|hurt|harm", "gonna kill|hurt|harm",
    ),
    "pregnancy": (
        "pregnan*", "expecting a baby", "weeks pregnant", "missed ... period", "period is late",
    ),
    # Not plain "blood": "my blood pressure" is not bleeding.
    "bleeding": (
        "bleed*", "bled", "spotting", "blood clot*", "passing blood",
        "blood in|on ... underwear|pad|pads|toilet|urine",
    ),
    "abdominal pain": (
        "abdom* pain*",
        "belly|stomach|tummy|abdomen|abdominal|pelvic|pelvis ... pain*|hurt*|ache*|cramp*",
        "pain* ... belly|stomach|tummy|abdomen|pelvis", "cramp*", "contraction*",
    ),
    # A fever *claim*; measured temperatures are read as numbers (VITAL_CUES).
    "fever": (
        "fever*", "febrile", "hot to the touch", "burning up", "high temperature", "high temp",
        "running a temperature|temp", "has a temperature|temp",
    ),
    "altered mental status": (
        "confus*", "disorient*", "not making sense", "doesnt make sense", "not acting right",
        "acting strange|weird|funny|odd", "cant|cannot|wont wake ... up", "hard to wake",
        "unresponsive", "not responding", "passed out", "pass out", "fainted", "fainting",
        "lost consciousness", "blacked out", "letharg*", "seizure*", "convuls*",
    ),
}
# fmt: on


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        id="chest_pain_acs",
        version="1",
        description="Chest pain with radiation, shortness of breath or sweating (possible ACS)",
        esi_floor=2,
        criteria=(
            Criterion(
                all_of=("chest pain",), any_of=("radiation", "shortness of breath", "sweating")
            ),
        ),
        # Chest pain alone is never ESI 4-5: fire as possible so a nurse sees it early.
        possible_when=(Criterion(all_of=("chest pain",)),),
        possible_floor=3,
    ),
    Rule(
        id="stroke_signs",
        version="1",
        description="Stroke signs: face droop, arm weakness, slurred speech, sudden severe "
        "headache",
        esi_floor=2,
        criteria=(
            Criterion(all_of=("face droop",)),
            Criterion(all_of=("arm weakness",)),
            Criterion(all_of=("slurred speech",)),
            Criterion(all_of=("sudden severe headache",)),
        ),
    ),
    Rule(
        id="anaphylaxis",
        version="2",
        description="Anaphylaxis: throat swelling or trouble breathing after a trigger, or hives "
        "with breathing trouble",
        esi_floor=1,
        criteria=(
            Criterion(
                all_of=("throat swelling",),
                any_of=("allergy trigger", "hives", "shortness of breath"),
            ),
            Criterion(
                all_of=("shortness of breath",), any_of=("allergy trigger", "hives"), within=25
            ),
            Criterion(all_of=("throat swelling", "allergy mention")),
        ),
        # A swollen throat alone may be a sore throat, or an airway closing; an allergy named
        # near breathing trouble may be history or a reaction: a nurse decides.
        possible_when=(
            Criterion(all_of=("throat swelling",)),
            Criterion(all_of=("shortness of breath",), any_of=("allergy mention",), within=25),
        ),
        possible_floor=2,
    ),
    Rule(
        id="severe_bleeding",
        version="1",
        description="Severe or uncontrolled bleeding, or vomiting/coughing blood",
        esi_floor=2,
        criteria=(Criterion(all_of=("severe bleeding",)),),
    ),
    Rule(
        id="suicidal_homicidal",
        version="1",
        description="Suicidal or homicidal ideation",
        esi_floor=2,
        criteria=(Criterion(all_of=("suicidal or homicidal ideation",)),),
    ),
    Rule(
        id="pregnancy_bleeding_pain",
        version="1",
        description="Pregnancy with bleeding or abdominal pain (ectopic, miscarriage, abruption)",
        esi_floor=2,
        criteria=(Criterion(all_of=("pregnancy",), any_of=("bleeding", "abdominal pain")),),
    ),
    Rule(
        id="infant_fever",
        version="1",
        description="Infant under 3 months with fever >= 38.0 C / 100.4 F",
        esi_floor=2,
        check="infant_fever",
    ),
    Rule(
        id="altered_mental_status",
        version="1",
        description="Altered mental status: confusion, unresponsiveness, fainting, seizure",
        esi_floor=2,
        criteria=(Criterion(all_of=("altered mental status",)),),
    ),
    Rule(
        id="danger_zone_vitals",
        version="1",
        description="Danger-zone vital signs (ESI decision point D): heart rate or breathing "
        "rate above the age limit, or oxygen saturation below 92%",
        esi_floor=2,
        check="vitals",
    ),
)


# --------------------------------------------------------------------------------------------
# Numbers: vital-sign limits (ESI handbook v4, decision point D) and fever
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    label: str
    below_years: float | None  # upper age bound (exclusive); None: no bound
    heart_rate_above: float
    resp_rate_above: float


VITAL_LIMITS: tuple[AgeBand, ...] = (
    AgeBand("under 3 months", 0.25, 180, 50),
    AgeBand("3 months to 3 years", 3, 160, 40),
    AgeBand("3 to 8 years", 8, 140, 30),
    # Also used when the age is unknown: the adult limits are the strictest, so unknown age
    # escalates rather than hides.
    AgeBand("over 8 years", None, 100, 20),
)
SPO2_BELOW = 92.0
INFANT_BELOW_YEARS = 0.25  # under 3 months
FEVER_C = 38.0
FEVER_F = 100.4

# What introduces a number for each vital sign, and units that may follow the number.
VITAL_CUES: dict[str, tuple[str, ...]] = {
    "heart_rate": ("heart rate", "pulse", "hr", "heartbeat", "heart beat", "heart is beating"),
    "resp_rate": ("respiratory rate", "breathing rate", "resp rate", "rr"),
    "spo2": ("oxygen", "o2", "sats", "sat", "saturation", "saturations", "spo2", "pulse ox"),
    "temperature": ("temperature", "temp", "fever of", "fever was", "fever is", "fever"),
    "blood_pressure": ("blood pressure", "bp"),
}
VITAL_UNITS: dict[str, tuple[str, ...]] = {
    "heart_rate": ("bpm", "beats per minute", "beats a minute"),
    "resp_rate": ("breaths per minute", "breaths a minute"),
    "spo2": ("percent",),
    "temperature": ("degrees",),
}
# Plausible readings; anything else is some other number ("for 3 days", "2 liters").
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "heart_rate": (20, 300),
    "resp_rate": (4, 120),
    "spo2": (40, 100),
    "temperature": (30, 113),
    "blood_pressure": (30, 300),
}


# --------------------------------------------------------------------------------------------
# Negation (NegEx-style)
# --------------------------------------------------------------------------------------------

NEGATION_WINDOW = 5  # words before the finding
# fmt: off
NEGATION_CUES: tuple[str, ...] = (
    "no", "not", "denies", "denied", "deny", "denying", "without", "never", "none", "dont",
    "doesnt", "didnt", "havent", "hasnt", "isnt", "wasnt", "arent", "werent", "negative for",
    "free of", "absence of", "ruled out",
)
# fmt: on
# Phrases that start like a cue but do not negate what follows ("not sure if it's chest
# pain", "it does not stop bleeding", "I don't know if I'm pregnant"). Uncertainty is not
# negation: when unsure, the rule fires.
# fmt: off
PSEUDO_NEGATIONS: tuple[str, ...] = (
    "not sure", "not certain", "no better", "not better", "no worse", "not only", "not just",
    "no idea", "not go away", "dont know", "didnt know", "not know", "dont think", "not think",
    "not stop", "not stopping", "dont stop", "doesnt stop", "didnt stop", "wont stop",
)
# fmt: on
# fmt: off
CLAUSE_BREAKS: tuple[str, ...] = (
    "but", "however", "although", "though", "except", "yet", "apart", "aside",
)
# fmt: on
