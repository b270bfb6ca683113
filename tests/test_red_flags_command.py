"""`manage.py red_flags`: the red-flag net on text, no database, no LLM; one JSON line per
utterance in the documented shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
FIRING_KEYS = {"rule", "description", "level", "esi_floor", "quote", "layer"}


def run(*args: str, capsys) -> list[dict[str, Any]]:
    call_command("red_flags", *args)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_it_screens_one_utterance(capsys):
    (line,) = run(
        "--text",
        "there's a crushing pressure in my chest and I'm sweating",
        "--age",
        "58",
        capsys=capsys,
    )
    assert set(line) == {"id", "esi_floor", "firings"}
    assert line["esi_floor"] == 2
    (firing,) = [f for f in line["firings"] if f["rule"] == "chest_pain_acs"]
    assert set(firing) == FIRING_KEYS
    assert firing["level"] == "definite" and firing["layer"] == "rules"
    assert "crushing pressure in my chest" in firing["quote"]
    assert firing["description"].startswith("Chest pain or pressure")


def test_it_screens_a_jsonl_file_in_order(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "text": "my six week old is burning up", "age_years": None},
        {"id": 7, "text": "I need a repeat prescription for my inhaler", "age_years": 40},
        {"id": "c", "text": "he swallowed a button battery", "age_years": 2},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    lines = run("--jsonl", str(path), capsys=capsys)
    assert [line["id"] for line in lines] == ["a", 7, "c"]
    assert [f["rule"] for f in lines[0]["firings"]] == ["infant_fever"]
    assert lines[1] == {"id": 7, "esi_floor": None, "firings": []}
    assert {f["rule"] for f in lines[2]["firings"]} == {"dangerous_ingestion"}


def test_it_reports_bad_lines_and_screens_the_rest(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"id": 1, "text": "I cannot breathe"}\nnot json\n{"id": 3}\n'
        '{"id": 4, "text": "fine", "age_years": "old"}\n{"id": 5, "text": "ankle sprain"}\n'
    )
    proc = subprocess.run(
        [sys.executable, "manage.py", "red_flags", "--jsonl", str(path), "--layers", "rules"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
    )  # fmt: skip
    assert proc.returncode == 1
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [1, 5]
    assert f"{path}:2: not valid JSON" in proc.stderr
    assert f'{path}:3: each line needs an object with a "text" string' in proc.stderr
    assert f"{path}:4: age_years must be a number" in proc.stderr


def test_it_runs_the_layers_asked_for(capsys):
    (rules,) = run("--text", "I can't breathe", "--layers", "rules", capsys=capsys)
    assert {f["layer"] for f in rules["firings"]} == {"rules"}
    with pytest.raises(CommandError, match="unknown layers"):
        call_command("red_flags", "--text", "x", "--layers", "rules,magic")


def test_it_refuses_a_missing_file_and_a_bad_age():
    with pytest.raises(CommandError, match="file not found"):
        call_command("red_flags", "--jsonl", "/nonexistent.jsonl")
    with pytest.raises(CommandError, match="age_years must be"):
        call_command("red_flags", "--text", "x", "--age", "-3")
