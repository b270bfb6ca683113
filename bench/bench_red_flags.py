"""Red-flag net benchmark: recall and false alarms per layer and per category, and speed.

    .venv/bin/python -m bench.bench_red_flags                    # every split, every layer set
    .venv/bin/python -m bench.bench_red_flags --splits test --categories
    .venv/bin/python -m bench.bench_red_flags --threshold-grid   # tune the meaning match (dev)

Layer sets: word rules alone, meaning match alone, both (the union, as the workers run it).
The test split is for reporting only: thresholds and wording are tuned on the dev splits.
Numbers go to docs/RED_FLAGS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from inference.evidence import TranscriptIndex
from inference.safety.check import transcript_document
from inference.safety.document import Document
from inference.safety.evaluate import (
    BENIGN_KINDS,
    DEV_SPLITS,
    Scores,
    Utterance,
    load_split,
    score,
)
from inference.safety.net import RedFlagNet, text_transcript
from inference.safety.semantic import ExemplarSet, SemanticConfig, SemanticLayer

SPLITS = (*DEV_SPLITS, "test")
LAYER_SETS = (("rules",), ("semantic",), ("rules", "semantic"))
ROOT = Path(__file__).resolve().parent.parent


def documents(items: list[Utterance]) -> list[Document]:
    return [transcript_document(TranscriptIndex(text_transcript(i.text))) for i in items]


def run(net: RedFlagNet, items: list[Utterance], layers: tuple[str, ...]) -> Scores:
    net.layers = layers
    reports = net.screen_documents(documents(items), [i.age_years for i in items], "typed")
    return score(items, reports)


def table(rows: list[tuple[str, str, Scores]]) -> None:
    print(f"{'split':6} {'layers':16} {'recall':>16} {'false alarms':>16} {'definite FA':>16}")
    for split, layers, s in rows:
        print(
            f"{split:6} {layers:16} {s.recall!s:>16} {s.false_alarms!s:>16} "
            f"{s.definite_false_alarms!s:>16}"
        )


def categories(split: str, s: Scores) -> None:
    print(f"\n{split}: per category (recall for emergencies, false alarms for benign kinds)")
    for name, rate in s.by_category.items():
        kind = "false alarms" if name in BENIGN_KINDS else "recall"
        print(f"  {name:24} {kind:13} {rate!s:>16}")


def cross_validate(net: RedFlagNet, splits: list[str]) -> None:
    """Leave one dev split out: its windows against exemplars learned from the other dev
    splits (plus the written ones), for a grid of thresholds. The meaning match alone."""
    from bench.build_exemplars import build

    assert net.semantic is not None
    encoder = net.semantic.encoder
    rows: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for held in splits:
        learned = build(tuple(s for s in splits if s != held))
        layer = SemanticLayer(encoder, exemplar_set=ExemplarSet.written().plus(learned))
        layer.load()
        items = load_split(held)
        docs = documents(items)
        scores = layer.score(docs)
        for threshold in (0.55, 0.6, 0.65, 0.7):
            for margin in (0.0, 0.03, 0.06, 0.09):
                layer.config = SemanticConfig(threshold=threshold, margin=margin)
                fired = [
                    any(layer.fires(w, i.age_years) for w in sc)
                    for sc, i in zip(scores, items, strict=True)
                ]
                pos = [f for f, i in zip(fired, items, strict=True) if i.red_flag]
                neg = [f for f, i in zip(fired, items, strict=True) if not i.red_flag]
                rows.setdefault((threshold, margin), []).append(
                    (sum(pos) / len(pos), sum(neg) / len(neg))
                )
    print("meaning match alone, leave one dev split out (mean over splits):")
    for (threshold, margin), results in rows.items():
        recall = sum(r for r, _ in results) / len(results)
        alarms = sum(a for _, a in results) / len(results)
        print(
            f"  threshold {threshold:.2f} margin {margin:.2f}: recall {recall:6.1%}  "
            f"false alarms {alarms:6.2%}"
        )


def grid(net: RedFlagNet, items: list[Utterance]) -> None:
    """Meaning-match thresholds on dev splits: what it adds to the word rules."""
    assert net.semantic is not None
    base = run(net, items, ("rules",))
    print(f"word rules alone: recall {base.recall}, false alarms {base.false_alarms}")
    for threshold in (0.5, 0.55, 0.6, 0.65, 0.7):
        for margin in (0.0, 0.05, 0.1):
            net.semantic.config = SemanticConfig(threshold=threshold, margin=margin)
            alone = run(net, items, ("semantic",))
            both = run(net, items, ("rules", "semantic"))
            print(
                f"  threshold {threshold:.2f} margin {margin:.2f}: alone {alone.recall} / "
                f"{alone.false_alarms}; with rules {both.recall} / {both.false_alarms}"
            )


def command_speed(items: list[Utterance]) -> float:
    """Wall time of `manage.py red_flags --jsonl` on 100 utterances, model load included."""
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for item in items[:100]:
            f.write(json.dumps({"id": item.id, "text": item.text, "age_years": item.age_years}))
            f.write("\n")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "red_flags", "--jsonl", f.name],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )
    Path(f.name).unlink()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default=",".join(SPLITS))
    parser.add_argument("--categories", action="store_true", help="per-category tables")
    parser.add_argument("--threshold-grid", action="store_true", help="tune on dev splits")
    parser.add_argument(
        "--cross-validate", action="store_true", help="meaning match, leave one dev split out"
    )
    parser.add_argument("--misses", action="store_true", help="list missed and alarmed ids")
    args = parser.parse_args()
    splits = [s for s in args.splits.split(",") if s]

    started = time.perf_counter()
    net = RedFlagNet.load(cache_dir=ROOT / "var" / "cache")
    print(f"net loaded in {time.perf_counter() - started:.2f} s (encoder + exemplars)")
    if args.cross_validate:
        cross_validate(net, [s for s in splits if s != "test"])
        return
    if args.threshold_grid:
        dev = [u for s in splits if s != "test" for u in load_split(s)]
        grid(net, dev)
        return
    rows = []
    for split in splits:
        items = load_split(split)
        for layers in LAYER_SETS:
            t0 = time.perf_counter()
            result = run(net, items, layers)
            rows.append((split, "+".join(layers), result))
            per = (time.perf_counter() - t0) / len(items) * 1000
            print(f"  {split} {'+'.join(layers)}: {per:.1f} ms per utterance")
            if args.misses and layers == ("rules", "semantic"):
                print(f"    missed: {', '.join(result.missed) or '-'}")
                print(f"    alarmed: {', '.join(result.alarmed) or '-'}")
    print()
    table(rows)
    if args.categories:
        for split, names, result in rows:
            if names == "rules+semantic":
                categories(split, result)
    seconds = command_speed(load_split(splits[0]))
    print(f"\nmanage.py red_flags --jsonl, 100 utterances, model load included: {seconds:.1f} s")


if __name__ == "__main__":
    main()
