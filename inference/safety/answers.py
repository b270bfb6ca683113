"""Denials said as answers, after the finding: "chest pain? no", "pain in the chest, nope",
"any bleeding, none of that", and a finding someone asked about that was then answered no
("they asked if she'd had any thoughts of hurting herself and she said no", "they always ask
is it the worst headache of your life, and honestly no"). Cue lists in
inference.safety.lexicon.scopes; the rest of negation is in inference.safety.scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from inference.safety.lexicon.scopes import (
    POST_DENIAL_STARTS,
    POST_DENIALS,
    POST_NEGATIONS,
    QUESTION_REACH,
    REPLY_DENIALS,
    REPLY_LEADS,
    REPLY_REACH,
    REPLY_STOPS,
)
from inference.safety.match import Cue, Hit
from inference.safety.text import Word

_FILLERS = frozenset(
    ("really", "thanks", "mate", "love", "honestly", "though", "so", "well", "um", "uh", "er")
)


def answered_no(words: list[Word], hit: Hit) -> bool:
    """ "chest pain? no", "any bleeding, none of that": a denial said right after the
    finding, alone in its clause, or one that cannot be anything else ("nope")."""
    nxt = hit.last + 1
    if nxt >= len(words):
        return False
    if words[nxt].sentence == words[hit.last].sentence:
        after = [w.norm for w in words[nxt : nxt + 4]]
        if any(after[: len(p)] == p for p in POST_DENIAL_STARTS):
            return True  # "pain in the chest nope", "bleeding no none of that"
    if words[nxt].clause == words[hit.last].clause and words[nxt].norm not in POST_NEGATIONS:
        return False
    # Fillers between the finding and the denial: "my chest's tight, well, no, not tight".
    while (
        nxt < len(words)
        and words[nxt].norm in _FILLERS
        and (nxt + 1 >= len(words) or words[nxt + 1].clause != words[nxt].clause)
    ):
        nxt += 1
    if nxt >= len(words):
        return False
    clause = words[nxt].clause
    rest = [w.norm for w in words[nxt:] if w.clause == clause]
    while rest and rest[-1] in _FILLERS:
        rest.pop()
    return any(rest == p for p in POST_DENIALS)


def asked_then_denied(words: list[Word], questions: Sequence[Cue], hit: Hit) -> bool:
    """A question cue shortly before the finding in its sentence, and an answer "no" soon
    after it, with no "yes" or talk of something else in between."""
    sentence = words[hit.first].sentence
    if not any(
        c.last < hit.first
        and hit.first - c.last <= QUESTION_REACH
        and words[c.first].sentence == sentence
        for c in questions
    ):
        return False
    for i in range(hit.last + 1, min(hit.last + 1 + REPLY_REACH, len(words))):
        word = words[i]
        if word.sentence != sentence or word.norm in REPLY_STOPS:
            return False
        if word.norm in REPLY_DENIALS and (
            words[i - 1].norm in REPLY_LEADS or words[i - 1].clause != word.clause
        ):
            return True
    return False
