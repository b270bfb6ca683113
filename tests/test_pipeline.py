"""run_intake end to end: a spoken complaint (espeak-ng, made at test time) through the real
tiny whisper and the bundled Gemma, processed ONCE for the module; plus the input, failure
and side-by-side paths with stub engines (no model)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image

from inference.llm_engine import LlmConfig
from inference.pipeline import (
    Engines,
    IntakeConfig,
    IntakeResult,
    PatientContext,
    PhotoInput,
    run_intake,
    typed_transcript,
)
from inference.triage import ExtractionFailed, TriageDraft
from tests.fixtures_models import (  # noqa: F401
    StubLlm,
    asr_config,
    asr_engine,
    llm_config,
    llm_engine,
    speech_clip,
)

PATIENT = PatientContext(age_years=58, sex="male", preferred_language="en")


def _photo() -> PhotoInput:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, format="PNG")
    return PhotoInput(out.getvalue(), "arm.png")


@pytest.fixture(scope="module")
def result(asr_engine, llm_engine, speech_clip) -> IntakeResult:  # noqa: F811
    config = IntakeConfig(llm=llm_config(), asr=asr_config(), name="bundled")
    engines = Engines(asr=asr_engine, llm=llm_engine)
    return run_intake([speech_clip], [_photo()], PATIENT, config, engines=engines)


@pytest.mark.slow
def test_it_transcribes_the_recording(result):
    t = result.transcript
    assert result.source == "transcript" and t is not None
    assert t.segments and t.model_id.startswith("ggml-tiny.en.bin")
    assert "chest pain" in t.text.lower()
    assert result.errors == () or all(e.stage == "llm" for e in result.errors)


@pytest.mark.slow
def test_it_runs_the_safety_rules_on_the_transcript(result):
    fired = {f.rule_id: f for f in result.safety_transcript.firings}
    assert {"chest_pain_acs", "danger_zone_vitals"} <= set(fired)
    assert result.esi_floor == 2
    segments = {s.id: s for s in result.transcript.segments}
    for firing in fired.values():
        assert firing.source == "transcript" and firing.rule_version
        for evidence in firing.evidence:
            for span in evidence.spans:
                segment = segments[span.segment_id]
                assert 0 <= span.start < span.end <= len(segment.text)
                assert segment.start - 0.01 <= span.t0 <= span.t1 <= segment.end + 0.01


@pytest.mark.slow
def test_it_drafts_a_schema_valid_record_with_the_bundled_model(result):
    # Grammar-constrained, fixed seed: the bundled model must give a record on this clip. What
    # it says is not checked (a 270M model); its structure and the rules' floor are.
    assert result.failure is None, result.failure
    assert result.draft is not None
    assert result.draft.record.esi.level in (1, 2, 3, 4, 5)
    assert result.draft.model_id == "gemma3-270m-q4_k_m.gguf"
    assert result.esi_suggested is not None and result.esi_suggested <= 2  # the floor


def test_it_never_suggests_less_urgency_than_the_rules_floor():
    # A deterministic engine that drafts ESI 4 for a complaint the rules put at ESI 2 at most.
    patient = replace(PATIENT, chief_complaint="crushing chest pain going down my left arm")
    llm = StubLlm()
    out = run_intake([], [], patient, STUB_CONFIG, engines=Engines(llm=llm))
    assert isinstance(out.draft, TriageDraft) and out.failure is None
    assert out.draft.record.esi.level == 4
    assert out.esi_floor == 2 and out.esi_suggested == 2


def test_it_returns_a_typed_failure_when_the_model_gives_garbage():
    patient = replace(PATIENT, chief_complaint="crushing chest pain going down my left arm")
    llm = StubLlm(text="this is not json")
    out = run_intake([], [], patient, STUB_CONFIG, engines=Engines(llm=llm))
    assert out.draft is None and isinstance(out.failure, ExtractionFailed)
    assert out.failure.user_message and out.failure.attempts == 2
    assert out.esi_suggested == out.esi_floor == 2  # the rules still speak


@pytest.mark.slow
def test_it_locates_every_quote_or_marks_it_unsupported(result):
    assert result.draft is not None
    paths = [p for p, _ in result.draft.record.quotes()]
    assert [e.path for e in result.evidence] == paths
    for item in result.evidence:
        assert isinstance(item.evidence.supported, bool)
        assert item.evidence.supported == bool(item.evidence.spans)


@pytest.mark.slow
def test_it_says_photos_were_not_analysed_without_a_projector(result):
    outcome = result.draft or result.failure
    assert outcome is not None
    assert any("LLM_MMPROJ_PATH" in note for note in outcome.notes)
    if result.draft is not None:
        assert result.draft.photos_analysed is False


@pytest.mark.slow
def test_it_reports_timings_and_serialises(result):
    for key in ("asr_s", "safety_s", "llm_s", "evidence_s", "total_s"):
        assert result.timings[key] >= 0
    data = json.loads(json.dumps(result.as_json()))
    assert data["config"] == "bundled"
    assert data["safety"]["esi_floor"] == 2
    assert data["esi"]["rule_floor"] == 2


# --------------------------------------------------------------------------------------------
# Without models: stub engines
# --------------------------------------------------------------------------------------------


STUB_CONFIG = IntakeConfig(llm=LlmConfig(model_path=Path("stub.gguf")), name="stub")


def test_it_uses_a_typed_complaint_when_there_is_no_audio():
    patient = replace(PATIENT, chief_complaint="I twisted my ankle, and my chest hurts a lot.")
    out = run_intake([], [], patient, STUB_CONFIG, engines=Engines(llm=StubLlm()))
    assert out.source == "typed" and out.transcript is not None
    assert out.transcript.model_id == "typed"
    assert [f.source for f in out.safety_transcript.firings] == ["typed"]
    assert isinstance(out.draft, TriageDraft)
    supported = {e.path: e.evidence.supported for e in out.evidence}
    assert supported["chief_complaint"] is True  # "I twisted my ankle" is in the complaint


def test_it_reports_missing_input():
    out = run_intake([], [], PATIENT, STUB_CONFIG, engines=Engines(llm=StubLlm()))
    assert out.transcript is None and out.draft is None
    assert [(e.stage, e.code) for e in out.errors] == [("input", "no_input")]


def test_it_keeps_the_safety_findings_when_the_llm_fails():
    patient = replace(PATIENT, chief_complaint="I want to kill myself")
    llm = StubLlm(fail=True)
    out = run_intake([], [], patient, STUB_CONFIG, engines=Engines(llm=llm))
    assert out.failure is not None and out.failure.code == "model_error"
    assert out.esi_floor == 2 and out.esi_suggested == 2
    assert ("llm", "model_error") in [(e.stage, e.code) for e in out.errors]


def test_it_reports_corrupt_audio_and_falls_back_to_the_typed_complaint(tmp_path):
    bad = tmp_path / "bad.webm"
    bad.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 20)

    from inference.asr import WhisperEngine

    engines = Engines(asr=WhisperEngine(asr_config()), llm=StubLlm())
    patient = replace(PATIENT, chief_complaint="chest pain and sweating")
    out = run_intake([bad], [], patient, STUB_CONFIG, engines=engines)
    (error,) = [e for e in out.errors if e.stage == "asr"]
    assert error.code.startswith("audio_") and error.user_message
    assert out.source == "typed" and out.esi_floor == 2


def test_it_runs_two_configurations_side_by_side_on_the_same_engines():
    transcript = typed_transcript("My chest hurts and it goes down my arm.")
    # Any ASR engine object will do: the speech function itself is replaced.
    engines = Engines(asr=cast(Any, object()), llm=StubLlm(), transcribe=lambda *a, **k: transcript)
    a = run_intake(["x.wav"], [], PATIENT, replace(STUB_CONFIG, name="a"), engines=engines)
    b = run_intake(
        ["x.wav"], [], PATIENT, replace(STUB_CONFIG, name="b", max_tokens=64), engines=engines
    )
    assert (a.config_name, b.config_name) == ("a", "b")
    assert a.safety.esi_floor == b.safety.esi_floor == 2
    assert a.draft is not None and b.draft is not None
    assert a.draft.record == b.draft.record
