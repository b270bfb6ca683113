"""Build the meaning-match layer's learned exemplars from the dev splits (never the test split).

    .venv/bin/python -m bench.build_exemplars   # -> inference/safety/learned_exemplars.json

For every dev red flag, the window of words (as the layer cuts them) that holds the word rules'
evidence becomes an exemplar of the rule that fired; every window of every dev benign line
becomes an ordinary exemplar, which a sentence must be farther from. Run it again after
changing the dev splits or the rules, and commit the JSON with them.
"""

from __future__ import annotations

import json
from pathlib import Path

from inference.evidence import TranscriptIndex
from inference.safety.check import run_rules, transcript_document
from inference.safety.document import Document
from inference.safety.evaluate import DEV_SPLITS, load_split
from inference.safety.net import text_transcript
from inference.safety.semantic import LEARNED_EXEMPLARS, ExemplarSet, SemanticConfig, windows


def evidence_windows(
    doc: Document, config: SemanticConfig, age: float | None
) -> list[tuple[str, str]]:
    """(rule id, window text) for each rule the word rules fire, at its first evidence."""
    spans = windows(doc, config.window, config.stride)
    out = []
    for firing in run_rules(doc, age, "typed").firings:
        start = next((e.text_start for e in firing.evidence if e.text_start is not None), None)
        if start is None:
            continue
        for lo, hi in spans:
            if doc.words[lo].start <= start <= doc.words[hi].end:
                out.append((firing.rule_id, doc.text_of(lo, hi)))
                break
    return out


def build(splits: tuple[str, ...] = DEV_SPLITS) -> ExemplarSet:
    config = SemanticConfig()
    red: list[tuple[str, str]] = []
    ordinary: list[str] = []
    for split in splits:
        for item in load_split(split):
            doc = transcript_document(TranscriptIndex(text_transcript(item.text)))
            if item.red_flag:
                red += evidence_windows(doc, config, item.age_years)
            else:
                ordinary += [
                    doc.text_of(lo, hi) for lo, hi in windows(doc, config.window, config.stride)
                ]
    return ExemplarSet(tuple(dict.fromkeys(red)), tuple(dict.fromkeys(ordinary)))


def main() -> None:
    learned = build()
    path: Path = LEARNED_EXEMPLARS
    data = {"source": list(DEV_SPLITS), **learned.as_json()}
    path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    red, ordinary = len(learned.red_flags), len(learned.ordinary)
    print(f"{path}: {red} red-flag and {ordinary} ordinary exemplars")


if __name__ == "__main__":
    main()
