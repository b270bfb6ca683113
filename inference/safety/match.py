"""Word-level pattern matching with clause-aware, NegEx-style negation.

Text becomes a list of normalised words, each tagged with its clause (clauses end at
. , ; : ! ? and at CLAUSE_BREAKS words such as "but"). A pattern from the rule table matches a
run of words inside one clause. A hit is *negated* when a negation cue ("no", "denies",
"don't", "without", ...) occurs within NEGATION_WINDOW words before it in the same clause,
unless the cue starts a pseudo-negation ("not sure", "won't stop").

Known limits (documented for clinicians in docs and tested where they matter):
- Negation after the finding ("chest pain? no") is not recognised: the finding fires.
- A cue's scope ends at a comma, so "no fever, chest pain" fires for chest pain; so does
  "no fever, cough or chest pain" (the list is cut at the comma): we over-fire, not under-fire.
- Who has the symptom is not checked ("my father had a stroke" fires): escalate when unsure.
- Hypotheticals ("in case I get chest pain") fire.
- Double negatives ("I can't say I don't have chest pain") may be read as negated.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from inference.safety.rules import (
    CLAUSE_BREAKS,
    CONCEPTS,
    NEGATION_CUES,
    NEGATION_WINDOW,
    PSEUDO_NEGATIONS,
)

GAP_WORDS = 3
FUZZY_MIN_LENGTH = 6

_RSQUO = "\u2019"  # typographic apostrophe
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:['" + _RSQUO + r"][^\W_]+)*|%|[.!?;:,]")
_BREAKS = frozenset(CLAUSE_BREAKS)


@dataclass(frozen=True)
class Word:
    norm: str
    start: int  # character offsets in the text that was tokenised
    end: int
    clause: int


def normalise(word: str) -> str:
    if word == "%":
        return "percent"
    return word.lower().replace("'", "").replace(_RSQUO, "")


def words_of(text: str) -> list[Word]:
    words: list[Word] = []
    clause = 0
    for m in _WORD.finditer(text):
        piece = m.group()
        if piece in ".!?;:,":
            clause += 1
            continue
        norm = normalise(piece)
        if norm in _BREAKS:
            clause += 1
        words.append(Word(norm, m.start(), m.end(), clause))
    return words


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

Slot = tuple[tuple[str, bool], ...]  # alternatives: (text, is_prefix)
Element = Slot | None  # None: a gap of up to GAP_WORDS words


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> tuple[Element, ...]:
    elements: list[Element] = []
    for part in pattern.split():
        if part == "...":
            elements.append(None)
            continue
        options = []
        for alt in part.split("|"):
            prefix = alt.endswith("*")
            options.append((normalise(alt.rstrip("*")), prefix))
        elements.append(tuple(options))
    if not elements or elements[0] is None or elements[-1] is None:
        raise ValueError(f"pattern must start and end with a word: {pattern!r}")
    return tuple(elements)


def _one_edit(a: str, b: str) -> bool:
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


def _slot_match(slot: Slot, word: str) -> int:
    """0: no match, 1: exact, 2: fuzzy (one letter off; long words only)."""
    fuzzy = 0
    for text, prefix in slot:
        if word.startswith(text) if prefix else word == text:
            return 1
        if (
            not prefix
            and len(text) >= FUZZY_MIN_LENGTH
            and word[:1] == text[:1]
            and _one_edit(text, word)
        ):
            fuzzy = 2
    return fuzzy


_Found = tuple[int, bool, tuple[int, ...]]  # index after the match, any fuzzy, gap words


def _match(
    words: list[Word],
    i: int,
    elements: tuple[Element, ...],
    k: int,
    clause: int,
    fuzzy: bool,
    gaps: tuple[int, ...],
) -> _Found | None:
    """Match elements[k:] from words[i] (backtracking over gaps)."""
    if k == len(elements):
        return i, fuzzy, gaps
    element = elements[k]
    if element is None:
        for skip in range(GAP_WORDS + 1):
            j = i + skip
            if j >= len(words) or words[j].clause != clause:
                return None
            found = _match(words, j, elements, k + 1, clause, fuzzy, gaps + tuple(range(i, j)))
            if found:
                return found
        return None
    if i >= len(words) or words[i].clause != clause:
        return None
    how = _slot_match(element, words[i].norm)
    if not how:
        return None
    return _match(words, i + 1, elements, k + 1, clause, fuzzy or how == 2, gaps)


@dataclass(frozen=True)
class Hit:
    concept: str
    pattern: str
    first: int  # word indices, inclusive
    last: int
    start: int  # character offsets
    end: int
    fuzzy: bool
    negated: bool


def find_pattern(words: list[Word], pattern: str, concept: str = "") -> list[Hit]:
    elements = compile_pattern(pattern)
    hits = []
    for i, word in enumerate(words):
        if not _slot_match(elements[0] or (), word.norm):  # cheap first-word filter
            continue
        found = _match(words, i, elements, 0, word.clause, False, ())
        if found is None:
            continue
        after, fuzzy, gaps = found
        last = after - 1
        denied = negated(words, i) or _negated_gap(words, gaps)
        hits.append(Hit(concept, pattern, i, last, word.start, words[last].end, fuzzy, denied))
    return hits


def find_concept(words: list[Word], concept: str) -> list[Hit]:
    """Every hit of the concept's patterns, leftmost first, overlapping hits merged."""
    hits: list[Hit] = []
    for pattern in CONCEPTS[concept]:
        hits.extend(find_pattern(words, pattern, concept))
    hits.sort(key=lambda h: (h.first, -h.last, h.fuzzy))
    merged: list[Hit] = []
    for hit in hits:
        if merged and hit.first <= merged[-1].last:
            continue  # inside (or overlapping) an earlier, longer hit
        merged.append(hit)
    return merged


# --------------------------------------------------------------------------------------------
# Negation
# --------------------------------------------------------------------------------------------

_CUES = tuple(tuple(c.split()) for c in NEGATION_CUES)
_PSEUDO = tuple(tuple(normalise(w) for w in p.split()) for p in PSEUDO_NEGATIONS)


def cue_in(words: list[Word], lo: int, hi: int) -> bool:
    """A negation cue starting in words[lo:hi] and ending before hi, not a pseudo-negation."""
    # Pseudo-negations may run into the finding itself ("not stop bleeding").
    norms = [w.norm for w in words[lo : hi + 3]]
    for p in range(hi - lo):
        if any(tuple(norms[p : p + len(ps)]) == ps for ps in _PSEUDO):
            continue
        for cue in _CUES:
            if p + len(cue) <= hi - lo and tuple(norms[p : p + len(cue)]) == cue:
                return True
    return False


def negated(words: list[Word], first: int) -> bool:
    """A negation cue within NEGATION_WINDOW words before words[first], same clause."""
    clause = words[first].clause
    lo = first
    while lo > 0 and first - lo < NEGATION_WINDOW and words[lo - 1].clause == clause:
        lo -= 1
    return cue_in(words, lo, first)


def _negated_gap(words: list[Word], gaps: tuple[int, ...]) -> bool:
    """A cue in the words a pattern skipped: "my face is NOT drooping" ("face ... droop*")."""
    return bool(gaps) and cue_in(words, gaps[0], gaps[-1] + 1)
