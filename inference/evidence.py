"""Where in the transcript is this quote? Locates quotes (from the model or from the safety
rules) and returns segment, character span and times, so a nurse can see and hear the words.

Matching is tolerant of what ASR and paraphrasing models change without changing meaning:
case, punctuation, apostrophes, whitespace, and small word differences ("metformin" heard as
"met forming"). Both sides are reduced to normalised word tokens; an exact token run wins
outright, else a window search scores candidate runs of transcript words with difflib's
character similarity over the space-joined tokens, and the best run at or above `threshold`
is the match. Quotes not found are kept and marked `supported=False`: the item stays in the
draft, flagged, never silently dropped.

Limits: number words vs digits ("eight" vs "8") and reordered phrases do not match; a quote
stitched from far-apart places matches at best one of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from inference.transcript import Segment, Transcript

DEFAULT_THRESHOLD = 0.8
TOP_WINDOWS = 8  # candidate windows scored in full per quote

# Words (letters/digits with inner apostrophes), decimal numbers, and % as its own word.
_RSQUO = "\u2019"  # typographic apostrophe, as in "don\u2019t"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:['" + _RSQUO + r"][^\W_]+)*|%")


@dataclass(frozen=True)
class Token:
    norm: str
    start: int  # character offsets in the full transcript text
    end: int


def normalise_word(word: str) -> str:
    if word == "%":
        return "percent"
    return word.lower().replace("'", "").replace(_RSQUO, "")


def tokenize(text: str, offset: int = 0) -> list[Token]:
    return [
        Token(normalise_word(m.group()), m.start() + offset, m.end() + offset)
        for m in _TOKEN.finditer(text)
    ]


@dataclass(frozen=True)
class Span:
    segment_id: int
    start: int  # character offsets in that segment's own `text`
    end: int
    t0: float  # seconds on the recording's timeline
    t1: float


@dataclass(frozen=True)
class Evidence:
    quote: str
    supported: bool
    score: float = 0.0  # 1.0: exact after normalisation
    spans: tuple[Span, ...] = ()  # one per segment the match touches, in order
    text_start: int | None = None  # the match in Transcript.text
    text_end: int | None = None
    matched_text: str = ""  # what the transcript says there

    @property
    def segment_id(self) -> int | None:
        return self.spans[0].segment_id if self.spans else None

    @property
    def t0(self) -> float | None:
        return self.spans[0].t0 if self.spans else None

    @property
    def t1(self) -> float | None:
        return self.spans[-1].t1 if self.spans else None

    def as_json(self) -> dict[str, object]:
        """The shape stored in SafetyFiring.evidence and shown next to draft items."""
        first = self.spans[0] if self.spans else None
        return {
            "quote": self.quote,
            "supported": self.supported,
            "score": round(self.score, 3),
            "segment": first.segment_id if first else None,
            "start": first.start if first else None,
            "end": first.end if first else None,
            "t0": self.t0,
            "t1": self.t1,
            "spans": [
                {"segment": s.segment_id, "start": s.start, "end": s.end, "t0": s.t0, "t1": s.t1}
                for s in self.spans
            ],
        }


@dataclass(frozen=True)
class _SegmentRange:
    segment: Segment
    start: int  # in the full text
    end: int
    lead: int  # characters stripped from the front of segment.text
    words: tuple[tuple[int, int, float, float], ...]  # aligned (start, end, t0, t1), segment chars


def _align_words(segment: Segment) -> tuple[tuple[int, int, float, float], ...]:
    """Word timings mapped onto the segment's characters; words that cannot be placed are
    skipped (their part of the span is then timed by interpolation)."""
    aligned = []
    lowered = segment.text.lower()
    cursor = 0
    for word in segment.words:
        piece = word.text.strip().lower()
        if not piece:
            continue
        at = lowered.find(piece, cursor)
        if at < 0:
            continue
        aligned.append((at, at + len(piece), word.start, word.end))
        cursor = at + len(piece)
    return tuple(aligned)


class TranscriptIndex:
    """The transcript's full text, its word tokens and the segment map; build once per
    transcript, then locate many quotes."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        parts: list[str] = []
        ranges: list[_SegmentRange] = []
        position = 0
        for segment in transcript.segments:
            stripped = segment.text.strip()
            if not stripped:
                continue
            if parts:
                position += 1  # the joining space, as in Transcript.text
            lead = len(segment.text) - len(segment.text.lstrip())
            ranges.append(
                _SegmentRange(
                    segment, position, position + len(stripped), lead, _align_words(segment)
                )
            )
            parts.append(stripped)
            position += len(stripped)
        self.text = " ".join(parts)
        self.ranges = tuple(ranges)
        self.tokens = tokenize(self.text)

    def spans(self, start: int, end: int) -> tuple[Span, ...]:
        """Per-segment spans (with times) covering [start, end) of the full text."""
        out = []
        for r in self.ranges:
            lo, hi = max(start, r.start), min(end, r.end)
            if lo >= hi:
                continue
            s0, s1 = lo - r.start + r.lead, hi - r.start + r.lead
            out.append(Span(r.segment.id, s0, s1, *self._times(r, s0, s1)))
        return tuple(out)

    @staticmethod
    def _times(r: _SegmentRange, s0: int, s1: int) -> tuple[float, float]:
        hits = [(t0, t1) for a, b, t0, t1 in r.words if a < s1 and b > s0]
        if hits:
            return min(h[0] for h in hits), max(h[1] for h in hits)
        seg = r.segment
        length = max(1, len(seg.text))
        duration = max(0.0, seg.end - seg.start)
        return (
            round(seg.start + duration * s0 / length, 3),
            round(seg.start + duration * s1 / length, 3),
        )

    def evidence(self, quote: str, start: int, end: int, score: float) -> Evidence:
        return Evidence(
            quote=quote,
            supported=True,
            score=score,
            spans=self.spans(start, end),
            text_start=start,
            text_end=end,
            matched_text=self.text[start:end],
        )


def _exact(tokens: list[Token], wanted: list[str]) -> int | None:
    n = len(wanted)
    for i in range(len(tokens) - n + 1):
        if tokens[i].norm == wanted[0] and [t.norm for t in tokens[i : i + n]] == wanted:
            return i
    return None


def _candidate_starts(tokens: list[Token], wanted: list[str], slack: int) -> Iterable[int]:
    """Where a fuzzy match can start: the runs sharing the most words with the quote.

    A sliding count of shared words ranks the n-word windows; only the best few (and their
    neighbours, since ASR can add or drop a word) get the costly character comparison. Keeps
    a long quote against a long, repetitive transcript in the milliseconds.
    """
    n = len(wanted)
    if n <= 2 or len(tokens) <= 3 * n:
        return range(len(tokens))
    vocabulary = set(wanted)
    shared = [1 if t.norm in vocabulary else 0 for t in tokens]
    overlap = [sum(shared[:n])]
    for i in range(1, len(tokens) - n + 1):
        overlap.append(overlap[-1] - shared[i - 1] + shared[i + n - 1])
    best = sorted(range(len(overlap)), key=lambda i: (-overlap[i], i))[:TOP_WINDOWS]
    starts = {s for i in best if overlap[i] for s in range(i - slack, i + slack + 1)}
    return sorted(s for s in starts if 0 <= s < len(tokens))


def locate(quote: str, index: TranscriptIndex, *, threshold: float = DEFAULT_THRESHOLD) -> Evidence:
    wanted = [t.norm for t in tokenize(quote)]
    tokens = index.tokens
    if not wanted or not tokens:
        return Evidence(quote=quote, supported=False)
    at = _exact(tokens, wanted)
    if at is not None:
        return index.evidence(quote, tokens[at].start, tokens[at + len(wanted) - 1].end, 1.0)

    n = len(wanted)
    slack = max(1, n // 4)
    target = " ".join(wanted)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)  # difflib caches its analysis of seq2: the fixed side
    best = (0.0, -1, 0)
    for i in _candidate_starts(tokens, wanted, slack):
        for length in range(max(1, n - slack), n + slack + 1):
            if i + length > len(tokens):
                break
            matcher.set_seq1(" ".join(t.norm for t in tokens[i : i + length]))
            floor = max(best[0], threshold)
            # Cheap upper bounds first; the full ratio only when they can beat the best.
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            score = matcher.ratio()
            if score > best[0]:
                best = (score, i, length)
    score, i, length = best
    if i < 0 or score < threshold:
        return Evidence(quote=quote, supported=False, score=score)
    return index.evidence(quote, tokens[i].start, tokens[i + length - 1].end, score)


@dataclass(frozen=True)
class ItemEvidence:
    path: str  # where the quote sits in the record, e.g. "hpi.onset", "medications[0]"
    evidence: Evidence

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, **self.evidence.as_json()}


def locate_items(
    items: Iterable[tuple[str, str]],
    transcript: Transcript | TranscriptIndex,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ItemEvidence]:
    """Evidence for (path, quote) pairs, e.g. from `TriageRecord.quotes()`."""
    index = transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)
    return [ItemEvidence(p, locate(q, index, threshold=threshold)) for p, q in items]
