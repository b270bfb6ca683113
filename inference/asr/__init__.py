"""Offline speech recognition with whisper.cpp. No Django.

- `WhisperEngine(AsrConfig(model_path=...))`: one per process, `load()` once (never downloads).
- `transcribe(engine, recordings, language=...)` -> `inference.transcript.Transcript`.
- `supports_language(engine_or_header_or_path, language)`: warn at intake time.

Importing this package sets OMP_WAIT_POLICY=PASSIVE unless already set (see engine.py).
"""

from inference.asr.config import AsrConfig
from inference.asr.engine import EngineResult, RawSegment, RawWord, WhisperEngine
from inference.asr.errors import AsrError, ModelMissing
from inference.asr.ggml_header import GgmlHeader, model_fingerprint, read_ggml_header
from inference.asr.hallucinations import is_hallucination
from inference.asr.languages import (
    WHISPER_LANGUAGES,
    language_name,
    language_warning,
    supports_language,
    whisper_code,
)
from inference.asr.transcribe import map_segments, snap_to_speech, speech_fraction, transcribe

__all__ = [
    "WHISPER_LANGUAGES",
    "AsrConfig",
    "AsrError",
    "EngineResult",
    "GgmlHeader",
    "ModelMissing",
    "RawSegment",
    "RawWord",
    "WhisperEngine",
    "is_hallucination",
    "language_name",
    "language_warning",
    "map_segments",
    "model_fingerprint",
    "read_ggml_header",
    "snap_to_speech",
    "speech_fraction",
    "supports_language",
    "transcribe",
    "whisper_code",
]
