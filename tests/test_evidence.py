"""Locating quotes in the transcript: exact, case/punctuation, ASR slips, across segments,
absent; spans and times."""

from __future__ import annotations

import pytest

from inference.evidence import TranscriptIndex, locate, locate_items
from inference.transcript import Segment, Transcript, Word

SEGMENTS = (
    Segment(0, 0.0, 4.0, " I take met forming every morning.", words=()),
    Segment(
        1,
        4.0,
        7.0,
        " My chest hurts when I",
        words=(
            Word(" My", 4.0, 4.3),
            Word(" chest", 4.3, 4.8),
            Word(" hurts", 4.8, 5.4),
            Word(" when", 5.4, 5.9),
            Word(" I", 5.9, 6.2),
        ),
    ),
    Segment(2, 7.0, 10.0, " climb the stairs, and I'm sweating."),
)


@pytest.fixture(scope="module")
def index() -> TranscriptIndex:
    return TranscriptIndex(Transcript(segments=SEGMENTS, model_id="test", language="en"))


def test_it_finds_an_exact_quote_with_its_span_and_word_times(index):
    found = locate("chest hurts", index)
    assert found.supported and found.score == 1.0
    (span,) = found.spans
    assert span.segment_id == 1
    assert SEGMENTS[1].text[span.start : span.end] == "chest hurts"
    assert (span.t0, span.t1) == (4.3, 5.4)
    assert found.text_start is not None
    assert index.text[found.text_start : found.text_end] == "chest hurts"


def test_it_ignores_case_punctuation_and_whitespace(index):
    found = locate("  MY CHEST,   hurts! ", index)
    assert found.supported and found.score == 1.0
    assert found.matched_text == "My chest hurts"


def test_it_tolerates_one_asr_word_difference(index):
    found = locate("I take metformin every morning", index)
    assert found.supported and 0.8 <= found.score < 1.0
    assert found.matched_text == "I take met forming every morning"
    assert found.segment_id == 0


def test_it_finds_a_single_word_heard_as_two(index):
    found = locate("metformin", index)
    assert found.supported and found.matched_text == "met forming"


def test_it_interpolates_times_without_word_timings(index):
    found = locate("sweating", index)
    (span,) = found.spans
    assert span.segment_id == 2
    # Within the segment, in order, proportional to the characters.
    assert 7.0 < span.t0 < span.t1 <= 10.0
    assert span.t0 == pytest.approx(7.0 + 3.0 * span.start / len(SEGMENTS[2].text), abs=0.01)


def test_it_spans_two_segments(index):
    found = locate("hurts when I climb the stairs", index)
    assert found.supported
    assert [s.segment_id for s in found.spans] == [1, 2]
    first, second = found.spans
    assert SEGMENTS[1].text[first.start : first.end] == "hurts when I"
    assert SEGMENTS[2].text[second.start : second.end] == "climb the stairs"
    assert found.t0 == 4.8 and found.t1 is not None and found.t1 > 7.0


def test_it_keeps_an_absent_quote_marked_unsupported(index):
    found = locate("I have a rash on my leg", index)
    assert not found.supported
    assert found.spans == () and found.segment_id is None
    assert found.as_json()["supported"] is False


def test_it_treats_an_empty_quote_as_unsupported(index):
    assert not locate("", index).supported
    assert not locate("...", index).supported


def test_it_uses_a_configurable_threshold(index):
    assert not locate("I take metformin every morning", index, threshold=0.99).supported
    assert locate("I take metformin every morning", index, threshold=0.5).supported


def test_it_returns_paths_with_the_evidence(index):
    items = [("medications[0]", "metformin"), ("symptoms[0]", "a rash")]
    found = locate_items(items, index)
    assert [(e.path, e.evidence.supported) for e in found] == [
        ("medications[0]", True),
        ("symptoms[0]", False),
    ]
    data = found[0].as_json()
    assert data["path"] == "medications[0]" and data["segment"] == 0


def test_it_matches_the_transcripts_own_text(index):
    t = Transcript(segments=SEGMENTS, model_id="test", language="en")
    assert index.text == t.text


def test_it_is_fast_enough_for_a_long_transcript():
    import time

    sentence = "the pain started on monday and it is worse at night when I lie down flat"
    words = sentence.split()
    segments = tuple(
        Segment(i, i * 3.0, i * 3.0 + 3.0, " ".join(words[i % 5 :] + words[: i % 5]))
        for i in range(60)
    )
    index = TranscriptIndex(Transcript(segments=segments, model_id="t", language="en"))
    started = time.perf_counter()
    for quote in ["it is worse at night when I lie", "something never said at all here", "pane"]:
        locate(quote, index)
    assert time.perf_counter() - started < 1.0
