"""Engine configurations built from Django settings, in one place: the Celery workers and the
`intake_file` command run the same models with the same limits."""

from __future__ import annotations

from django.conf import settings

from inference.asr import AsrConfig
from inference.llm_engine import LlmConfig
from inference.pipeline import IntakeConfig


def asr_config() -> AsrConfig:
    return AsrConfig(
        model_path=settings.ASR_MODEL_PATH,
        language=settings.ASR_LANGUAGE,
        threads=settings.ASR_THREADS,
        vocabulary=tuple(settings.ASR_VOCABULARY),
        max_audio_seconds=float(settings.ASR_MAX_AUDIO_SECONDS),
    )


def llm_config() -> LlmConfig:
    return LlmConfig(
        model_path=settings.LLM_MODEL_PATH,
        mmproj_path=settings.LLM_MMPROJ_PATH,
        threads=settings.LLM_THREADS,
        n_ctx=settings.LLM_CONTEXT,
        max_tokens=settings.LLM_MAX_TOKENS,
    )


def intake_config(
    *, with_asr: bool = True, max_tokens: int | None = None, name: str
) -> IntakeConfig:
    return IntakeConfig(
        llm=llm_config(),
        asr=asr_config() if with_asr else None,
        max_tokens=max_tokens,
        name=name,
        safety_layers=tuple(settings.SAFETY_LAYERS),
        safety_cache_dir=settings.SAFETY_CACHE_DIR,
    )
