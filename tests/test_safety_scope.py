"""Scopes of the red-flag net: a finding fires only when it is said of the patient, now.
Denied, hypothetical, someone else's history and long-past findings do not fire; carers,
hedging and recent events do."""

from __future__ import annotations

import pytest

from inference.safety import check_transcript
from inference.safety.match import find_concept
from inference.safety.scope import Scopes
from inference.safety.text import words_of
from inference.transcript import Segment, Transcript


def rules(text: str, age: float | None = 40) -> set[str]:
    t = Transcript(segments=(Segment(0, 0.0, 3.0, text),), model_id="t", language="en")
    return {f.rule_id for f in check_transcript(t, age_years=age).firings}


def scope(text: str, concept: str) -> str | None:
    words = words_of(text)
    (hit, *_) = find_concept(words, concept)
    return Scopes(words).of(hit)


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "I don't have any pain in my chest",
        "she denied any chest pain",
        "never had chest pain",
        "chest pain? no",
        "chest pain, none of that, it's my knee",
        "I have no fever, cough or chest pain",
    ],
)
def test_it_denies_a_finding_under_a_negation(text):
    assert scope(text, "chest pain") == "negated"


def test_it_ends_a_denial_at_a_new_subject_or_a_turn():
    assert rules("no fever he has a stiff neck and the light hurts his eyes") == {
        "meningitis_sepsis"
    }
    assert "chest_pain_acs" in rules("no fever but my chest is crushing and I'm sweating")
    assert "chest_pain_acs" in rules("I don't have a fever and my chest is tight and sweaty")


def test_it_does_not_take_inability_or_hedging_for_denial():
    assert "breathing_distress" in rules("I can't breathe")
    assert "chest_pain_acs" in rules("I'm not sure but I think it's chest pain and I'm sweating")
    assert "severe_bleeding" in rules("it hasn't stopped bleeding for an hour")
    assert "severe_pain" in rules("I've never had pain like this, it's unbearable")
    assert "unresponsive" in rules("I don't know if he's breathing, he won't wake up")
    assert "suicidal_homicidal" in rules("I don't want to be here anymore")
    assert "suicidal_homicidal" not in rules("I don't want to hurt myself or anyone else")


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("the doctor said come back if I get chest pain", "chest pain"),
        ("what should I do if she has a seizure", "seizure"),
        ("in case he chokes on it", "airway threat"),
        ("would I even know if I was having a heart attack", "heart attack"),
        ("I'm worried I'm going to have a heart attack with all this stress", "heart attack"),
        ("is it normal to bleed a lot after a tooth out", "severe bleeding"),
    ],
)
def test_it_sets_questions_plans_and_fears_aside(text, concept):
    assert scope(text, concept) == "hypothetical"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("my dad died of a heart attack", "heart attack"),
        ("heart attacks run in my family, my mum had one at fifty", "heart attack"),
        ("a cousin collapsed playing football", "syncope"),
        ("her brothers all had seizures", "seizure"),
    ],
)
def test_it_sets_someone_elses_history_aside(text, concept):
    assert scope(text, concept) == "someone else"


def test_it_fires_for_a_carer_speaking_about_the_patient():
    assert "seizure" in rules("my husband is having a fit")
    assert "stroke_signs" in rules("my dad had a stroke at sixty and now he's slurring his words")
    assert "chest_pain_acs" in rules(
        "my dad died of a heart attack and I've got crushing chest pain"
    )


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("I had a heart attack in 2015, I'm just here for my prescription", "heart attack"),
        ("she had a seizure as a teenager", "seizure"),
        ("years ago I overdosed but I'm in a good place now", "overdose"),
        ("I fainted once when I was like fourteen", "syncope"),
        ("I had a seizure years ago, none since", "seizure"),
    ],
)
def test_it_sets_the_long_past_aside(text, concept):
    assert scope(text, concept) == "past"


def test_it_keeps_recent_events_and_ongoing_states():
    assert "chest_pain_acs" in rules("I had a heart attack in 2015 and now I have chest pain again")
    assert "syncope" in rules("I passed out at work two hours ago")
    # Being pregnant is a state: a test last week still means pregnant now.
    assert "pregnancy_emergency" in rules(
        "I got a positive test last week and now I'm bleeding", 30
    )


def test_it_respects_the_clause_of_a_hypothetical():
    assert "chest_pain_acs" in rules(
        "I'm not sure if it's a heart attack but my chest is crushing and my arm is numb"
    )


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("a burning in my chest nope, it's only after curry", "chest pain"),
        ("the nurse asked if I'd had any chest pain and I said no", "chest pain"),
        ("they always ask is it the worst headache ever and honestly no", "thunderclap headache"),
        ("she wasnae knocked out, just a bump", "syncope"),
    ],
)
def test_it_denies_answers_nope_nothing_and_dialect(text, concept):
    assert scope(text, concept) == "negated"


def test_it_keeps_a_finding_asked_about_and_confirmed():
    assert "thunderclap_headache" in rules(
        "they always ask is it the worst headache ever and yes it is, it came on like a bang"
    )
    assert "unresponsive" in rules("I shook him and nothing, he won't wake up")
    assert "chest_pain_acs" in rules("it's probably nothing but my chest is crushing and sweaty")


def test_it_reads_nothing_as_a_denial_only_of_what_follows():
    assert "testicular_torsion" not in rules("his testicles are fine he says, nothing swollen", 15)
    assert "severe_pain" in rules("nothing helps, the pain is unbearable")
    assert "severe_bleeding" in rules("nothing will stop the bleeding from his hand")
    assert "chest_pain_acs" not in rules(
        "I get heartburn after spicy food, nothing going down my arm, no sweating"
    )


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("I keep worrying about having a stroke like my uncle did", "one sided weakness"),
        ("I thought she'd swallowed a magnet but no, they were all there", "swallowed"),
        ("what temperature counts as a fever in a newborn", "fever"),
        ("what does a meningitis rash look like", "non blanching rash"),
    ],
)
def test_it_sets_worries_and_questions_aside(text, concept):
    words = words_of(text)
    hits = find_concept(words, concept)
    if hits:  # a concept the words do not name at all cannot fire either
        assert Scopes(words).of(hits[0]) == "hypothetical"


def test_it_sets_a_fronted_long_past_and_a_named_month_aside():
    assert (
        scope(
            "I'm sixty and back in nineteen ninety I had a bleed and was vomiting blood",
            "gi bleeding",
        )
        == "past"
    )
    assert scope("he collapsed last april and has had a pacemaker since", "syncope") == "past"
    assert "breathing_distress" not in rules(
        "on the train I couldn't breathe with a panic attack, it passed after a few minutes"
    )


def test_it_knows_an_asker_for_themself_and_someone_elses_child():
    assert scope("my brother's boy had a seizure at a party", "seizure") == "someone else"
    assert "chest_pain_acs" not in rules(
        "me dad had a heart attack and me uncle too so I want the works checked", 45
    )


def test_it_does_not_take_a_childs_adult_relative_for_the_patient():
    assert "seizure" not in rules("my wife had a fit on friday, my boy has a cough", 5)
    assert "seizure" in rules("my wife found him fitting on the floor", 5)
    assert "seizure" in rules("my wife had a fit on friday and again this morning", 40)


def test_it_reads_ain_t_before_a_participle_as_have_not():
    assert "pregnancy_emergency" in rules("I'm thirty two weeks and I ain't felt him kick all day")


def test_it_fires_a_present_danger_followed_by_what_should_i_do():
    assert "airway_threat" in rules("my girl has gone blue and is not breathing what do I do")
    assert "seizure" in rules("she's fitting on the floor right now what should I do", 30)
    assert "seizure" not in rules("what should I do if she has a fit at school", 8)
    assert "suicidal_homicidal" not in rules(
        "if my son ever told me he wanted to kill himself what would I do", 16
    )


def test_it_takes_a_relative_a_caller_reports_on_for_the_patient():
    assert scope("caller reports her grandad has had two fits this morning", "seizure") is None
    assert "testicular_torsion" in rules("caller says his boy has sudden pain in one testicle", 12)
    # Still someone else's history when it is one.
    assert "seizure" not in rules("caller says her dad died of a seizure years ago", 40)


def test_it_sets_a_relatives_friend_and_a_season_back_aside():
    assert scope("my sons mate from school had a seizure on the bus", "seizure") == "someone else"
    assert scope("I fainted on the beach back in the summer, all tests fine", "syncope") == "past"
    assert "syncope" in rules("I hurt my back in the summer and today I collapsed at work", 50)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Caribbean English as speech-to-text writes it.
        ("mi shake him an him nah answer", "unresponsive"),
        ("she cyaan swallow an har throat a close up after di bee sting", "anaphylaxis"),
        ("mi madda nuh mek no sense since mornin", "altered_mental_status"),
        # The speaker saying who they are is not someone else.
        ("this is his daughter calling, dad passed out in the garden", "syncope"),
        ("hi it's her son, mum didn't recognise me today", "altered_mental_status"),
    ],
)
def test_it_reads_dialect_and_speakers_introducing_themselves(text, rule):
    assert rule in rules(text, age=70)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("mi nah have no chest pain, just a cough", "chest_pain_acs"),
        ("my wife is asking, if the chest pain comes back should she ring 999", "chest_pain_acs"),
        ("can a toddler die from swallowing a magnet", "dangerous_ingestion"),
        ("is it true you can have a heart attack without chest pain", "chest_pain_acs"),
        ("I had a heart attack back in oh nine and need my statins", "chest_pain_acs"),
        ("my cousin has a seizure disorder and I'm pregnant, could the baby get it", "seizure"),
        ("my cousin has a seizure disorder and I'm pregnant", "pregnancy_emergency"),
        ("I passed out leaflets all morning", "syncope"),
        ("cut my finger, not bleeding anymore and I'm not on blood thinners", "severe_bleeding"),
        ("she had a bad pain crisis in the spring, she was admitted and discharged", "severe_pain"),
    ],
)
def test_it_does_not_fire_on_these_benign_wordings(text, rule):
    assert rule not in rules(text, age=30)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("she had a sees your this morning, her first one", "seizure"),
        ("i had a sin cope at work today", "syncope"),
        ("he's un responsive on the bathroom floor", "unresponsive"),
        ("gas heater on all night, we have all got headaches and feel sick", "toxic_inhalation"),
    ],
)
def test_it_reads_speech_to_text_forms_and_lay_wording(text, rule):
    assert rule in rules(text, age=40)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("first baby, how would I know if she's moving less", "pregnancy_emergency"),
        ("the student's dad had a heart attack back home, she's fine herself", "chest_pain_acs"),
        ("me da died of a heart attack so I want the cholesterol checked", "chest_pain_acs"),
        ("is pain in the left arm always a heart attack, I don't have any", "chest_pain_acs"),
        ("she's not floppy, she's not hot, she's feeding fine", "altered_mental_status"),
    ],
)
def test_it_does_not_fire_on_questions_and_other_peoples_events(text, rule):
    assert rule not in rules(text, age=30)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("he's had a crushing feeling behind his breast bone and he's sweaty", "chest_pain_acs"),
        ("me belly hurts, it's like nothing I've ever had", "severe_pain"),
        ("my lad swallowed a drawing pin doing his homework", "dangerous_ingestion"),
        ("my daughter bit into a dishwasher pod", "dangerous_ingestion"),
        ("the forklift tipped and pinned his legs", "major_trauma"),
        ("he's been doubling his digoxin by mistake all week", "overdose_poisoning"),
    ],
)
def test_it_reads_more_lay_wording(text, rule):
    assert rule in rules(text, age=40)


def test_it_flags_waters_breaking_for_a_midwife_to_check():
    t = Transcript(
        segments=(Segment(0, 0.0, 3.0, "my water just broke in the shop"),),
        model_id="t",
        language="en",
    )
    (firing,) = check_transcript(t, age_years=30).firings
    assert (firing.rule_id, firing.level) == ("pregnancy_emergency", "possible")
    assert "pregnancy_emergency" not in rules("drank some water and the headache has mostly gone")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("stubbed my toe and it's gone purple", "airway_threat"),
        ("my pressure was one twenty eight over eighty, heart rate seventy two", "chest_pain_acs"),
        ("headache from too much screen time, paracetamol helps", "overdose_poisoning"),
        ("I need my daughter's shot record for school by friday", "major_trauma"),
        ("I'm a heart attack waiting to happen according to the wife", "chest_pain_acs"),
        ("would two puffs of his inhaler by mistake count as an overdose", "overdose_poisoning"),
    ],
)
def test_it_does_not_fire_on_these_everyday_uses(text, rule):
    assert rule not in rules(text, age=40)
