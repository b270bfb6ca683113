"""Vital signs and ages said in words: "my heart rate was 120", "oxygen 88 percent",
"blood pressure 150 over 90", "a temperature of one hundred and two", "she's 6 weeks old".

A reading needs a cue (VITAL_CUES) followed within a few words by a number in a plausible
range, or a number followed by an unambiguous unit ("120 beats per minute"). Numbers directly
followed by a time unit ("fever for 3 days") are not readings.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference.safety.match import Word, cue_in, find_pattern
from inference.safety.rules import VITAL_CUES, VITAL_RANGES, VITAL_UNITS

CUE_TO_NUMBER_WORDS = 4
# Words, not lists of literals: easier to read and extend. (SIM905 prefers literals.)
_TIME_UNITS = frozenset(
    "second seconds sec secs minute minutes min mins hour hours hr hrs day days week weeks "  # noqa: SIM905
    "month months year years times".split()
)
_ONES = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "  # noqa: SIM905
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())  # noqa: SIM905
}
_NUMBER_WORDS = frozenset(_ONES) | frozenset(_TENS) | {"hundred", "and", "point", "a"}


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
        return None if value is None else (value, i + 1)
    total, current, j, seen = 0, 0, i, False
    clause = words[i].clause
    while j < len(words) and words[j].clause == clause:
        w = words[j].norm
        if w == "a" and not seen and j + 1 < len(words) and words[j + 1].norm == "hundred":
            current, seen, j = 100, True, j + 2  # "a hundred and two"
            continue
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred" and seen:
            current = max(current, 1) * 100
        elif w == "and" and seen and j + 1 < len(words) and words[j + 1].norm in _ONES | _TENS:
            pass
        elif w == "point" and seen and j + 1 < len(words) and words[j + 1].norm in _ONES:
            # "ninety eight point six": one decimal digit is all vitals need
            return total + current + _ONES[words[j + 1].norm] / 10, j + 2
        else:
            break
        seen = True
        j += 1
    return (total + current, j) if seen else None


@dataclass(frozen=True)
class Reading:
    kind: str  # heart_rate, resp_rate, spo2, temperature, blood_pressure
    value: float
    first: int  # word indices of the cue..number(..unit), inclusive
    last: int
    negated: bool = False
    value2: float | None = None  # diastolic blood pressure
    unit: str | None = None  # "C" or "F" for temperatures

    def celsius(self) -> float | None:
        """Temperatures in Celsius; unit inferred from the value when not said."""
        if self.kind != "temperature":
            return None
        unit = self.unit or ("C" if self.value <= 45 else "F" if self.value >= 86 else None)
        if unit == "C":
            return self.value
        if unit == "F":
            return (self.value - 32) * 5 / 9
        return None


def _unit_after(words: list[Word], j: int) -> tuple[str | None, int]:
    """Temperature unit after a number ending before words[j]: ('C'|'F'|None, last index)."""
    k = j + 1 if j < len(words) and words[j].norm == "degrees" else j
    if k < len(words) and words[k].norm in ("c", "celsius", "centigrade"):
        return "C", k
    if k < len(words) and words[k].norm in ("f", "fahrenheit"):
        return "F", k
    return None, k - 1


def _reading(words: list[Word], kind: str, first: int, start: int, negated: bool) -> Reading | None:
    clause = words[first].clause
    for j in range(start, min(len(words), start + CUE_TO_NUMBER_WORDS + 1)):
        if words[j].clause != clause:
            return None
        found = number_at(words, j)
        if found is None:
            continue
        value, after = found
        if after < len(words) and words[after].norm in _TIME_UNITS:
            return None
        negated = negated or cue_in(words, start, j)  # "heart rate was not 120"
        low, high = VITAL_RANGES[kind]
        if not low <= value <= high:
            return None
        if kind == "blood_pressure":
            k = after + 1 if after < len(words) and words[after].norm == "over" else after
            second = number_at(words, k) if k < len(words) else None
            if second is None:
                return None
            return Reading(kind, value, first, second[1] - 1, negated, value2=second[0])
        if kind == "temperature":
            unit, last = _unit_after(words, after)
            return Reading(kind, value, first, last, negated, unit=unit)
        return Reading(kind, value, first, after - 1, negated)
    return None


def find_readings(words: list[Word]) -> list[Reading]:
    readings: list[Reading] = []
    taken: set[int] = set()  # word indices already part of a cue or a reading
    cue_hits = [
        (hit, kind)
        for kind, cues in VITAL_CUES.items()
        for cue in cues
        for hit in find_pattern(words, cue)
    ]
    # Longest cue first, so "pulse ox 88" is oxygen, not a pulse of 88.
    cue_hits.sort(key=lambda hk: (hk[0].first - hk[0].last, hk[0].first))
    for hit, kind in cue_hits:
        if taken.intersection(range(hit.first, hit.last + 1)):
            continue
        reading = _reading(words, kind, hit.first, hit.last + 1, hit.negated)
        if reading and not taken.intersection(range(reading.first, reading.last + 1)):
            taken.update(range(reading.first, reading.last + 1))
            readings.append(reading)
    # Number first, unit after: "120 beats per minute", "102 degrees" (no cue needed).
    for kind, units in VITAL_UNITS.items():
        if kind == "spo2":
            continue  # "88 percent" alone could be anything; oxygen needs its cue
        for unit in units:
            for hit in find_pattern(words, unit):
                start = hit.first - 1
                if start < 0:
                    continue
                while (
                    not words[start].norm[:1].isdigit()
                    and start > 0
                    and words[start - 1].norm in _NUMBER_WORDS
                ):
                    start -= 1  # back to the start of "one hundred and twenty"
                found = number_at(words, start)
                if (
                    found is None
                    or found[1] != hit.first
                    or taken.intersection(range(start, hit.first))
                ):
                    continue
                reading = _reading(words, kind, start, start, hit.negated)
                if reading:
                    taken.update(range(reading.first, reading.last + 1))
                    readings.append(reading)
    return sorted(readings, key=lambda r: r.first)


def age_from_text(words: list[Word]) -> tuple[float, int, int] | None:
    """'6 weeks old', 'two month old', '10 days old' -> (years, first, last word index).

    Only ages under a year: enough to recognise an infant when the age was not recorded.
    """
    per_year = {"day": 365.25, "days": 365.25, "week": 52.18, "weeks": 52.18}
    per_year |= {"month": 12.0, "months": 12.0}
    for i in range(len(words)):
        found = number_at(words, i)
        if found is None:
            continue
        value, after = found
        unit = words[after].norm if after + 1 < len(words) else ""
        if unit in per_year and words[after + 1].norm == "old":
            return value / per_year[unit], i, after + 1
    return None
