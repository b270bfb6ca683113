"""A text as the rules read it: its words, its scopes, its numbers, and a way back from
word positions to transcript evidence. Everything is found once per text."""

from __future__ import annotations

from collections.abc import Callable

from inference.evidence import Evidence
from inference.safety import numbers
from inference.safety.lexicon import EXCEPTIONS, STATES
from inference.safety.match import Hit, WordIndex, find_concept, find_pattern
from inference.safety.scope import Scopes
from inference.safety.text import Word, words_of


class Document:
    """The words of one text with everything the rules ask of them, each found once."""

    def __init__(self, text: str, locate: Callable[[int, int], Evidence | None]) -> None:
        self.text = text
        self.words: list[Word] = words_of(text)
        self.index = WordIndex(self.words)
        self.scopes = Scopes(self.words, self.index)
        self._locate = locate
        self._hits: dict[tuple[str, bool], list[Hit]] = {}
        self.readings = numbers.find_readings(self.words)

    def affirmed(self, concept: str, *, hypothetical: bool = False) -> list[Hit]:
        """Hits of the concept said of the patient, now (see inference.safety.scope); with
        `hypothetical`, also those said as an "if" ("if I see him I'll kill him")."""
        key = (concept, hypothetical)
        if key not in self._hits:
            hits = [h for h in self._raw(concept) if self._counts(h, concept, hypothetical)]
            if concept == "fever":
                hits += self._fever_readings()
            self._hits[key] = sorted(hits, key=lambda h: h.first)
        return self._hits[key]

    def _counts(self, hit: Hit, concept: str, hypothetical: bool) -> bool:
        scope = self.scopes.of(hit)
        if scope == "hypothetical" and hypothetical:
            return not (
                self.scopes.someone_else(hit)
                or self.scopes.past(hit)
                or self.scopes.strongly_hypothetical(hit)
            )
        if scope == "past" and concept in STATES:
            # Being pregnant is not over because a test was last week, but "when I was
            # pregnant with my first" is.
            return not any(c.first <= hit.first and hit.last <= c.last for c in self.scopes.pasts)
        return scope is None

    def _raw(self, concept: str) -> list[Hit]:
        hits = find_concept(self.words, concept, self.index)
        if concept not in EXCEPTIONS:
            return hits
        spans = [
            (h.first, h.last)
            for p in EXCEPTIONS[concept]
            for h in find_pattern(self.words, p, concept, self.index)
        ]
        return [h for h in hits if not any(a <= h.last and h.first <= b for a, b in spans)]

    def _fever_readings(self) -> list[Hit]:
        return [
            self.reading_hit(r, "fever")
            for r in self.readings
            if r.kind == "temperature" and numbers.is_fever(r) and self.counts(r)
        ]

    def reading_hit(self, r: numbers.Reading | numbers.PainScore, concept: str) -> Hit:
        return Hit(
            concept, "", r.first, r.last, self.words[r.first].start, self.words[r.last].end, False
        )

    def counts(self, r: numbers.Reading | numbers.PainScore) -> bool:
        """A reading said of the patient now (not "if his heart rate goes over 120")."""
        if isinstance(r, numbers.Reading) and r.negated:
            return False
        return self.scopes.of(self.reading_hit(r, "")) is None

    def text_of(self, first: int, last: int) -> str:
        return self.text[self.words[first].start : self.words[last].end]

    def evidence(self, first: int, last: int) -> Evidence | None:
        return self._locate(self.words[first].start, self.words[last].end)
