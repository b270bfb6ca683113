"""The public red-flag utterance set (datasets/red_flags) and the net's level on it.

The test split is never used for tuning. Issue 11's targets on it are recall >= 98% and false
alarms <= 5%; the shipped net measures 95.8% / 1.6% (docs/RED_FLAGS.md), so recall misses
its target. This test holds the measured level as a floor, so that a change that makes the
net worse on unseen wording fails the build; it does not claim the target."""

from __future__ import annotations

import pytest
from django.conf import settings

from inference.safety.evaluate import BENIGN_KINDS, DEV_SPLITS, load_split, score
from inference.safety.net import RedFlagNet
from inference.safety.rules import RULES


def test_it_ships_enough_varied_utterances():
    splits = {name: load_split(name) for name in (*DEV_SPLITS, "test")}
    everything = [u for items in splits.values() for u in items]
    positives = [u for u in everything if u.red_flag]
    benign = [u for u in everything if not u.red_flag]
    assert len(everything) >= 300 and len(positives) >= 150 and len(benign) >= 150
    categories = {r.category for r in RULES}
    for name, items in splits.items():
        assert {u.category for u in items if u.red_flag} == categories, name
        assert {u.category for u in items if not u.red_flag} == set(BENIGN_KINDS), name
        assert len({u.id for u in items}) == len(items), name
    ids = [u.id for u in everything]
    texts = [u.text.strip().lower() for u in everything]
    assert len(set(ids)) == len(ids) and len(set(texts)) == len(texts)


def test_it_names_the_line_of_a_broken_utterance(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "x", "expected": "maybe", "category": "acs"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: expected must be"):
        load_split(path)


@pytest.fixture(scope="module")
def net() -> RedFlagNet:
    return RedFlagNet.load(cache_dir=settings.SAFETY_CACHE_DIR)


def test_it_holds_its_measured_level_on_the_test_split(net):
    items = load_split("test")
    reports = net.screen_texts([u.text for u in items], [u.age_years for u in items])
    result = score(items, reports)
    assert result.recall.value >= 0.95, result.missed  # measured 138/144
    assert result.false_alarms.value <= 0.05, result.alarmed  # measured 2/129; target 5%
