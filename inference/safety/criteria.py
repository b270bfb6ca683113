"""What a red-flag rule is made of; the catalogue itself is inference.safety.rules.

How to read a rule
------------------
- `title` / `description`: what the nurse reads (a queue badge / next to the matched words).
  The id is for storage and audit, never shown bare.
- `esi_floor`: the most lenient ESI level a visit may get when the rule fires. Rules only ever
  raise urgency (lower number = more urgent); several firings combine by taking the minimum.
- `criteria`: the rule fires "definite" when ANY criterion is met. A criterion needs EVERY
  concept in `all_of` and, when `any_of` is given, at least ONE of those too, each said of the
  patient now (not denied, hypothetical, someone else's history or long past: see
  inference.safety.scope). `within` (words) keeps the concepts close together; None means
  anywhere in the text. `unless`: a concept that, said in the same sentence, means this is
  something else (cold fingers "in the cold").
- `possible_when` / `possible_floor`: weaker evidence that still fires, marked "possible" so a
  nurse checks it (our policy: when unsure, escalate and say so).
- `check`: a built-in numeric check (vital signs, infant fever, blood sugar, pain score).
- `resolved_fires`: False for findings that only matter while they last (bleeding that has
  stopped). A faint or a fit that is over still fires.
- `hypothetical_fires`: True where a conditional is itself the danger ("if I see him again I'm
  going to kill him"): such hits fire as "possible".
- `guideline`: where the rule comes from. Bump `version` whenever a rule's meaning changes:
  every firing records id and version.
The concepts are in inference.safety.lexicon.
"""

from __future__ import annotations

from dataclasses import dataclass

# The reference most rules cite.
ESI = "Emergency Severity Index handbook (AHRQ v4; ENA 5th ed. 2023)"


@dataclass(frozen=True)
class Criterion:
    all_of: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    within: int | None = None
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # a few words for the queue badge
    version: str
    category: str
    description: str
    esi_floor: int
    guideline: str
    criteria: tuple[Criterion, ...] = ()
    possible_when: tuple[Criterion, ...] = ()
    possible_floor: int | None = None
    check: str | None = None  # "vitals" | "infant_fever" | "glucose" | "pain_score"
    resolved_fires: bool = True
    # Said as an "if" it still fires, as possible: "if things don't get better I'll end it".
    hypothetical_fires: bool = False


def C(
    *all_of: str,
    any_of: tuple[str, ...] = (),
    within: int | None = None,
    unless: tuple[str, ...] = (),
) -> Criterion:
    return Criterion(tuple(all_of), any_of, within, unless)
