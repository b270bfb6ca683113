"""`manage.py red_flags`: screen text with the red-flag net, without database or LLM.

    manage.py red_flags --text "crushing pain in the middle of my chest" --age 58
    manage.py red_flags --jsonl utterances.jsonl          # {"id", "text", "age_years"} a line

Prints one JSON line per input: {"id", "esi_floor", "firings": [{"rule", "description",
"level", "esi_floor", "quote", "layer"}]}. `--layers rules` measures the word rules alone.
A line that is not valid input is reported on stderr with its number and skipped; the exit
status is then 1, after every other line has been screened.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.safety.net import LAYERS, RedFlagNet
from inference.safety.report import SafetyReport


def firing_json(report: SafetyReport) -> list[dict[str, Any]]:
    return [
        {
            "rule": f.rule_id,
            "description": f.description,
            "level": f.level,
            "esi_floor": f.esi_floor,
            "quote": f.quote,
            "layer": f.layer,
        }
        for f in sorted(report.firings, key=lambda f: (f.esi_floor, f.rule_id))
    ]


def _age(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 130:
        raise ValueError(f"{where}: age_years must be a number of years (0-130) or null")
    return float(value)


def read_jsonl(path: Path) -> tuple[list[tuple[Any, str, float | None]], list[str]]:
    """(id, text, age) per valid line, and one message per invalid line."""
    items: list[tuple[Any, str, float | None]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise ValueError(f'{where}: each line needs an object with a "text" string')
                items.append(
                    (row.get("id", number), row["text"], _age(row.get("age_years"), where))
                )
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not valid JSON ({exc.msg})")
            except ValueError as exc:
                problems.append(str(exc))
    return items, problems


class Command(BaseCommand):
    help = "Screen text for red flags (word rules + meaning match); no database, no LLM."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--text", help="one utterance")
        source.add_argument("--jsonl", type=Path, help='a file of {"id", "text", "age_years"}')
        parser.add_argument("--age", type=float, default=None, help="age in years (--text)")
        parser.add_argument(
            "--layers",
            default=",".join(LAYERS),
            help=f"comma-separated layers to run (default: {','.join(LAYERS)})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        layers = [x.strip() for x in options["layers"].split(",") if x.strip()]
        problems: list[str] = []
        if options["text"] is not None:
            items = [("text", options["text"], _checked_age(options["age"]))]
        else:
            path: Path = options["jsonl"]
            if not path.is_file():
                raise CommandError(f"file not found: {path}")
            items, problems = read_jsonl(path)
        try:
            net = RedFlagNet.load(layers=layers, cache_dir=settings.SAFETY_CACHE_DIR)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        reports = net.screen_texts([t for _, t, _ in items], [a for _, _, a in items])
        for (item_id, _, _), report in zip(items, reports, strict=True):
            line = {"id": item_id, "esi_floor": report.esi_floor, "firings": firing_json(report)}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        for problem in problems:
            sys.stderr.write(problem + "\n")
        if problems:
            raise SystemExit(1)


def _checked_age(age: float | None) -> float | None:
    try:
        return _age(age, "--age")
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
