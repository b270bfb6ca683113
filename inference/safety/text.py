"""Patient words as the red-flag net reads them: normalised words with their place in the
text, their sentence and their clause.

Speech-to-text often has no punctuation at all, so a "sentence" can be a whole minute of
speech; and where it has commas they are often only pauses ("i can't, i can't get a,
breath"). So there are two cuts inside a sentence:
- a phrase ends at ; : and at the words in CLAUSE_BREAKS ("but", "however"), and at a comma
  that a new subject, determiner or conjunction follows ("heart clinic, the blood pressure
  check"): patterns (inference.safety.match) never cross it, but do cross a pause comma
  ("i can't get a, breath");
- a clause also ends at a comma: negation and the other scopes (inference.safety.scope)
  stop there, and also at a new subject ("no fever he has a stiff neck").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

_RSQUO = "\u2019"  # typographic apostrophe, as in "don\u2019t"
# Numbers (with decimals), words with inner apostrophes, %, "/" (as in 8/10 and 150/90) and
# the punctuation that ends sentences or clauses.
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*|[^\W_]+(?:['" + _RSQUO + r"][^\W_]+)*|%|/|[.!?;:,\n]|\u2014|--| - "
)
SENTENCE_ENDS = frozenset(".!?\n")
CLAUSE_ENDS = frozenset(";:,\u2014") | {"--", " - "}
# Words that start a new clause even without punctuation.
CLAUSE_BREAKS = frozenset(
    ("but", "however", "although", "though", "except", "yet", "whereas", "otherwise")
)


# After a comma, these start a new phrase; other words continue the one before the pause.
PHRASE_STARTERS = frozenset(
    "i im ive id ill he hes she shes they theyre theyve we weve its it theres you youre "  # noqa: SIM905
    "the a an my his her their our this that these those and so then now just also or "
    "but no not".split()
)


@dataclass(frozen=True)
class Word:
    norm: str  # lower case, apostrophes removed ("can't" -> "cant"), % -> "percent"
    start: int  # character offsets in the text that was tokenised
    end: int
    clause: int  # running clause number (clauses never span phrases)
    sentence: int = 0
    phrase: int = 0  # running phrase number (phrases never span sentences)


# "it's" stays "its" (the patterns know it); "chest's" and "baby's" lose the 's.
_KEEP_S = frozenset(
    "it he she there that what who where here let how when why everything nothing something "  # noqa: SIM905
    "someone somebody everyone everybody one this".split()
)


# Dialect spellings read as their standard form ("she ain't moving" = "she isn't moving").
_DIALECT = (
    {"aint": "isnt", "gonna": "gonna", "yall": "you", "yalls": "your", "mama": "mum"}
    | {
        # Scots negatives: "he wasnae knocked out", "she didnae boak".
        f"{stem}nae": f"{stem}nt"
        for stem in ("was", "did", "does", "is", "has", "have", "could", "would", "should", "were")
    }
    | {
        "dinnae": "dont",
        "disnae": "doesnt",
        "cannae": "cant",
        "havnae": "havent",
        "willnae": "wont",
    }
    | {
        # Caribbean English as speech-to-text writes it: "she cyaan swallow", "him nuh
        # answer", "mi madda nuh mek no sense".
        "cyaan": "cant",
        "kyaan": "cant",
        "caan": "cant",
        "nuh": "not",
        "mek": "make",
        "di": "the",
        "tink": "think",
        "notting": "nothing",
        "nutten": "nothing",
        "nuttin": "nothing",
        "nutting": "nothing",
        "inna": "in",
        "pon": "on",
        "wid": "with",
        "teet": "teeth",
        "fren": "friend",
        "madda": "mother",
        "mudda": "mother",
        "fadda": "father",
        "faada": "father",
        "likkle": "little",
        "pickney": "child",
        "bwoy": "boy",
    }
)
# "him nah answer", "mi nah tink": after a subject "nah" is "not" ("chest pain? nah" stays).
_NAH_SUBJECTS = frozenset("mi me i him her he she dem them they we it you baby".split())  # noqa: SIM905
# "I ain't felt the baby move": "ain't" before a past participle is "haven't", not "isn't".
_AINT_HAVE = frozenset(
    "felt had been seen got eaten drunk slept moved kicked heard done taken passed peed weed "  # noqa: SIM905
    "pooed stopped".split()
)


def normalise(word: str) -> str:
    if word == "%":
        return "percent"
    lower = word.lower().replace(_RSQUO, "'")
    if lower.endswith("'s") and lower[:-2] not in _KEEP_S:
        lower = lower[:-2]
    lower = lower.replace("'", "")
    return _DIALECT.get(lower, lower)


def words_of(text: str) -> list[Word]:
    words: list[Word] = []
    clause = sentence = phrase = 0
    comma = False
    for m in _TOKEN.finditer(text):
        piece = m.group()
        if piece in SENTENCE_ENDS:
            # "38.5" never gets here (a number token); "Dr." style abbreviations are rare in
            # speech and at worst split a sentence early.
            clause += 1
            phrase += 1
            sentence += 1
            continue
        if piece in CLAUSE_ENDS:
            clause += 1
            phrase += piece != ","
            comma = piece == ","
            continue
        norm = normalise(piece)
        if norm in CLAUSE_BREAKS:
            clause += 1
            phrase += 1
        elif comma and norm in PHRASE_STARTERS and not _filler(norm, text, m.end()):
            phrase += 1
        comma = False
        if (
            norm in _AINT_HAVE
            and words
            and words[-1].norm == "isnt"
            and text[words[-1].start : words[-1].end].lower().startswith("ain")
        ):
            words[-1] = dataclasses.replace(words[-1], norm="havent")
        if norm == "nah" and words and words[-1].norm in _NAH_SUBJECTS:
            norm = "not"
        words.append(Word(norm, m.start(), m.end(), clause, sentence, phrase))
    return words


def _filler(norm: str, text: str, end: int) -> bool:
    """ "his, you know, one of them": a filler after a pause starts nothing."""
    return norm == "you" and text[end:].lstrip().lower().startswith("know")


def sentence_spans(words: list[Word]) -> list[tuple[int, int]]:
    """(first, last) word indices of each sentence, in order."""
    spans: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        if spans and words[spans[-1][0]].sentence == word.sentence:
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans


def sentence_bounds(words: list[Word], i: int) -> tuple[int, int]:
    """(first, last) word indices of the sentence holding words[i]."""
    lo = hi = i
    sentence = words[i].sentence
    while lo > 0 and words[lo - 1].sentence == sentence:
        lo -= 1
    while hi + 1 < len(words) and words[hi + 1].sentence == sentence:
        hi += 1
    return lo, hi
