"""Patterns from the lexicon matched against words (inference.safety.text).

Pattern syntax (see inference.safety.lexicon for the patterns themselves):
- `bleed*`      a word starting with "bleed" (bleed, bleeding, bleeds)
- `arm|jaw`     either word at this position
- `{chest}`     any word of the word set "chest" (WORD_SETS), mixable: `{chest}|heart`
- `(gave way|wont work|dead)`  one of several word sequences at this position
- `...`         up to 3 other words in between
- `~`           up to 8 other words in between
- `#`           a number, in digits or one number word ("3", "three", "twenty")
- `#many`       a number of ten or more ("took 30", "took twenty")
- `#adult`      a number 18-110, an adult's age ("at 50", "at sixty")
- `#year`       a year of this or the last century ("2015")
A pattern never spans two phrases (inference.safety.text: cut at ; : "but", sentence ends;
not at commas, which speech-to-text scatters as pauses). Long words (6+ letters) also match
with one letter wrong (ASR slips such as "breth"); such hits are marked fuzzy and fire as
"possible". A real English word is never read as a slip ("wondering" is not "wandering"):
words listed in lexicon/known_words.txt only match exactly.

This module only finds words; whether a hit counts (negated, hypothetical, past, someone
else's history) is inference.safety.scope's job.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from pathlib import Path

from inference.safety.lexicon import CONCEPTS, WORD_SETS
from inference.safety.text import Word, normalise

SHORT_GAP = 3
LONG_GAP = 8
FUZZY_MIN_LENGTH = 6

Slot = tuple[tuple[str, bool], ...]  # alternatives: (text, is_prefix)


@dataclass(frozen=True)
class Group:
    sequences: tuple[tuple[Slot, ...], ...]  # alternative word sequences


Element = Slot | Group | int  # an int: a gap of up to that many words


def _alternatives(part: str) -> list[str]:
    out: list[str] = []
    for alt in part.split("|"):
        if alt.startswith("{") and alt.endswith("}"):
            name = alt[1:-1]
            if name not in WORD_SETS:
                raise ValueError(f"unknown word set {{{name}}}")
            out.extend(WORD_SETS[name])
        else:
            out.append(alt)
    return out


def _slot(part: str) -> Slot:
    options = []
    for alt in _alternatives(part):
        prefix = alt.endswith("*")
        text = alt.rstrip("*")
        options.append((text if text[:1] == "#" else normalise(text), prefix))
    return tuple(options)


def _parts(pattern: str) -> list[str]:
    """Split on spaces, keeping parenthesised groups whole."""
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in pattern:
        if ch == " " and depth == 0:
            if current:
                parts.append(current)
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            raise ValueError(f"unbalanced ) in {pattern!r}")
        current += ch
    if depth:
        raise ValueError(f"unbalanced ( in {pattern!r}")
    if current:
        parts.append(current)
    return parts


@functools.lru_cache(maxsize=8192)
def compile_pattern(pattern: str) -> tuple[Element, ...]:
    elements: list[Element] = []
    for part in _parts(pattern):
        if part in ("...", "~"):
            elements.append(SHORT_GAP if part == "..." else LONG_GAP)
        elif part.startswith("(") and part.endswith(")"):
            alternatives = part[1:-1].split("|")
            elements.append(Group(tuple(tuple(_slot(w) for w in a.split()) for a in alternatives)))
        else:
            elements.append(_slot(part))
    if not elements or isinstance(elements[0], int) or isinstance(elements[-1], int):
        raise ValueError(f"pattern must start and end with a word: {pattern!r}")
    return tuple(elements)


NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "  # noqa: SIM905
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred".split()
)


_MANY_WORDS = frozenset(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty "  # noqa: SIM905
    "thirty forty fifty sixty seventy eighty ninety hundred dozen dozens".split()
)


def one_edit(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


_WORD_VALUES = {
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip


def _number_value(word: str) -> float | None:
    if word[:1].isdigit():
        try:
            return float(word.replace(",", "."))
        except ValueError:
            return None
    return _WORD_VALUES.get(word)


def _special(text: str, word: str) -> bool:
    if text == "#":
        return word[:1].isdigit() or word in NUMBER_WORDS
    if text == "#adult":  # an adult age: "had a heart attack at 50"
        value = _number_value(word)
        return value is not None and 18 <= value <= 110
    if text == "#many":  # ten or more: "took 30 tablets"
        if word[:1].isdigit():
            try:
                return float(word.replace(",", ".")) >= 10
            except ValueError:
                return False
        return word in _MANY_WORDS
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2099  # "#year"


@functools.cache
def known_words() -> frozenset[str]:
    path = Path(__file__).parent / "lexicon" / "known_words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def slot_match(slot: Slot, word: str) -> int:
    """0: no match, 1: exact, 2: fuzzy (one letter off; long words that are no real word)."""
    fuzzy = -1 if word in known_words() else 0
    for text, prefix in slot:
        if text[:1] == "#":
            if _special(text, word):
                return 1
            continue
        if word.startswith(text) if prefix else word == text:
            return 1
        if fuzzy or word[:1] != text[:1]:
            continue  # already fuzzy, or a known word (-1), or another first letter
        if not prefix and len(text) >= FUZZY_MIN_LENGTH and one_edit(text, word):
            fuzzy = 2
        elif prefix and len(text) > FUZZY_MIN_LENGTH and one_edit(text, word[: len(text)]):
            fuzzy = 2  # "breath*" heard as "breth"; short stems would match too much
    return max(fuzzy, 0)


_Found = tuple[int, bool, tuple[int, ...]]  # index after the match, any fuzzy, gap words


def _match(
    words: list[Word],
    i: int,
    elements: tuple[Element, ...],
    k: int,
    phrase: int,
    fuzzy: bool,
    gaps: tuple[int, ...],
) -> _Found | None:
    """Match elements[k:] from words[i] (backtracking over gaps, shortest gap first)."""
    if k == len(elements):
        return i, fuzzy, gaps
    element = elements[k]
    if isinstance(element, int):
        for skip in range(element + 1):
            j = i + skip
            if j >= len(words) or words[j].phrase != phrase:
                return None
            found = _match(words, j, elements, k + 1, phrase, fuzzy, gaps + tuple(range(i, j)))
            if found:
                return found
        return None
    if isinstance(element, Group):
        for sequence in element.sequences:
            end, how = _sequence(words, i, sequence, phrase)
            if how:
                found = _match(words, end, elements, k + 1, phrase, fuzzy or how == 2, gaps)
                if found:
                    return found
        return None
    end, how = _sequence(words, i, (element,), phrase)
    if not how:
        return None
    return _match(words, end, elements, k + 1, phrase, fuzzy or how == 2, gaps)


def _sequence(words: list[Word], i: int, slots: tuple[Slot, ...], phrase: int) -> tuple[int, int]:
    """Match consecutive slots from words[i]: (index after, 0 none | 1 exact | 2 fuzzy)."""
    worst = 1
    for slot in slots:
        if i >= len(words) or words[i].phrase != phrase:
            return i, 0
        how = slot_match(slot, words[i].norm)
        if not how:
            return i, 0
        worst = max(worst, how)
        i += 1
    return i, worst


@dataclass(frozen=True)
class Cue:
    """Where a scope cue ("no", "if", "my mum") sits: word indices, inclusive."""

    first: int
    last: int


@dataclass(frozen=True)
class Hit:
    concept: str
    pattern: str
    first: int  # word indices, inclusive
    last: int
    start: int  # character offsets
    end: int
    fuzzy: bool
    gaps: tuple[int, ...] = ()  # indices of the words a gap skipped


class WordIndex:
    """Where each word of a text stands, so a pattern is only tried where its first word
    could match (exact words and prefixes by lookup; numbers and possible speech slips, the
    words no dictionary knows, are tried everywhere they occur)."""

    def __init__(self, words: list[Word]) -> None:
        self.positions: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            self.positions.setdefault(word.norm, []).append(i)
        self.norms = sorted(self.positions)
        known = known_words()
        self.loose = sorted(  # numbers and unknown words: specials and fuzzy matches
            i for i, w in enumerate(words) if w.norm[:1].isdigit() or w.norm not in known
        )
        self.numbers = sorted(i for i, w in enumerate(words) if _special("#", w.norm))

    def candidates(self, slot: Slot) -> list[int]:
        found: set[int] = set()
        for text, prefix in slot:
            if text[:1] == "#":
                found.update(self.numbers)
            elif prefix:
                at = bisect.bisect_left(self.norms, text)
                while at < len(self.norms) and self.norms[at].startswith(text):
                    found.update(self.positions[self.norms[at]])
                    at += 1
            else:
                found.update(self.positions.get(text, ()))
        found.update(self.loose)
        return sorted(found)


def _first_slot(elements: tuple[Element, ...]) -> Slot:
    first = elements[0]
    assert not isinstance(first, int)
    if isinstance(first, Group):
        return tuple(opt for seq in first.sequences for opt in seq[0])
    return first


def find_pattern(
    words: list[Word], pattern: str, concept: str = "", index: WordIndex | None = None
) -> list[Hit]:
    elements = compile_pattern(pattern)
    starts = _first_slot(elements)
    positions = index.candidates(starts) if index is not None else range(len(words))
    hits = []
    for i in positions:
        word = words[i]
        if not slot_match(starts, word.norm):
            continue
        found = _match(words, i, elements, 0, word.phrase, False, ())
        if found is None:
            continue
        after, fuzzy, gaps = found
        last = after - 1
        hits.append(Hit(concept, pattern, i, last, word.start, words[last].end, fuzzy, gaps))
    return hits


def find_concept(words: list[Word], concept: str, index: WordIndex | None = None) -> list[Hit]:
    """Every hit of the concept's patterns, leftmost first, overlapping hits merged (the
    longest exact one kept)."""
    index = index if index is not None else WordIndex(words)
    hits: list[Hit] = []
    for pattern in CONCEPTS[concept]:
        hits.extend(find_pattern(words, pattern, concept, index))
    hits.sort(key=lambda h: (h.first, h.fuzzy, -h.last))
    merged: list[Hit] = []
    for hit in hits:
        if merged and hit.first <= merged[-1].last:
            continue  # inside (or overlapping) an earlier hit
        merged.append(hit)
    return merged
