"""Deterministic red-flag rules: one positive and one negated case per rule, the numbers they
read, the floor arithmetic and the evidence they return. No model involved."""

from __future__ import annotations

import pytest

from inference.safety import RULES, apply_floor, check_record, check_transcript
from inference.safety.match import find_concept, words_of
from inference.safety.rules import CONCEPTS
from inference.safety.vitals import find_readings
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


# Each rule: (rule id, words that must fire it, negated words that must not, age in years).
CASES = [
    (
        "chest_pain_acs",
        "I have chest pain and it goes down my left arm.",
        "I have no chest pain and no shortness of breath.",
        45,
    ),
    ("chest_pain_acs", "My chest hurts and I'm sweating.", "I don't have chest pain.", 60),
    ("stroke_signs", "My face is drooping on one side.", "My face is not drooping.", 70),
    ("stroke_signs", "I can't lift my right arm since this morning.", "No weakness.", 70),
    ("stroke_signs", "His speech is slurred.", "His speech is not slurred.", 70),
    (
        "stroke_signs",
        "It is the worst headache of my life.",
        "I never had the worst headache of my life.",
        40,
    ),
    (
        "anaphylaxis",
        "I ate shrimp and now I can't breathe.",
        "I ate shrimp. I have no trouble breathing.",
        30,
    ),
    ("anaphylaxis", "I have hives and I'm wheezing.", "I have hives, no wheezing.", 30),
    (
        "severe_bleeding",
        "The cut is bleeding a lot and it won't stop bleeding.",
        "It is not bleeding.",
        30,
    ),
    ("suicidal_homicidal", "I want to kill myself.", "I'm not suicidal.", 30),
    (
        "pregnancy_bleeding_pain",
        "I'm 8 weeks pregnant and I have bleeding.",
        "I'm not pregnant and I have bleeding.",
        28,
    ),
    (
        "pregnancy_bleeding_pain",
        "I'm pregnant and my stomach hurts a lot.",
        "I'm pregnant, and I deny any stomach pain or bleeding.",
        28,
    ),
    ("infant_fever", "She has a fever of 38.5.", "She does not have a fever.", 0.1),
    ("altered_mental_status", "He is confused and not making sense.", "He is not confused.", 80),
    ("danger_zone_vitals", "My heart rate was 120.", "My heart rate was not 120.", 40),
    ("danger_zone_vitals", "My oxygen was 88 percent.", "My oxygen was 98 percent.", 40),
]


@pytest.mark.parametrize(("rule_id", "positive", "negated", "age"), CASES)
def test_it_fires_on_the_finding_and_not_on_its_negation(rule_id, positive, negated, age):
    assert rule_id in fired(positive, age)
    assert rule_id not in fired(negated, age)


def test_it_has_a_positive_and_a_negated_case_for_every_rule():
    assert {r.id for r in RULES} == {c[0] for c in CASES}


def test_it_keeps_every_rule_readable_and_consistent():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.version and rule.description
        assert 1 <= rule.esi_floor <= 5
        assert rule.criteria or rule.check
        for criterion in (*rule.criteria, *rule.possible_when):
            for concept in (*criterion.all_of, *criterion.any_of):
                assert concept in CONCEPTS, (rule.id, concept)
        if rule.possible_when:
            assert rule.possible_floor is not None
            assert rule.possible_floor >= rule.esi_floor


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "denies shortness of breath",
        "I don't have a fever",
        "not bleeding",
        "She denied any chest pain.",
        "I have never had chest pain",
        "without chest pain",
    ],
)
def test_it_reads_negation_cues_before_the_finding(text):
    words = words_of(text)
    concept = next(
        c
        for c in ("chest pain", "shortness of breath", "fever", "bleeding")
        if find_concept(words, c)
    )
    assert all(hit.negated for hit in find_concept(words, concept))


def test_it_limits_negation_to_its_clause():
    # "but" and sentence ends close the negation's scope.
    assert "chest_pain_acs" in fired("No fever but my chest hurts and I am sweating.")
    assert "chest_pain_acs" in fired("I have no fever. My chest hurts, I'm short of breath.")
    # A comma also ends it: over-firing on lists is the documented, safe-side limit.
    assert "chest_pain_acs" in fired("No cough, chest pain and sweating")


def test_it_treats_uncertainty_and_wont_stop_as_affirmations():
    assert "chest_pain_acs" in fired("I'm not sure, maybe it's chest pain")
    assert "severe_bleeding" in fired("It does not stop bleeding")
    assert "pregnancy_bleeding_pain" in fired("I don't know if I'm pregnant but I'm bleeding")


def test_it_does_not_negate_a_finding_mentioned_after_its_denial():
    # Documented limit: negation after the term ("chest pain? no") is not recognised.
    assert "chest_pain_acs" in fired("Chest pain and sweating? No.")


def test_it_fires_partial_evidence_as_possible_at_its_own_floor():
    report = check_transcript(transcript("I have crushing pain in my chest."))
    (firing,) = report.firings
    assert firing.rule_id == "chest_pain_acs"
    assert firing.possible and firing.esi_floor == 3
    assert report.esi_floor == 3


def test_it_fires_asr_slips_as_possible_at_the_full_floor():
    report = check_transcript(transcript("chest pain and shortness of breth"))
    (firing,) = report.firings
    assert (firing.rule_id, firing.esi_floor, firing.possible) == ("chest_pain_acs", 2, True)


def test_it_keeps_blood_pressure_apart_from_bleeding():
    assert "pregnancy_bleeding_pain" not in fired("I'm pregnant and my blood pressure is high")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my heart rate was 120", "heart_rate", 120),
        ("pulse of 130 this morning", "heart_rate", 130),
        ("oxygen 88 percent", "spo2", 88),
        ("my sats were 89%", "spo2", 89),
        ("pulse ox 90", "spo2", 90),
        ("breathing rate 32", "resp_rate", 32),
        ("he was at 140 beats per minute", "heart_rate", 140),
        ("heart rate one hundred and twenty", "heart_rate", 120),
        ("a temperature of 38.5", "temperature", 38.5),
        ("temperature ninety eight point six", "temperature", 98.6),
        ("blood pressure 150 over 90", "blood_pressure", 150),
    ],
)
def test_it_reads_vital_signs_from_words(text, kind, value):
    readings = [r for r in find_readings(words_of(text)) if r.kind == kind]
    assert [r.value for r in readings] == [pytest.approx(value)]


def test_it_ignores_numbers_that_are_not_readings():
    assert find_readings(words_of("I have had a fever for 3 days")) == []
    assert find_readings(words_of("I'm on 2 liters of oxygen")) == []
    assert "danger_zone_vitals" not in fired("oxygen 2 liters, heart rate went up 2 days ago")


@pytest.mark.parametrize(
    ("age", "heart_rate", "resp_rate", "fires"),
    [
        (0.1, 175, 45, False),  # under 3 months: HR > 180, RR > 50
        (0.1, 185, 45, True),
        (0.1, 170, 55, True),
        (1.0, 155, 38, False),  # 3 months to 3 years: HR > 160, RR > 40
        (1.0, 165, 38, True),
        (5.0, 135, 28, False),  # 3 to 8 years: HR > 140, RR > 30
        (5.0, 135, 32, True),
        (30.0, 98, 18, False),  # over 8 years: HR > 100, RR > 20
        (30.0, 104, 18, True),
        (30.0, 98, 24, True),
        (None, 104, 18, True),  # unknown age: the (strictest) adult limits
    ],
)
def test_it_uses_the_age_specific_danger_zone(age, heart_rate, resp_rate, fires):
    text = f"heart rate {heart_rate}. respiratory rate {resp_rate}."
    assert ("danger_zone_vitals" in fired(text, age)) is fires


def test_it_checks_infant_fever_with_the_patients_age():
    assert "infant_fever" in fired("temperature 100.4 F", 0.2)
    assert "infant_fever" not in fired("temperature 100.2 F", 0.2)
    assert "infant_fever" not in fired("temperature 38.5", 0.5)  # 6 months: not this rule
    assert "infant_fever" in fired("temperature 38", 0.05)


def test_it_escalates_an_infant_fever_without_a_number_as_possible():
    report = check_transcript(transcript("My baby feels hot, she has a fever."), age_years=0.1)
    (firing,) = report.firings
    assert firing.rule_id == "infant_fever" and firing.possible


def test_it_reads_an_infants_age_from_the_words_when_the_record_has_none():
    report = check_transcript(transcript("my 6 week old has a fever of 38.2"))
    (firing,) = report.firings
    assert firing.rule_id == "infant_fever" and firing.possible


@pytest.mark.parametrize(
    ("model", "floor", "final"),
    [(4, 2, 2), (1, 2, 1), (3, None, 3), (None, 2, 2), (None, None, None), (5, 5, 5)],
)
def test_it_only_ever_raises_urgency(model, floor, final):
    assert apply_floor(model, floor) == final


def test_it_combines_firings_with_the_most_urgent_floor():
    report = check_transcript(
        transcript("I ate peanuts and I can't breathe.", "My chest hurts and I'm confused.")
    )
    floors = {f.rule_id: f.esi_floor for f in report.firings}
    assert floors["anaphylaxis"] == 1 and floors["altered_mental_status"] == 2
    assert report.esi_floor == 1 == min(floors.values())


def test_it_names_rule_version_floor_and_evidence():
    t = Transcript(
        segments=(
            Segment(0, 0.0, 2.0, " I feel sick."),
            Segment(
                1,
                2.0,
                5.0,
                " My chest hurts",
                words=(
                    Word(" My", 2.0, 2.4),
                    Word(" chest", 2.4, 3.0),
                    Word(" hurts", 3.0, 3.6),
                ),
            ),
            Segment(2, 5.0, 8.0, " and I am sweating."),
        ),
        model_id="test",
        language="en",
    )
    (firing,) = check_transcript(t).firings
    data = firing.as_json()
    assert data["rule_id"] == "chest_pain_acs" and data["rule_version"] == "1"
    assert data["esi_floor"] == 2 and data["source"] == "transcript"
    chest, sweat = data["evidence"]
    assert (chest["quote"], chest["segment"], chest["start"], chest["end"]) == (
        "chest hurts",
        1,
        4,
        15,
    )
    assert (chest["t0"], chest["t1"]) == (2.4, 3.6)  # from word timings
    assert t.segments[1].text[chest["start"] : chest["end"]] == "chest hurts"
    assert sweat["segment"] == 2 and 5.0 < sweat["t0"] < sweat["t1"] <= 8.0  # interpolated


def test_it_labels_the_source_of_a_typed_complaint():
    report = check_transcript(transcript("worst headache of my life"), source="typed")
    assert [f.source for f in report.firings] == ["typed"]


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
    assert [f.rule_id for f in report.firings] == ["chest_pain_acs"]
    (firing,) = report.firings
    assert firing.source == "draft"
    assert {e.matched_text for e in firing.evidence} == {"My chest is tight", "I can't get my air"}


def test_it_ignores_record_items_the_transcript_does_not_support():
    t = transcript("I twisted my ankle yesterday.")
    record = _record(red_flags=[{"flag": "slurred speech", "quote": "my words come out wrong"}])
    assert check_record(record, t).firings == ()


def test_it_reads_vitals_from_the_record():
    t = transcript("They said my heart rate was 130.")
    vitals = dict(
        record_template()["vitals"], heart_rate={"value": "130", "quote": "heart rate was 130"}
    )
    record = _record(vitals=vitals)
    (firing,) = check_record(record, t, age_years=40).firings
    assert firing.rule_id == "danger_zone_vitals" and firing.evidence[0].segment_id == 0


def test_it_flags_an_allergy_history_with_breathing_trouble_as_possible_not_anaphylaxis():
    # A drug allergy in the history is common; with shortness of breath it is worth a nurse's
    # question (possible, ESI 2), not an ESI 1 anaphylaxis alarm.
    report = check_transcript(
        transcript("I am sweating and short of breath.", "I am allergic to penicillin.")
    )
    (firing,) = [f for f in report.firings if f.rule_id == "anaphylaxis"]
    assert firing.possible and firing.esi_floor == 2


def test_it_still_fires_anaphylaxis_for_a_reaction_after_a_drug():
    report = check_transcript(transcript("I took a new pill an hour ago and now I can't breathe."))
    (firing,) = [f for f in report.firings if f.rule_id == "anaphylaxis"]
    assert not firing.possible and firing.esi_floor == 1
