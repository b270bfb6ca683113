"""Constrained extraction with the real bundled model. STRUCTURE only, never content: the
bundled Gemma 3 270M is a base model whose drafts are valid but clinically meaningless."""

from __future__ import annotations

from dataclasses import replace

import pytest

from inference.llm_engine import LlmEngine, ModelMissing
from inference.triage import (
    PROMPT_VERSION,
    SCHEMA_VERSION,
    ExtractionFailed,
    PatientContext,
    PhotoInput,
    TriageDraft,
    TriageRecord,
    build_request,
    extract,
)
from tests.fixtures_models import TEST_MAX_TOKENS, llm_config, llm_engine  # noqa: F401

pytestmark = pytest.mark.slow

WORDS = (
    "I have had a sharp pain in my lower back for three days and it gets worse when I bend "
    "over. My temperature was 38 degrees last night. I take metformin."
)


PROGRESS: list[float] = []


@pytest.fixture(scope="module")
def outcome(llm_engine: LlmEngine) -> TriageDraft | ExtractionFailed:  # noqa: F811
    return extract(
        llm_engine,
        WORDS,
        PatientContext(age_years=52, sex="female"),
        on_progress=PROGRESS.append,
    )


def test_it_reports_each_generated_token_as_progress(outcome):
    # One report per token llama.cpp sampled (the end-of-turn token too, which the usage
    # count leaves out), as a share of the token budget.
    generated = int(outcome.timings["generated_tokens"])
    attempts = int(outcome.timings["attempts"])
    assert generated > 0 and generated <= len(PROGRESS) <= generated + attempts
    assert PROGRESS[0] == pytest.approx(1 / TEST_MAX_TOKENS)
    assert all(0 < p <= 1 for p in PROGRESS)


def test_it_returns_a_schema_valid_record(outcome):
    # The bundled model, grammar-constrained with a fixed seed, must give a record here; the
    # typed failures are tested with deterministic engines (tests/test_triage_schema.py).
    assert isinstance(outcome, TriageDraft), outcome
    record = outcome.record
    assert isinstance(record, TriageRecord)
    assert record.esi.level in (1, 2, 3, 4, 5)
    # Every extracted item carries a string quote; the record round-trips through the schema.
    assert all(isinstance(quote, str) for _, quote in record.quotes())
    assert TriageRecord.model_validate(outcome.data()) == record


def test_it_records_model_prompt_schema_and_timings(outcome, llm_engine):  # noqa: F811
    assert outcome.model_id == llm_engine.model_id == "gemma3-270m-q4_k_m.gguf"
    assert outcome.prompt_version == PROMPT_VERSION
    timings = outcome.timings
    assert timings["prompt_tokens"] > 50
    assert 0 < timings["generated_tokens"] <= 2 * TEST_MAX_TOKENS
    assert timings["prompt_s"] > 0 and timings["generate_s"] > 0
    assert timings["load_s"] == llm_engine.load_seconds > 0
    if isinstance(outcome, TriageDraft):
        assert outcome.schema_version == SCHEMA_VERSION
        assert outcome.photos_analysed is False


def test_it_loads_the_model_once(llm_engine):  # noqa: F811
    before = LlmEngine.loads
    llm_engine.load()
    assert LlmEngine.loads == before >= 1
    assert llm_engine.llm.chat_format == "gemma"  # no template in the bundled GGUF


def test_it_refuses_missing_model_files_before_loading(tmp_path):
    with pytest.raises(ModelMissing, match="LLM model file not found"):
        LlmEngine(replace(llm_config(), model_path=tmp_path / "gemma-4-12b.gguf")).load()
    with pytest.raises(ModelMissing, match="vision projector not found"):
        LlmEngine(replace(llm_config(), mmproj_path=tmp_path / "mmproj.gguf")).load()


def test_it_wires_the_vision_handler_from_configuration_alone(tmp_path):
    # Gemma 4 (12B, E4B, E2B) + mmproj differ from the bundled model only in LlmConfig. The
    # projector is opened lazily on the first image request, so a placeholder file shows the
    # wiring without a real projector; the request carries the photo as a data: URI.
    projector = tmp_path / "mmproj.gguf"
    projector.write_bytes(b"GGUF")
    engine = LlmEngine(replace(llm_config(), mmproj_path=projector))
    engine.load()
    assert engine.vision and type(engine.llm.chat_handler).__name__ == "Gemma4ChatHandler"
    photo = _tiny_png()
    request = build_request(engine, "a rash on my arm", PatientContext(), [photo])
    parts = request.messages[0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]
    assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def _tiny_png() -> PhotoInput:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(out, format="PNG")
    return PhotoInput(out.getvalue(), "rash.png")
