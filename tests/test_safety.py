"""The word-rule layer of the red-flag net: every rule fires on patient wording and not on
its denial, the catalogue is complete and readable, firings carry level, layer and evidence,
and the record check reads the AI's wording only where the transcript supports it.
No model involved (scopes: test_safety_scope.py, numbers: test_safety_numbers.py)."""

from __future__ import annotations

import pytest

from inference.safety import RULES, apply_floor, check_record, check_transcript
from inference.safety.lexicon import CONCEPTS, EXCEPTIONS, WORD_SETS
from inference.safety.match import compile_pattern
from inference.transcript import Segment, Transcript, Word
from inference.triage.schema import TriageRecord, record_template


def transcript(*texts: str) -> Transcript:
    segments = tuple(
        Segment(id=i, start=3.0 * i, end=3.0 * i + 3.0, text=text) for i, text in enumerate(texts)
    )
    return Transcript(segments=segments, model_id="test", language="en")


def fired(text: str, age: float | None = None) -> dict[str, int]:
    report = check_transcript(transcript(text), age_years=age)
    return {f.rule_id: f.esi_floor for f in report.firings}


def levels(text: str, age: float | None = None) -> dict[str, str]:
    return {f.rule_id: f.level for f in check_transcript(transcript(text), age_years=age).firings}


# Each rule: (rule id, patient words that must fire it, denied words that must not, age).
CASES = [
    (
        "chest_pain_acs",
        "there's this crushing pressure in the middle of my chest",
        "no chest pain",
        58,
    ),
    ("chest_pain_acs", "my chest hurts and I'm sweating buckets", "I don't have chest pain", 60),
    (
        "aortic_dissection",
        "a ripping pain went right through to my back",
        "no tearing pain in my back",
        66,
    ),
    ("stroke_signs", "his face has gone all lopsided", "his face is not drooping", 70),
    ("stroke_signs", "she can't lift her left arm since lunch", "no weakness in her arm", 80),
    (
        "thunderclap_headache",
        "the worst headache of my life came on in seconds",
        "not the worst headache",
        41,
    ),
    ("anaphylaxis", "ate a prawn and now my tongue is swelling up", "no swelling of my tongue", 30),
    ("airway_threat", "her lips are turning blue", "her lips are not blue", 2),
    (
        "breathing_distress",
        "I can only get a few words out at a time",
        "I'm not struggling to breathe",
        55,
    ),
    (
        "toxic_inhalation",
        "we breathed in loads of smoke from the fire",
        "no smoke was breathed in",
        40,
    ),
    (
        "danger_zone_vitals",
        "the machine said his oxygen was eighty six percent",
        "oxygen was 98",
        70,
    ),
    (
        "severe_bleeding",
        "the cut won't stop bleeding and it's soaked two towels",
        "it is not bleeding",
        30,
    ),
    ("gi_bleeding", "my poo has gone black like tar", "no black stools", 64),
    (
        "overdose_poisoning",
        "she swallowed a whole packet of paracetamol",
        "she didn't take any pills",
        16,
    ),
    (
        "dangerous_ingestion",
        "he swallowed a button battery from the remote",
        "he didn't swallow anything",
        2,
    ),
    ("suicidal_homicidal", "everyone would be better off without me", "I'm not suicidal", 35),
    ("unresponsive", "I can't wake him up", "he's awake and talking", 79),
    (
        "altered_mental_status",
        "mum is suddenly confused and doesn't know where she is",
        "she is not confused",
        84,
    ),
    ("seizure", "he had a fit at school, shaking all over", "he has never had a seizure", 9),
    ("syncope", "I blacked out in the shower this morning", "I didn't pass out", 45),
    (
        "head_injury_high_risk",
        "he banged his head and was knocked out for a minute",
        "he didn't hit his head",
        12,
    ),
    ("major_trauma", "she came off her motorbike on the motorway", "no accident", 27),
    (
        "meningitis_sepsis",
        "she's burning up and her neck is too stiff to bend",
        "no fever and no stiff neck",
        19,
    ),
    (
        "infant_fever",
        "she's only six weeks and her temperature is 38.4",
        "her temperature is 36.9",
        None,
    ),
    ("pregnancy_emergency", "I'm nine weeks pregnant and bleeding", "I'm not pregnant", 27),
    (
        "diabetic_emergency",
        "I'm diabetic and my meter just says HI and I keep being sick",
        "my sugar is fine",
        22,
    ),
    (
        "acute_limb_ischaemia",
        "my leg went cold and white and it's agony",
        "my leg is warm and fine",
        72,
    ),
    (
        "testicular_torsion",
        "sudden terrible pain in his left testicle and he's been sick",
        "no testicle pain",
        14,
    ),
    ("severe_pain", "the pain is a nine out of ten", "the pain is a three out of ten", 30),
]


@pytest.mark.parametrize(("rule_id", "positive", "denied", "age"), CASES)
def test_it_fires_on_patient_wording_and_not_on_its_denial(rule_id, positive, denied, age):
    assert rule_id in fired(positive, age)
    assert rule_id not in fired(denied, age)


def test_it_has_a_positive_and_a_denied_case_for_every_rule():
    assert {r.id for r in RULES} == {c[0] for c in CASES}


def test_it_keeps_every_rule_readable_and_consistent():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.version and rule.title and rule.description and rule.guideline
        assert rule.id not in rule.description  # the nurse reads words, not the id
        assert 1 <= rule.esi_floor <= 5
        assert rule.criteria or rule.check
        for criterion in (*rule.criteria, *rule.possible_when):
            for concept in (*criterion.all_of, *criterion.any_of, *criterion.unless):
                assert concept in CONCEPTS, (rule.id, concept)
        if rule.possible_when:
            assert rule.possible_floor is not None and rule.possible_floor >= rule.esi_floor


def test_it_compiles_every_pattern_of_the_lexicon():
    for name, patterns in (*CONCEPTS.items(), *EXCEPTIONS.items()):
        assert patterns, name
        for pattern in patterns:
            assert compile_pattern(pattern), (name, pattern)
    with pytest.raises(ValueError, match="unknown word set"):
        compile_pattern("{no_such_set} pain")
    with pytest.raises(ValueError, match="start and end"):
        compile_pattern("pain ~")
    assert WORD_SETS["chest"]


def test_it_covers_the_esi_decision_points_in_the_catalogue():
    categories = {r.category for r in RULES}
    assert {
        "acs", "aortic_dissection", "stroke", "anaphylaxis", "airway_breathing",
        "hypoxia_vitals", "severe_bleeding", "gi_bleeding", "overdose_poisoning",
        "dangerous_ingestion", "suicidal_homicidal", "altered_mental_status", "unresponsive",
        "seizure", "syncope", "head_injury", "major_trauma", "meningitis_sepsis", "infant_fever",
        "pregnancy_emergency", "diabetic_emergency", "limb_ischaemia", "testicular_torsion",
        "severe_pain",
    } <= categories  # fmt: skip
    assert {r.id: r.esi_floor for r in RULES}["airway_threat"] == 1  # decision point A


def test_it_matches_words_apart_within_a_clause_not_a_fixed_window():
    # "pressure ... chest" five words apart; "no" in another clause does not reach it.
    assert "chest_pain_acs" in fired(
        "no fever, but a heavy pressure right in the middle of my chest"
    )
    # A pattern never crosses a sentence end.
    assert "chest_pain_acs" not in fired("The pressure at work is awful. My chest x-ray was fine.")


def test_it_reads_speech_slips_as_possible():
    report = check_transcript(transcript("chest pain and I'm sweatting"))
    firing = next(f for f in report.firings if f.rule_id == "chest_pain_acs")
    assert firing.level == "possible" and "sweating" in firing.reason
    assert levels("chest pain and shortness of breath") == {
        "chest_pain_acs": "definite",
        "breathing_distress": "possible",  # breathless alone: weaker, at ESI 3
    }


def test_it_fires_weaker_evidence_as_possible_at_its_own_floor():
    report = check_transcript(transcript("I have a pain in my chest"))
    (firing,) = report.firings
    assert (firing.rule_id, firing.level, firing.esi_floor) == ("chest_pain_acs", "possible", 2)
    assert firing.reason.endswith("(partial match)")


def test_it_keeps_idioms_and_paperwork_out():
    assert fired("I need a fit note for work") == {}
    assert fired("the parking price nearly gave me a heart attack") == {}
    assert fired("I think I have food poisoning from a takeaway") == {}
    assert fired("I nearly passed out when I stood up but I didn't") == {}


def test_it_keeps_blood_pressure_apart_from_bleeding():
    assert "pregnancy_emergency" not in fired("I'm pregnant and my blood pressure is 120 over 80")


@pytest.mark.parametrize(
    ("model", "floor", "final"),
    [(4, 2, 2), (1, 2, 1), (3, None, 3), (None, 2, 2), (None, None, None), (5, 5, 5)],
)
def test_it_only_ever_raises_urgency(model, floor, final):
    assert apply_floor(model, floor) == final


def test_it_combines_firings_with_the_most_urgent_floor():
    report = check_transcript(
        transcript("I ate peanuts and my throat is closing.", "My chest hurts and I'm confused.")
    )
    floors = {f.rule_id: f.esi_floor for f in report.firings}
    assert floors["anaphylaxis"] == 1 and floors["altered_mental_status"] == 2
    assert report.esi_floor == 1 == min(floors.values())


def test_it_names_rule_version_level_layer_and_evidence():
    t = Transcript(
        segments=(
            Segment(0, 0.0, 2.0, " I feel awful."),
            Segment(
                1,
                2.0,
                5.0,
                " My chest hurts",
                words=(Word(" My", 2.0, 2.4), Word(" chest", 2.4, 3.0), Word(" hurts", 3.0, 3.6)),
            ),
            Segment(2, 5.0, 8.0, " and I am sweating."),
        ),
        model_id="test",
        language="en",
    )
    (firing,) = check_transcript(t).firings
    data = firing.as_json()
    assert data["rule_id"] == "chest_pain_acs" and data["rule_version"] == "2"
    assert (data["level"], data["layer"], data["source"]) == ("definite", "rules", "transcript")
    assert data["description"].startswith("Chest pain or pressure")
    chest, sweat = data["evidence"]
    assert (chest["quote"], chest["segment"], chest["start"], chest["end"]) == (
        "chest hurts",
        1,
        4,
        15,
    )
    assert (chest["t0"], chest["t1"]) == (2.4, 3.6)  # from word timings
    assert sweat["segment"] == 2 and 5.0 < sweat["t0"] < sweat["t1"] <= 8.0  # interpolated
    assert firing.quote == "chest hurts … sweating"


def test_it_labels_the_source_of_a_typed_complaint():
    report = check_transcript(transcript("worst headache of my life"), source="typed")
    assert {f.source for f in report.firings} == {"typed"}


def _record(**changes):
    data = record_template()
    data.update(changes)
    return TriageRecord.model_validate(data)


def test_it_checks_the_records_wording_when_its_quote_is_in_the_transcript():
    # The model named it "shortness of breath"; the patient's words were "can't get my air".
    t = transcript("My chest is tight.", "I keep gasping, I can't get my air.")
    record = _record(
        symptoms=[
            {"name": "chest pain", "quote": "My chest is tight"},
            {"name": "shortness of breath", "quote": "I can't get my air"},
        ]
    )
    report = check_record(record, t, age_years=50)
    acs = next(f for f in report.firings if f.rule_id == "chest_pain_acs")
    assert (acs.source, acs.layer, acs.level) == ("draft", "model", "definite")
    assert {e.matched_text for e in acs.evidence} == {"My chest is tight", "I can't get my air"}


def test_it_ignores_record_items_the_transcript_does_not_support():
    t = transcript("I twisted my ankle yesterday.")
    record = _record(red_flags=[{"flag": "slurred speech", "quote": "my words come out wrong"}])
    assert check_record(record, t).firings == ()


def test_it_reads_vitals_from_the_record():
    t = transcript("They said my heart rate was 130.")
    vitals = dict(
        record_template()["vitals"], heart_rate={"value": "130", "quote": "heart rate was 130"}
    )
    (firing,) = check_record(_record(vitals=vitals), t, age_years=40).firings
    assert firing.rule_id == "danger_zone_vitals" and firing.evidence[0].segment_id == 0


def test_it_flags_an_allergy_history_with_breathing_trouble_as_possible_not_anaphylaxis():
    report = check_transcript(transcript("I am short of breath.", "I am allergic to penicillin."))
    (firing,) = [f for f in report.firings if f.rule_id == "anaphylaxis"]
    assert firing.level == "possible" and firing.esi_floor == 2


def test_it_still_fires_anaphylaxis_for_a_reaction_after_a_drug():
    report = check_transcript(transcript("I took a new pill an hour ago and now I can't breathe."))
    (firing,) = [f for f in report.firings if f.rule_id == "anaphylaxis"]
    assert firing.level == "definite" and firing.esi_floor == 1


def test_it_does_not_count_a_stopped_bleed_as_severe():
    assert "severe_bleeding" in fired("it bled a lot and it is still bleeding")
    assert "severe_bleeding" not in fired("it bled a lot but it stopped with pressure")
    # A faint that is over still counts.
    assert "syncope" in fired("I passed out but I feel fine now")


def test_it_lets_unless_words_veto_a_criterion():
    assert "stroke_signs" in fired("my hand went weak and clumsy on the left side")
    assert "stroke_signs" not in fired("I can't lift my arm since I fell on my shoulder")
    assert levels("my fingers go white and numb in the cold every winter") == {}


def test_it_keeps_fittings_fitness_and_accidents_out():
    assert fired("I'm booked in for my implant fitting this afternoon") == {}
    assert fired("I need a form saying I'm fit to play rugby again") == {}
    assert fired("I bit my tongue chewing a toffee and it bled a bit") == {}
    assert fired("if I cut myself cooking on these new tablets will it stop") == {}
    assert fired("I stubbed my foot on the door and it's bruised") == {}
    assert "seizure" in fired("he's been fitting for ten minutes and the midazolam hasn't worked")


def test_it_keeps_the_room_and_blood_pressure_out_of_breathing_and_chest_pain():
    assert fired("it's so noisy in the waiting room today") == {}
    assert "chest_pain_acs" not in levels(
        "my blood pressure tablets ran out and my chest pain from the gym is better", 50
    )


def test_it_reads_new_lay_wording_for_danger():
    assert "head_injury_high_risk" in fired("I got glassed in the pub and I keep spewing", 25)
    assert "altered_mental_status" in fired("grandad doesn't know his own name this morning", 80)
    assert "altered_mental_status" in fired("she's just not right, keeps asking the same thing")
    assert "diabetic_emergency" in fired(
        "he's drinking loads and weeing all the time and now he's vomiting and drowsy", 9
    )
    assert "syncope" not in fired("I had a wobbly moment in the heat but didn't faint", 30)


def test_it_reads_two_numbers_said_together_as_a_range_or_a_decimal_not_a_sum():
    assert "infant_fever" not in fired("she's six weeks and her temperature's thirty six nine", 0.1)
    assert "infant_fever" in fired("he's six weeks and his temperature's thirty eight five", 0.1)
    assert "diabetic_emergency" not in fired("my sugars have been about twelve thirteen", 50)


@pytest.mark.parametrize(
    "text",
    [
        "my toddler put something shiny from the remote in his mouth and now he is gagging",
        "she swallowed a bit off the car key, i think she's ok",
        "he swallowed one of those flat round things from a musical birthday card",
    ],
)
def test_it_takes_a_part_of_a_battery_device_swallowed_as_a_button_battery(text: str) -> None:
    # The battery itself is rarely named: what it came out of is.
    assert "dangerous_ingestion" in fired(text, age=2)


def test_it_reads_a_very_slow_pulse_and_suicide_by_car_as_danger():
    watch = "the watch says my heart rate is thirty five and I'm dizzy"
    assert "danger_zone_vitals" in fired(watch, 70)
    assert "danger_zone_vitals" not in fired("my resting pulse is fifty two, I run a lot", 30)
    urge = "I have urges to steer into oncoming lorries on the motorway"
    assert "suicidal_homicidal" in fired(urge, 40)
    assert "suicidal_homicidal" not in fired("I keep thinking about driving to see my sister", 40)


def test_it_reads_a_person_not_making_sense():
    assert "altered_mental_status" in fired("grandma isn't making any sense since lunch", 85)
    assert "altered_mental_status" in fired("the words he says don't make any sense", 70)
