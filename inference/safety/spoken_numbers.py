"""Numbers as people say them, in digits or words: "120", "one twenty", "a hundred and two",
"thirty eight point five", "thirty six nine", "ninety eight point six". Used by the readings
(inference.safety.numbers): this module only turns words into numbers.
"""

from __future__ import annotations

from inference.safety.text import Word

# Words, not lists of literals: easier to read and extend. (SIM905 prefers literals.)
TIME_UNITS = frozenset(
    "second seconds sec secs minute minutes min mins hour hours hr hrs day days week weeks "  # noqa: SIM905
    "month months year years times".split()
)
ONES = {
    "ate": 8,  # speech-to-text's "thirty ate point four"
} | {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "  # noqa: SIM905
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())  # noqa: SIM905
}
# "in the eighties": a decade said for a reading, taken as its middle.
_DECADES = {
    w: 10 * (i + 2) + 5
    for i, w in enumerate(
        [
            "twenties",
            "thirties",
            "forties",
            "fifties",
            "sixties",
            "seventies",
            "eighties",
            "nineties",
        ]
    )
}
NUMBER_WORDS = frozenset(ONES) | frozenset(TENS) | {"hundred", "and", "point", "a"}


def _parse_float(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def number_at(words: list[Word], i: int) -> tuple[float, int] | None:
    """The number starting at words[i] (digits or number words) and the index after it."""
    if i >= len(words):
        return None
    if words[i].norm[:1].isdigit():
        value = _parse_float(words[i].norm)
        if value is None:
            return None
        # "98 point 6" (ASR writes the digits and the word)
        if i + 2 < len(words) and words[i + 1].norm == "point" and words[i + 2].norm.isdigit():
            return value + float("0." + words[i + 2].norm), i + 3
        return value, i + 1
    if words[i].norm in _DECADES:
        return float(_DECADES[words[i].norm]), i + 1
    spoken = _spoken_hundreds(words, i)  # "two twenty over one thirty"
    if spoken is not None:
        return spoken
    total, current, j, seen = 0, 0, i, False
    last = ""  # the kind of the word before: "ones", "tens", "hundred" or "and"
    clause = words[i].clause
    while j < len(words) and words[j].clause == clause:
        w = words[j].norm
        if w == "a" and not seen and j + 1 < len(words) and words[j + 1].norm == "hundred":
            current, seen, j, last = 100, True, j + 2, "hundred"  # "a hundred and two"
            continue
        if w == "hundred" and not seen:
            current, seen, j, last = 100, True, j + 1, "hundred"  # "hundred point eight"
            continue
        if w in ONES and last == "ones" and ONES[w] < 10 and _temperature_like(current):
            # "thirty six nine", "thirty eight five": a temperature said without "point".
            return total + current + ONES[w] / 10, j + 1
        if w in ONES and (
            not seen
            or (last == "tens" and 0 < ONES[w] < 10)
            or last
            in (
                "hundred",
                "and",
            )
        ):
            current += ONES[w]
            last = "ones"
        elif w in TENS and (not seen or last in ("hundred", "and")):
            current += TENS[w]
            last = "tens"
        elif w in ONES or w in TENS:
            break  # "twelve thirteen", "twenty twenty": two numbers, not a sum
        elif w == "hundred" and seen:
            current = max(current, 1) * 100
            last = "hundred"
        elif w == "and" and seen and j + 1 < len(words) and words[j + 1].norm in ONES | TENS:
            last = "and"
        elif (
            w == "and"
            and seen
            and words[j + 1 : j + 3]
            and [x.norm for x in words[j + 1 : j + 3]] == ["a", "half"]
        ):
            return total + current + 0.5, j + 3  # "thirty eight and a half"
        elif w == "point" and seen and j + 1 < len(words) and words[j + 1].norm in ONES:
            # "ninety eight point six": one decimal digit is all vitals need
            return total + current + ONES[words[j + 1].norm] / 10, j + 2
        else:
            break
        seen = True
        j += 1
    return (total + current, j) if seen else None


def _temperature_like(value: int) -> bool:
    """Tens and units that a body temperature in Celsius starts with (34-42)."""
    return 34 <= value <= 42 and value % 10 != 0


def _spoken_hundreds(words: list[Word], i: int) -> tuple[float, int] | None:
    """ "one twenty" = 120, "two twenty five" = 225, "one oh five" = 105 (how readings are
    said aloud), when a single digit word is followed by a tens or teens word."""
    if i + 1 >= len(words) or words[i].norm not in ONES or not 1 <= ONES[words[i].norm] <= 9:
        return None
    nxt = words[i + 1].norm
    if nxt in TENS:
        value, j = 100 * ONES[words[i].norm] + TENS[nxt], i + 2
        if j < len(words) and words[j].norm in ONES and 1 <= ONES[words[j].norm] <= 9:
            value, j = value + ONES[words[j].norm], j + 1
        return float(value), j
    if nxt in ONES and ONES[nxt] >= 10:
        return float(100 * ONES[words[i].norm] + ONES[nxt]), i + 2
    if nxt in ("oh", "o") and i + 2 < len(words) and words[i + 2].norm in ONES:
        return float(100 * ONES[words[i].norm] + ONES[words[i + 2].norm]), i + 3
    return None
