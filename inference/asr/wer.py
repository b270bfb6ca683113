"""Word error rate with number normalisation, for tests, benchmarks and model evaluation.

Whisper writes "3 days" where a script says "three days"; counting that as an error would
measure formatting, not recognition. So words are lower-cased, punctuation dropped, and number
words turned into digits ("three" -> "3", "fifty two" -> "52") on both sides.
"""

from __future__ import annotations

import re

_SMALL_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_SMALL = {w: i for i, w in enumerate(_SMALL_WORDS.split(" "))}
_TENS = {w: 10 * i for i, w in enumerate(_TENS_WORDS.split(" "), 2)}


def words(text: str) -> list[str]:
    tokens = re.sub(r"[^\w\s]", " ", text.lower().replace("-", " ")).split()
    out: list[str] = []
    for token in tokens:
        if token in _SMALL:
            if out and out[-1].isdigit() and int(out[-1]) in _TENS.values() and _SMALL[token] < 10:
                out[-1] = str(int(out[-1]) + _SMALL[token])  # "fifty two"
                continue
            out.append(str(_SMALL[token]))
        else:
            out.append(str(_TENS[token]) if token in _TENS else token)
    return out


def wer(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))
