"""Is a finding said of the patient, now? Negation, hypotheticals, someone else's history and
the long past, each with its own reach (cue lists in inference.safety.lexicon.scopes).

- Negated: a cue before the finding in its clause, within NEGATION_WINDOW words and with no
  new subject or turn in between ("no fever he has a stiff neck": only the fever is denied);
  a cue inside the words a pattern skipped ("my face is not drooping"); an answer said right
  after it ("chest pain? no", "pain in the chest nope") or to a question about it ("they
  asked if I'd had chest pain and I said no"): inference.safety.answers; or a list that
  carries the denial over a comma ("no fever, cough or chest pain").
- Hypothetical: a cue earlier in the same clause ("if I get chest pain", "in case she has a
  fit"), except "if" after uncertainty about now ("I don't know if he's breathing").
- Someone else's history: a relative or acquaintance and a history word in the finding's
  segment ("my dad died of a stroke"); a relative alone is a carer talking: it fires.
- Past: the time cue nearest to the finding in its segment is a long-past or resolved one
  ("I had a seizure as a teenager", "I had a heart attack in 2015 and now I have chest pain"
  fires for the chest pain: "now" is nearer).
A segment is a phrase (inference.safety.text) cut again where a new subject starts ("... and I
have chest pain"); commas do not cut it ("my father has the sugar, very high sugar").

Known limits, on the safe side: negation after a long gap and double negatives are read as
affirmed; "my dad had a stroke" with no time or history word fires (it may be the patient).
"""

from __future__ import annotations

import functools

from inference.safety.answers import answered_no, asked_then_denied
from inference.safety.lexicon.scopes import (
    ADULT_RELATIVE_CUES,
    CHILD_WORDS,
    HYPOTHETICAL_CUES,
    HYPOTHETICAL_NEXT,
    HYPOTHETICAL_NEXT_SKIP,
    HYPOTHETICAL_OPENERS,
    HYPOTHETICAL_SENTENCE,
    HYPOTHETICAL_STRONG,
    NEGATION_CUES,
    NEGATION_TERMINATORS,
    NEGATION_WINDOW,
    OTHER_CONDITION_CUES,
    OTHER_HISTORY_CUES,
    OTHER_PEOPLE,
    OTHER_PERSON_CUES,
    PAST_CUES,
    PSEUDO_NEGATIONS,
    QUESTION_CUES,
    RECENT_CUES,
    REPORTED_PATIENT_CUES,
    RESOLVED_CUES,
    SELF_CUES,
    SPEAKER_INTRO_CUES,
    UNCERTAIN_BEFORE_IF,
)
from inference.safety.match import Cue, Hit, WordIndex, find_pattern
from inference.safety.text import Word

SUBJECTS = frozenset(
    "i im ive id ill he hes hed hell she shes shed shell they theyre theyve theyll we weve "  # noqa: SIM905
    "its theres you youre youll".split()
)
# A subject right after these words belongs to the same thought ("years ago I overdosed",
# "if I get chest pain", "when she was 60").
_JOINED = frozenset(
    "if when whether that as before after ago back until since unless case what worried "  # noqa: SIM905
    "scared afraid think know sure wonder cause because where how".split()
)
LIST_WORDS = frozenset(("or", "nor"))
_BACK_REFERENCES = frozenset(
    (a, b) for a in ("that", "this", "it", "which", "thats", "its") for b in ("was", "were", "is")
) | {("thats", "years"), ("that", "years")}


def _cues(words: list[Word], patterns: tuple[str, ...], index: WordIndex) -> list[Cue]:
    found = {(h.first, h.last) for p in patterns for h in find_pattern(words, p, index=index)}
    return [Cue(a, b) for a, b in sorted(found)]


class Scopes:
    """Every cue of a document found once; `of(hit)` says why a hit does not count."""

    def __init__(self, words: list[Word], index: WordIndex | None = None) -> None:
        self.words = words
        self.index = index if index is not None else WordIndex(words)
        self._segments = _segment_ids(words)

    @functools.cached_property
    def negations(self) -> list[Cue]:
        pseudo = _cues(self.words, PSEUDO_NEGATIONS, self.index)
        covered = {i for c in pseudo for i in range(c.first, c.last + 1)}
        return [c for c in _cues(self.words, NEGATION_CUES, self.index) if c.first not in covered]

    @functools.cached_property
    def questions(self) -> list[Cue]:
        return _cues(self.words, QUESTION_CUES, self.index)

    @functools.cached_property
    def hypotheticals(self) -> list[Cue]:
        cues = []
        for cue in _cues(self.words, HYPOTHETICAL_CUES, self.index):
            before = [w.norm for w in self.words[max(0, cue.first - 2) : cue.first]]
            if before and before[-1] in ("even", "really", "actually"):
                before = before[:-1]
            same_clause = cue.first > 0 and (
                self.words[cue.first - 1].clause == self.words[cue.first].clause
            )
            if (
                self.words[cue.first].norm == "if"
                and before
                and before[-1] in UNCERTAIN_BEFORE_IF
                and same_clause
            ):
                continue  # "not sure if", "don't know if": uncertainty about now (not "he's
                # asking, if he gets chest pain again...")
            cues.append(cue)
        return cues

    @functools.cached_property
    def hypothetical_next(self) -> list[Cue]:
        cues = _cues(self.words, tuple(p for p in HYPOTHETICAL_NEXT if p[:2] != "^ "), self.index)
        openers = tuple(p[2:] for p in HYPOTHETICAL_NEXT if p[:2] == "^ ")
        for cue in _cues(self.words, openers, self.index):
            if cue.first == 0 or self.words[cue.first - 1].clause != self.words[cue.first].clause:
                cues.append(cue)  # only a question opening its clause
        return cues

    @functools.cached_property
    def hypothetical_clauses(self) -> set[int]:
        """Clauses that open with "say", "suppose", "what if"."""
        out = set()
        for cue in _cues(self.words, HYPOTHETICAL_OPENERS, self.index):
            if cue.first == 0 or self.words[cue.first - 1].clause != self.words[cue.first].clause:
                out.add(self.words[cue.first].clause)
        return out

    @functools.cached_property
    def strong_hypotheticals(self) -> list[Cue]:
        return _cues(self.words, HYPOTHETICAL_STRONG, self.index)

    def strongly_hypothetical(self, hit: Hit) -> bool:
        return self.strongly_hypothetical_at(hit.first)

    def strongly_hypothetical_at(self, i: int) -> bool:
        """A "what would I do" or "if ... ever" sentence, when the word comes after its cue or
        after an "if" ("what would I do if he swallowed a battery", "if she ever said she
        wanted to die, what would I do"), not "he's not breathing, what should I do"."""
        sentence = self.words[i].sentence
        strong = [c for c in self.strong_hypotheticals if self.words[c.first].sentence == sentence]
        if not strong:
            return False
        return any(c.first < i for c in strong) or any(
            c.first < i and self.words[c.first].sentence == sentence for c in self.hypotheticals
        )

    @functools.cached_property
    def hypothetical_sentences(self) -> set[int]:
        return {
            self.words[c.first].sentence
            for c in _cues(self.words, HYPOTHETICAL_SENTENCE, self.index)
        }

    @functools.cached_property
    def people(self) -> list[Cue]:
        return _cues(self.words, OTHER_PEOPLE, self.index)

    @functools.cached_property
    def others(self) -> list[Cue]:
        """Not "caller says her mother ...": a reported patient is the patient."""
        reported = {c.last + 1 for c in _cues(self.words, REPORTED_PATIENT_CUES, self.index)}
        # "this is her mom, my daughter passed out": the speaker saying who they are.
        intros = [(c.first, c.last) for c in _cues(self.words, SPEAKER_INTRO_CUES, self.index)]
        return [
            c
            for c in _cues(self.words, OTHER_PERSON_CUES, self.index)
            if c.first not in reported and not any(a <= c.first <= b for a, b in intros)
        ]

    @functools.cached_property
    def histories(self) -> list[Cue]:
        cues = _cues(self.words, OTHER_HISTORY_CUES, self.index)
        conditions = _cues(self.words, OTHER_CONDITION_CUES, self.index)
        return cues + [c for c in conditions if self.words[c.first].sentence in self.self_sentences]

    @functools.cached_property
    def pasts(self) -> list[Cue]:
        return _cues(self.words, PAST_CUES, self.index) + _cues(
            self.words, RESOLVED_CUES, self.index
        )

    @functools.cached_property
    def recents(self) -> list[Cue]:
        taken = {i for c in self.pasts for i in range(c.first, c.last + 1)}
        # "fine now" is a resolution, not "now".
        return [c for c in _cues(self.words, RECENT_CUES, self.index) if c.first not in taken]

    @functools.cached_property
    def resolutions(self) -> list[Cue]:
        return _cues(self.words, RESOLVED_CUES, self.index)

    # -- verdicts --------------------------------------------------------------------------

    def of(self, hit: Hit) -> str | None:
        """ "negated" | "hypothetical" | "someone else" | "past" | None (it counts)."""
        if self.negated(hit):
            return "negated"
        if self.hypothetical(hit):
            return "hypothetical"
        if self.someone_else(hit):
            return "someone else"
        if self.past(hit):
            return "past"
        return None

    def negated(self, hit: Hit) -> bool:
        words = self.words
        clause = words[hit.first].clause
        for cue in self.negations:
            if cue.last < hit.first and words[cue.last].clause == clause:
                between = words[cue.last + 1 : hit.first]
                if len(between) <= NEGATION_WINDOW and not any(
                    w.norm in NEGATION_TERMINATORS for w in between
                ):
                    return True
            if hit.gaps and cue.first in hit.gaps and _denies_next(hit, cue):
                return True  # "my face is not drooping"
        return (
            answered_no(words, hit)
            or self._list_negated(hit)
            or asked_then_denied(words, self.questions, hit)
        )

    def _list_negated(self, hit: Hit) -> bool:
        """ "no fever, cough or chest pain": the denial carries over the commas of a list."""
        words = self.words
        lo = hit.first
        while lo > 0 and words[lo - 1].clause == words[hit.first].clause:
            lo -= 1
        own = words[lo : hit.last + 1]
        if not any(w.norm in LIST_WORDS for w in words[lo : hit.last + 4]) or any(
            w.norm in NEGATION_TERMINATORS for w in own
        ):
            return False
        if lo == 0 or words[lo - 1].sentence != words[hit.first].sentence:
            return False
        previous = words[lo - 1].clause
        return any(
            words[c.first].clause == previous
            and not any(w.norm in NEGATION_TERMINATORS for w in words[c.last + 1 : lo])
            for c in self.negations
        )

    @functools.cached_property
    def adult_relatives(self) -> list[Cue]:
        return _cues(self.words, ADULT_RELATIVE_CUES, self.index)

    def adult_relative(self, hit: Hit) -> bool:
        """An adult relative named in the hit's segment, before it and with no one else
        named in between ("my husband has epilepsy and had a bad fit")."""
        return any(
            c.last < hit.first
            and not any(w.norm in CHILD_WORDS for w in self.words[c.last + 1 : hit.first])
            for c in self._segment_cues(self.adult_relatives, hit)
        )

    def hypothetical(self, hit: Hit) -> bool:
        clause = self.words[hit.first].clause
        if self.words[hit.first].sentence in self.hypothetical_sentences:
            return True
        if clause in self.hypothetical_clauses or self.strongly_hypothetical(hit):
            return True
        if self.words[hit.first].norm not in HYPOTHETICAL_NEXT_SKIP and any(
            c.last + 1 == hit.first for c in self.hypothetical_next
        ):
            return True
        # A question inside a pattern's gap: "baby, how would I know if she's moving less".
        if any(hit.first < c.first <= hit.last for c in self.strong_hypotheticals):
            return True
        return any(
            c.first < hit.first and self.words[c.first].clause == clause for c in self.hypotheticals
        )

    def _segment_cues(self, cues: list[Cue], hit: Hit) -> list[Cue]:
        """Cues in the hit's segment, or in a short fronted segment just before it
        ("years ago, I overdosed" without the comma). A cue inside the hit's own words is
        part of the finding ("stopped breathing"), not about it."""
        cues = [c for c in cues if not (hit.first <= c.first and c.last <= hit.last)]
        own = self._segments[hit.first]
        mine = [c for c in cues if self._segments[c.first] == own]
        if mine:
            return mine
        start = hit.first
        while start > 0 and self._segments[start - 1] == own:
            start -= 1
        if start == 0 or self.words[start - 1].clause != self.words[hit.first].clause:
            return []
        previous = self._segments[start - 1]
        size = sum(1 for s in self._segments if s == previous)
        return [c for c in cues if self._segments[c.first] == previous] if size <= 5 else []

    @functools.cached_property
    def self_sentences(self) -> set[int]:
        """Sentences where the speaker asks for themself ("should I get checked")."""
        return {self.words[c.first].sentence for c in _cues(self.words, SELF_CUES, self.index)}

    def someone_else(self, hit: Hit) -> bool:
        if any(c.last < hit.first for c in self._segment_cues(self.others, hit)):
            return True
        # "my brother collapsed at football, they said I should get the ECG": the speaker
        # asks for themself, so what a relative had earlier in the sentence is history.
        sentence = self.words[hit.first].sentence
        if sentence in self.self_sentences and any(
            c.last < hit.first and self.words[c.first].sentence == sentence for c in self.people
        ):
            return True
        histories = self._segment_cues(self.histories, hit)
        if not histories or not self._segment_cues(self.people, hit):
            return False
        return self._nearest(histories, self._segment_cues(self.recents, hit), hit)

    def past(self, hit: Hit) -> bool:
        pasts = (
            self._segment_cues(self.pasts, hit) or self._fronted(self.pasts, hit)
        ) or self._said_after(hit)
        clause = self.words[hit.first].clause
        recents = [
            c for c in self._segment_cues(self.recents, hit) if self.words[c.first].clause == clause
        ]
        return bool(pasts) and self._nearest(pasts, recents, hit)

    def _fronted(self, cues: list[Cue], hit: Hit) -> list[Cue]:
        """ "...and back in 2015 I had a bleed": a cue that ends the segment right before the
        hit's, in the same clause, however long that segment is."""
        words, own = self.words, self._segments[hit.first]
        start = hit.first
        while start > 0 and self._segments[start - 1] == own:
            start -= 1
        if start == 0 or words[start - 1].clause != words[hit.first].clause:
            return []
        return [c for c in cues if c.last == start - 1]

    def _said_after(self, hit: Hit) -> list[Cue]:
        """ "I had fits when I stopped drinking, that was eight years ago": a past cue in the
        next segment of the sentence when that segment starts "that/this/it was"."""
        words = self.words
        own = self._segments[hit.first]
        start = next((i for i in range(hit.last + 1, len(words)) if self._segments[i] != own), None)
        if start is None or start + 1 >= len(words):
            return []
        if words[start].sentence != words[hit.first].sentence:
            return []
        if (words[start].norm, words[start + 1].norm) not in _BACK_REFERENCES:
            return []
        nxt = self._segments[start]
        return [c for c in self.pasts if self._segments[c.first] == nxt]

    @staticmethod
    def _nearest(these: list[Cue], recents: list[Cue], hit: Hit) -> bool:
        """True when one of `these` is nearer to the hit than every recent cue."""

        def distance(c: Cue) -> int:
            if c.last < hit.first:
                return hit.first - c.last
            if c.first > hit.last:
                return c.first - hit.last
            return 0

        best = min(distance(c) for c in these)
        return all(distance(c) > best for c in recents)

    def resolved_after(self, hit: Hit) -> bool:
        """A resolution later in the same sentence ("it bled a lot but it stopped")."""
        sentence = self.words[hit.first].sentence
        return any(
            c.first > hit.last and self.words[c.first].sentence == sentence
            for c in self.resolutions
        )


def _denies_next(hit: Hit, cue: Cue) -> bool:
    """A cue inside a pattern's gap denies the finding only when it stands right before the
    next matched word ("face is not drooping"), not before another skipped word ("bleeding
    not spotting, through my pad")."""
    gaps = set(hit.gaps)
    after = cue.last + 1
    while after in gaps and after - cue.last <= 2:
        after += 1
    return after not in gaps and after - cue.last <= 2


def _segment_ids(words: list[Word]) -> list[int]:
    """Phrases (commas do not cut them) cut again where a new subject starts."""
    ids: list[int] = []
    segment = 0
    for i, word in enumerate(words):
        if i and (
            word.phrase != words[i - 1].phrase
            or (word.norm in SUBJECTS and words[i - 1].norm not in _JOINED)
        ):
            segment += 1
        ids.append(segment)
    return ids
