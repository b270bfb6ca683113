"""Numbers the red-flag net reads: vital signs by age, temperatures, blood sugar, pain scores
and ages, in digits and in words as people say them."""

from __future__ import annotations

import pytest

from inference.safety import check_transcript
from inference.safety.numbers import age_from_text, find_readings, pain_scores
from inference.safety.text import words_of
from inference.transcript import Segment, Transcript


def fired(text: str, age: float | None = None) -> dict[str, str]:
    t = Transcript(segments=(Segment(0, 0.0, 3.0, text),), model_id="t", language="en")
    return {f.rule_id: f.level for f in check_transcript(t, age_years=age).firings}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my heart rate was 120", "heart_rate", 120),
        ("pulse of 130 this morning", "heart_rate", 130),
        ("oxygen 88 percent", "spo2", 88),
        ("my sats were 89%", "spo2", 89),
        ("his sats are in the eighties", "spo2", 85),
        ("breathing rate 32", "resp_rate", 32),
        ("he was at 140 beats per minute", "heart_rate", 140),
        ("heart rate one hundred and twenty", "heart_rate", 120),
        ("a temperature of 38.5", "temperature", 38.5),
        ("temperature ninety eight point six", "temperature", 98.6),
        ("blood pressure 150 over 90", "blood_pressure", 150),
        (
            "my blood pressure at home twice it was two twenty over one thirty",
            "blood_pressure",
            220,
        ),
        ("bp 85/50", "blood_pressure", 85),
        ("my sugar was 2.1", "glucose", 2.1),
    ],
)
def test_it_reads_readings_from_words(text, kind, value):
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


def test_it_reads_blood_pressure_at_both_ends():
    assert "danger_zone_vitals" in fired("his blood pressure is 70 over 40", 60)
    assert "danger_zone_vitals" in fired("blood pressure two twenty over one thirty", 60)
    assert "danger_zone_vitals" not in fired("blood pressure 128 over 82", 60)


def test_it_does_not_read_a_hypothetical_reading():
    assert fired("come back if his heart rate goes over 120", 40) == {}


def test_it_checks_infant_fever_with_the_patients_age():
    assert "infant_fever" in fired("temperature 100.4 F", 0.2)
    assert "infant_fever" not in fired("temperature 100.2 F", 0.2)
    assert "infant_fever" not in fired("temperature 38.5", 0.5)  # 6 months: not this rule
    assert "infant_fever" in fired("temperature 38", 0.05)
    assert "infant_fever" not in fired("her temperature is 36.8", 0.1)


def test_it_escalates_an_infant_who_feels_hot_as_possible():
    assert fired("my baby feels really hot", 0.1) == {"infant_fever": "possible"}
    assert fired("my baby feels really hot", 2.0) == {}


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("my 6 week old has a fever", 6 / 52.18),
        ("she's only seven weeks", 7 / 52.18),
        ("the newborn feels hot", 0.02),
        ("ten days old", 10 / 365.25),
    ],
)
def test_it_reads_an_infants_age_from_the_words(text, years):
    found = age_from_text(words_of(text))
    assert found is not None and found[0] == pytest.approx(years)


def test_it_marks_an_age_read_from_the_words_as_possible():
    assert fired("my 6 week old has a fever of 38.2") == {"infant_fever": "possible"}


def test_it_reads_blood_sugar_in_both_units():
    assert fired("my sugar is 2.4 and I feel shaky")["diabetic_emergency"] == "definite"
    assert fired("her glucose was 40")["diabetic_emergency"] == "definite"
    assert fired("my sugar was 3.8, had a biscuit and it's up to six now") == {}


@pytest.mark.parametrize(
    ("text", "score"),
    [("it's a nine out of ten", 9), ("8/10", 8), ("like an eight", 8), ("ten out of 10", 10)],
)
def test_it_reads_pain_scores(text, score):
    assert [s.value for s in pain_scores(words_of(text))] == [score]


def test_it_fires_severe_pain_at_seven_and_above():
    assert fired("the pain is a seven out of ten") == {"severe_pain": "possible"}
    assert fired("the pain is an eight out of ten") == {"severe_pain": "definite"}
    assert fired("my back pain is about a four out of ten") == {}


def test_it_reads_a_hundred_said_without_one():
    (reading,) = find_readings(words_of("temperature is reading hundred point four fahrenheit"))
    assert (reading.kind, reading.value, reading.unit) == ("temperature", 100.4, "F")
    assert "infant_fever" in fired("his temperature is hundred point six", age=0.1)


def test_it_reads_blood_pressure_said_with_by():
    (reading,) = find_readings(words_of("the pressure machine says seventy by forty five"))
    assert (reading.value, reading.value2) == (70, 45)
    assert "danger_zone_vitals" in fired("my bp is seventy by forty five and i feel faint")


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("she's six weeks and she's thirty eight point three", True),
        ("he's 38.6 under the arm, he's only a month old", True),
        ("she's thirty eight point five weeks along", False),  # not a temperature
        ("he's three point five kilos", False),
    ],
)
def test_it_reads_a_thermometer_number_said_without_a_cue(text, fires):
    assert ("infant_fever" in fired(text, age=0.1)) is fires


def test_it_does_not_let_a_device_cut_off_the_number_of_the_cue_before_it():
    (reading,) = find_readings(words_of("his pulse on the machine is thirty six, we checked twice"))
    assert (reading.kind, reading.value) == ("heart_rate", 36)
    # A pulse said twice after "the machine says" is not a blood pressure of 38/39.
    (reading,) = find_readings(
        words_of("heart rate on the home machine it say thirty eight thirty")
    )
    assert reading.kind == "heart_rate"
