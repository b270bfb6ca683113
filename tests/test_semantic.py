"""The meaning-match layer of the red-flag net, on the real sentence encoder: it adds
paraphrases the word rules have no words for, marked "possible" and "semantic"; it stays out
of denied, hypothetical and past sentences; the union keeps the word rules' firing."""

from __future__ import annotations

import pytest
from django.conf import settings

from inference.safety.net import RedFlagNet, union
from inference.safety.report import Firing


@pytest.fixture(scope="module")
def net() -> RedFlagNet:
    return RedFlagNet.load(cache_dir=settings.SAFETY_CACHE_DIR)


def fired(net: RedFlagNet, text: str, layers: tuple[str, ...], age: float | None = 50):
    net.layers = layers
    try:
        (report,) = net.screen_texts([text], [age])
    finally:
        net.layers = ("rules", "semantic")
    return {f.rule_id: f for f in report.firings}


def test_it_loads_the_exemplars_once(net):
    assert net.semantic is not None and net.semantic._vectors is not None
    assert net.semantic._vectors.shape[1] == 384


def test_it_finds_a_paraphrase_the_word_rules_have_no_words_for(net):
    # No battery, magnet or chemical named: the words of the rules have nothing to hold on to.
    text = (
        "the baby got hold of the little coin thing that powers the kitchen timer and we cant "
        "find it now she is dribbling"
    )
    assert fired(net, text, ("rules",)) == {}
    firing = fired(net, text, ("semantic",))["dangerous_ingestion"]
    assert (firing.level, firing.layer) == ("possible", "semantic")
    assert firing.evidence and "similarity" in firing.reason


@pytest.mark.parametrize(
    "text",
    [
        "it doesn't feel like someone is sitting on my chest at all",
        "what should I do if it feels like someone is sitting on my chest",
        "years ago it felt like someone was sitting on my chest",
    ],
)
def test_it_stays_out_of_denied_hypothetical_and_past_sentences(net, text):
    assert fired(net, text, ("semantic",)) == {}


def test_it_stays_quiet_on_ordinary_complaints(net):
    for text in ("I twisted my ankle at football", "I need my repeat prescription", "sore throat"):
        assert fired(net, text, ("rules", "semantic")) == {}


def test_it_keeps_the_word_rules_firing_when_both_layers_fire():
    def firing(layer: str, floor: int) -> Firing:
        return Firing("seizure", "1", floor, "Seizure", "typed", "r", (), "possible", layer)  # type: ignore[arg-type]

    kept = union([firing("semantic", 2), firing("rules", 2)])
    assert [f.layer for f in kept] == ["rules"]


def test_it_leaves_numbers_to_the_word_rules(net):
    # Normal readings sound like vital-sign talk to the encoder, which cannot read the numbers
    # (without the check this fires danger-zone vitals as "possible").
    text = "mum's oxygen was ninety six and pulse sixty eight on the home monitor, just her review"
    assert "danger_zone_vitals" not in fired(net, text, ("semantic",), age=80)
    # The word rules judge the same cue words with a dangerous number.
    text = "mum's oxygen was eighty six and pulse sixty eight on the home monitor"
    assert "danger_zone_vitals" in fired(net, text, ("rules", "semantic"), age=80)
