"""Real-model fixtures shared by the LLM and pipeline tests: each model loads ONCE per pytest
process, however many test modules import these fixtures.

pytest creates a separate fixture instance per module that imports a fixture, so the loading
itself is cached here (functools.cache), and the fixtures only hand the cached engine out.
Import the fixtures you use into the test module:
    from tests.fixtures_models import llm_engine, speech_clip  # noqa: F401
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from inference.asr import AsrConfig, WhisperEngine
from inference.llm_engine import Generation, LlmConfig, LlmEngine, LlmError
from inference.triage import Bounds
from inference.triage.schema import record_template
from tests.tools import need_file, need_tool

# Small bounds and token budget: structure is what the bundled model can show, and the 270M
# base model fills any room it is given (constrained decoding runs at ~15 tok/s here).
TEST_BOUNDS = Bounds(max_string=48, max_quote=96, max_rationale=96, max_items=3)
TEST_MAX_TOKENS = 256

CLIP_TEXT = (
    "I have had chest pain since this morning and it goes down my left arm. "
    "I am short of breath. I take metformin. My heart rate was 120."
)


def llm_config() -> LlmConfig:
    return LlmConfig(
        model_path=Path(settings.LLM_MODEL_PATH),
        threads=2,
        n_ctx=2048,
        max_tokens=TEST_MAX_TOKENS,
        bounds=TEST_BOUNDS,
    )


def asr_config() -> AsrConfig:
    return AsrConfig(model_path=Path(settings.ASR_MODEL_PATH), threads=2)


@functools.cache
def _llm() -> LlmEngine:
    engine = LlmEngine(llm_config())
    engine.load()
    return engine


@functools.cache
def _asr() -> WhisperEngine:
    engine = WhisperEngine(asr_config())
    engine.load()
    return engine


def _need_model(path: object) -> None:
    need_file(str(path), "the bundled model")


@pytest.fixture(scope="session")
def llm_engine() -> LlmEngine:
    _need_model(settings.LLM_MODEL_PATH)
    return _llm()


@pytest.fixture(scope="session")
def asr_engine() -> WhisperEngine:
    _need_model(settings.ASR_MODEL_PATH)
    return _asr()


@pytest.fixture(scope="session")
def speech_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short spoken complaint (espeak-ng, made at test time) with red flags in it."""
    espeak = need_tool("espeak-ng")
    out = tmp_path_factory.mktemp("speech") / "complaint.wav"
    subprocess.run([espeak, "-w", str(out), CLIP_TEXT], check=True, capture_output=True)
    return out


class StubLlm:
    """Stands in for LlmEngine without a model: returns `text` (default: a valid record)."""

    vision = False
    load_seconds = 0.0

    def __init__(self, text: str = json.dumps(record_template()), fail: bool = False) -> None:
        self.config = LlmConfig(model_path=Path("stub.gguf"))
        self.text, self.fail, self.calls = text, fail, 0

    @property
    def model_id(self) -> str:
        return "stub.gguf"

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def generate(self, messages, **kw):
        self.calls += 1
        if self.fail:
            raise LlmError("the model crashed")
        return Generation(self.text, "stop", 10, 10, 0.1, 0.1)
