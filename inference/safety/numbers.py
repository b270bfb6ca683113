"""Vital signs, blood sugar, pain scores and ages said in words: "my heart rate was 120",
"oxygen 88 percent", "blood pressure 150 over 90", "a temperature of one hundred and two",
"sugar's 2.1", "pain is a nine out of ten", "she's 6 weeks old".

A reading needs a cue (VITAL_CUES) followed within a few words by a number in a plausible
range, or a number followed by an unambiguous unit ("120 beats per minute"). Numbers directly
followed by a time unit ("fever for 3 days") are not readings.
"""

from __future__ import annotations

from dataclasses import dataclass

from inference.safety.limits import (
    DEVICE_CUES,
    FEVER_C,
    FEVER_F,
    VITAL_CUES,
    VITAL_RANGES,
    VITAL_UNITS,
)
from inference.safety.match import Hit, find_pattern
from inference.safety.spoken_numbers import NUMBER_WORDS, TIME_UNITS, number_at
from inference.safety.text import Word

CUE_TONUMBER_WORDS = 8
# Blood pressure needs "X over Y", so its number may stand further from the cue: "I done my
# pressure on the machine at the chemist and it said two thirty over one thirty".
CUE_TONUMBER_WORDS_BP = 14
_DENIALS = frozenset(("not", "never", "no", "isnt", "wasnt"))
_UNKNOWN_DIASTOLIC = frozenset(("something", "summat", "whatever", "something something"))


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


def _reading(
    words: list[Word],
    kind: str,
    first: int,
    start: int,
    negated: bool,
    stop: int | None = None,
    device: bool = False,
) -> Reading | None:
    """The reading a cue at words[first:start] introduces; `stop`: where the next cue begins
    ("the monitor says his heart rate's 160": the number belongs to "heart rate"). A device
    cue ("the machine says") reads a blood pressure only as "X over Y": "thirty eight thirty
    nine" after it is a pulse said twice."""
    clause = words[first].clause
    reach = CUE_TONUMBER_WORDS_BP if kind == "blood_pressure" else CUE_TONUMBER_WORDS
    end = min(len(words), start + reach + 1, stop if stop is not None else len(words))
    for j in range(start, end):
        if words[j].clause != clause:
            return None
        found = number_at(words, j)
        if found is None:
            continue
        value, after = found
        if after < len(words) and words[after].norm in TIME_UNITS:
            continue  # "three times", "for 2 days": not this reading, maybe the next number
        negated = negated or any(w.norm in _DENIALS for w in words[start:j])  # "was not 120"
        low, high = VITAL_RANGES[kind]
        if not low <= value <= high:
            return None
        if kind == "blood_pressure":
            between = after < len(words) and words[after].norm in ("over", "/", "by")
            if device and not between:
                return None
            k = after + 1 if between else after
            if k > after and k < len(words) and words[k].norm in _UNKNOWN_DIASTOLIC:
                return Reading(kind, value, first, k, negated)  # "eighty over something"
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
        (hit, kind, cue in DEVICE_CUES)
        for kind, cues in VITAL_CUES.items()
        for cue in cues
        for hit in find_pattern(words, cue)
    ]
    # Longest cue first, so "pulse ox 88" is oxygen, not a pulse of 88.
    cue_hits.sort(key=lambda hk: (hk[0].first - hk[0].last, hk[0].first))
    starts = sorted({h.first for h, _, device in cue_hits if not device})
    for hit, kind, device in cue_hits:
        if taken.intersection(range(hit.first, hit.last + 1)):
            continue
        stop = next((s for s in starts if s > hit.last), None)
        denied = _cue_denied(words, hit)
        reading = _reading(words, kind, hit.first, hit.last + 1, denied, stop, device)
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
                    and words[start - 1].norm in NUMBER_WORDS
                ):
                    start -= 1  # back to the start of "one hundred and twenty"
                found = number_at(words, start)
                if (
                    found is None
                    or found[1] != hit.first
                    or taken.intersection(range(start, hit.first))
                ):
                    continue
                reading = _reading(words, kind, start, start, _cue_denied(words, hit))
                if reading:
                    taken.update(range(reading.first, reading.last + 1))
                    readings.append(reading)
    readings += _bare_temperatures(words, taken)
    return sorted(readings, key=lambda r: r.first)


# "she's thirty eight point five": a parent gives the thermometer's number with no cue. Only
# a number with a decimal in a fever-thermometer range, said of someone, and with no other
# unit after it ("she's 38.5 weeks", "he's 39.5 kilos").
_BARE_TEMPERATURE_LEADS = frozenset("shes hes its was is reading hit hitting running".split())  # noqa: SIM905
_OTHER_UNITS = TIME_UNITS | frozenset(
    "kilos kilo kg kgs pounds lbs lb stone cm centimetres centimeters inches percent mmol "  # noqa: SIM905
    "miles km metres meters feet ft units mg ml".split()
)


def _bare_temperatures(words: list[Word], taken: set[int]) -> list[Reading]:
    out = []
    for i, w in enumerate(words[:-1]):
        if w.norm not in _BARE_TEMPERATURE_LEADS or i + 1 in taken:
            continue
        found = number_at(words, i + 1)
        if found is None:
            continue
        value, after = found
        if value == int(value) or not (37.5 <= value <= 43.0 or 99.5 <= value <= 108.0):
            continue
        if after < len(words) and words[after].norm in _OTHER_UNITS:
            continue
        if taken.intersection(range(i + 1, after)):
            continue
        unit, last = _unit_after(words, after)
        out.append(Reading("temperature", value, i + 1, last, unit=unit))
    return out


def _cue_denied(words: list[Word], hit: Hit) -> bool:
    """ "no fever", "not a temperature of 38": a denial just before the cue."""
    return any(w.norm in _DENIALS for w in words[max(0, hit.first - 2) : hit.first])


@dataclass(frozen=True)
class PainScore:
    value: float
    first: int
    last: int


def pain_scores(words: list[Word]) -> list[PainScore]:
    """ "8 out of 10", "nine out of ten", "8/10", "a 9 on the pain scale", "like a ten"."""
    scores = []
    for i in range(len(words)):
        found = number_at(words, i)
        if found is None:
            continue
        value, after = found
        rest = [w.norm for w in words[after : after + 5]]
        if rest[:3] in (["out", "of", "10"], ["out", "of", "ten"]) or rest[:2] in (
            ["/", "10"],
            ["of", "10"],
            ["of", "ten"],
        ):
            last = after + (2 if rest[0] in ("/", "of") else 3) - 1
        elif (rest[:2] == ["on", "the"] and "scale" in rest) or rest[:2] == ["on", "a"]:
            last = after
        elif _alone_in_clause(words, i, after):
            last = after - 1  # "pain very bad, ten, I cannot sleep"
        elif i > 1 and words[i - 1].norm in ("a", "an") and words[i - 2].norm in _PAIN_LEAD:
            last = after - 1  # "it's a nine", "like a ten"
        else:
            continue
        if 0 <= value <= 10:
            scores.append(PainScore(value, i, last))
    return scores


def _alone_in_clause(words: list[Word], i: int, after: int) -> bool:
    """A number said on its own between pauses ("pain very bad, ten, ...")."""
    clause = words[i].clause
    before_ok = i == 0 or words[i - 1].clause != clause
    after_ok = after >= len(words) or words[after].clause != clause
    return before_ok and after_ok


_PAIN_LEAD = frozenset(("its", "like", "is", "was", "about", "around", "solid", "easily"))


def age_from_text(words: list[Word]) -> tuple[float, int, int] | None:
    """'6 weeks old', 'two month old', "she's only seven weeks", 'newborn' ->
    (years, first, last word index).

    Only ages under a year: enough to recognise an infant when the age was not recorded.
    """
    per_year = {"day": 365.25, "days": 365.25, "week": 52.18, "weeks": 52.18}
    per_year |= {"month": 12.0, "months": 12.0, "wk": 52.18, "wks": 52.18}
    for i in range(len(words)):
        if words[i].norm in ("newborn", "newborns", "neonate"):
            return 0.02, i, i
        found = number_at(words, i)
        if found is None:
            continue
        value, after = found
        unit = words[after].norm if after < len(words) else ""
        if unit not in per_year:
            continue
        before = words[i - 1].norm if i else ""
        if after + 1 < len(words) and words[after + 1].norm == "old":
            return value / per_year[unit], i, after + 1
        if before in _AGE_LEAD:  # "she's only seven weeks", "he is 5 weeks"
            return value / per_year[unit], i - 1, after
    return None


_AGE_LEAD = frozenset(("only", "just", "shes", "hes", "is", "aged", "babys", "age", "bubs"))


def is_fever(r: Reading) -> bool:
    """A temperature of 38.0 C / 100.4 F or more, compared in the unit that was said so
    100.4 F counts exactly (38.0 C is 100.4 F)."""
    celsius = r.celsius()
    if celsius is None:
        return False
    return r.value >= FEVER_F if (r.unit == "F" or r.value >= 86) else celsius >= FEVER_C
