"""Measuring the red-flag net on labelled utterances (datasets/red_flags/*.jsonl).

A line: {"id", "text", "age_years", "expected": "red_flag" | "benign", "category"}. For a
red flag the category is the emergency (e.g. "acs"); for a benign line it is the kind of
trap (negation, past_history, family_history, hypothetical, routine, minor_or_resolved).

An utterance counts as flagged when the net fires anything (any rule, any level): that is
what puts a visit up the queue. Recall = flagged red flags / red flags; false alarms =
flagged benign / benign. Per category the same, for the docs' tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inference.safety.report import SafetyReport

DATASETS = Path(__file__).resolve().parent.parent.parent / "datasets" / "red_flags"
# The splits tuning and the learned exemplars may use, in the order they were written; the
# test split never. A new split joins here only after its first look was recorded
# (datasets/red_flags/README.md).
DEV_SPLITS: tuple[str, ...] = ("dev", *(f"dev{n}" for n in range(2, 23)))
BENIGN_KINDS = (
    "negation",
    "past_history",
    "family_history",
    "hypothetical",
    "routine",
    "minor_or_resolved",
)


@dataclass(frozen=True)
class Utterance:
    id: str
    text: str
    age_years: float | None
    red_flag: bool
    category: str


def load_split(name_or_path: str | Path) -> list[Utterance]:
    """A split by name ("dev", "test") or path; raises ValueError naming a bad line."""
    path = Path(name_or_path)
    if not path.suffix:
        path = DATASETS / f"{name_or_path}.jsonl"
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            expected = row["expected"]
            if expected not in ("red_flag", "benign"):
                raise ValueError(f"expected must be red_flag or benign, got {expected!r}")
            out.append(
                Utterance(
                    str(row["id"]),
                    str(row["text"]),
                    row.get("age_years"),
                    expected == "red_flag",
                    str(row["category"]),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return out


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:6.1%} ({self.hits}/{self.total})"


@dataclass(frozen=True)
class Scores:
    recall: Rate
    false_alarms: Rate
    definite_false_alarms: Rate  # benign lines with a "definite" firing
    by_category: dict[str, Rate]  # recall per emergency, false alarms per benign kind
    missed: tuple[str, ...]  # ids
    alarmed: tuple[str, ...]


def score(items: Sequence[Utterance], reports: Sequence[SafetyReport]) -> Scores:
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed, alarmed, definite = [], [], 0
    for item, report in zip(items, reports, strict=True):
        flagged = bool(report.firings)
        counts = hits[item.category]
        counts[0] += flagged
        counts[1] += 1
        if item.red_flag and not flagged:
            missed.append(item.id)
        if not item.red_flag and flagged:
            alarmed.append(item.id)
            definite += any(f.level == "definite" for f in report.firings)
    positives = [i for i in items if i.red_flag]
    benign = len(items) - len(positives)
    return Scores(
        recall=Rate(len(positives) - len(missed), len(positives)),
        false_alarms=Rate(len(alarmed), benign),
        definite_false_alarms=Rate(definite, benign),
        by_category={c: Rate(h, t) for c, (h, t) in sorted(hits.items())},
        missed=tuple(missed),
        alarmed=tuple(alarmed),
    )
