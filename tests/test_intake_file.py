"""`manage.py intake_file`: the pipeline on local files, never touching the database.

One real run in a subprocess whose DATABASE_URL points at a closed port (any query would
fail it); the rest in-process with stub engines and no database marker (pytest-django
refuses any query there)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inference.asr import WhisperEngine
from inference.pipeline import Engines
from tests.fixtures_models import StubLlm, speech_clip  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("intake_file", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stub_engines(monkeypatch):
    def load(config):
        asr = WhisperEngine(config.asr) if config.asr else None
        return Engines(asr=asr, llm=StubLlm())

    monkeypatch.setattr(Engines, "load", staticmethod(load))


@pytest.mark.slow
def test_it_runs_the_real_pipeline_with_the_database_unreachable(speech_clip):  # noqa: F811
    env = dict(os.environ, DATABASE_URL="postgres://nobody@127.0.0.1:9/unreachable")
    command = [sys.executable, "manage.py", "intake_file", str(speech_clip)]
    command += ["--age", "58", "--sex", "male", "--max-tokens", "48"]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("Transcript (transcript, ggml-tiny.en.bin@")
    assert "Red flags: ESI floor 2" in out
    assert "Chest pain or pressure that may be a heart attack" in out
    assert "rules layer, floor 2 (transcript; chest_pain_acs v2)" in out
    # 48 tokens cannot hold a record: the typed failure is printed, the rest still is.
    assert "AI draft (" in out or "No AI draft (" in out
    assert "Timings (s):" in out


def test_it_prints_one_json_document(stub_engines):
    data = json.loads(run("--complaint", "My chest hurts and I am sweating", "--json"))
    assert data["source"] == "typed"
    assert data["transcript"]["text"] == "My chest hurts and I am sweating"
    assert data["safety"]["esi_floor"] == 2
    assert data["draft"]["model_id"] == "stub.gguf" and data["draft"]["schema_version"] == "1"
    assert data["esi"] == {"model": 4, "rule_floor": 2, "suggested": 2}
    assert {"path", "supported", "segment", "t0"} <= set(data["evidence"][0])


def test_it_refuses_a_missing_audio_file(tmp_path):
    with pytest.raises(CommandError, match="audio file not found"):
        run(str(tmp_path / "nope.webm"))


def test_it_refuses_a_missing_photo(tmp_path):
    with pytest.raises(CommandError, match="photo file not found"):
        run("--complaint", "rash", "--photo", str(tmp_path / "nope.jpg"))


def test_it_needs_audio_or_a_complaint():
    with pytest.raises(CommandError, match="at least one AUDIO"):
        run()


def test_it_explains_corrupt_audio(stub_engines, tmp_path):
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(os.urandom(4000))
    with pytest.raises(CommandError) as info:
        run(str(bad))
    assert "Record again" in str(info.value) or "not a sound recording" in str(info.value)


def test_it_explains_a_missing_model(settings, tmp_path):
    settings.LLM_MODEL_PATH = tmp_path / "gemma-4-12b.gguf"
    with pytest.raises(CommandError, match=r"cannot load the models: LLM model file not found"):
        run("--complaint", "headache")


def test_it_refuses_silly_options(stub_engines):
    with pytest.raises(CommandError, match="max-tokens"):
        run("--complaint", "headache", "--max-tokens", "3")
    with pytest.raises(CommandError, match="age_years"):
        run("--complaint", "headache", "--age", "-2")


def test_it_drafts_from_the_typed_complaint_when_the_only_recording_is_corrupt(
    stub_engines, tmp_path
):
    # The one documented difference from the workers (inference.pipeline): here the typed
    # complaint stands in; tests/test_processing.py shows a worker failing the visit instead.
    bad = tmp_path / "bad.webm"
    bad.write_bytes(os.urandom(4000))
    data = json.loads(run(str(bad), "--complaint", "sore throat for two days", "--json"))
    assert data["source"] == "typed"
    assert data["draft"] is not None
    assert [e["stage"] for e in data["errors"]] == ["asr"]
