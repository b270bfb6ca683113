"""How the speech engine is set up; built once per process from settings (see
intake.pipeline.worker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inference.audio import DEFAULT_MAX_SECONDS, VadConfig


@dataclass(frozen=True)
class AsrConfig:
    model_path: Path  # an existing ggml file; never a model name (that would download)
    language: str = "en"  # used when a visit has no preferred language
    threads: int = 2
    # Free-text prompt; biases Whisper's spelling (e.g. "Metformin, lisinopril.").
    initial_prompt: str | None = None
    # Words the clinic hears often (drug names); appended to the prompt as a list.
    vocabulary: tuple[str, ...] = ()
    beam_size: int = 1  # 1 = greedy (what FACTS.md measured); > 1 = beam search
    # Word timings cost nothing measurable with whisper.cpp's token timestamps (see
    # docs/PERFORMANCE.md), so they are on by default.
    word_timestamps: bool = True
    # Multilingual models: let Whisper detect the spoken language (and report it) instead of
    # forcing the patient's preferred one. English-only models always run as English.
    detect_language: bool = True
    max_audio_seconds: float = DEFAULT_MAX_SECONDS  # per visit, all recordings together
    vad: VadConfig = field(default_factory=VadConfig)

    def __post_init__(self) -> None:
        # Settings may hand over a str; everything below expects a Path.
        object.__setattr__(self, "model_path", Path(self.model_path))
        if self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        if self.beam_size < 1:
            raise ValueError(f"beam_size must be >= 1, got {self.beam_size}")

    def prompt(self) -> str | None:
        parts = [p for p in (self.initial_prompt, ", ".join(self.vocabulary)) if p]
        return " ".join(parts) + ("." if self.vocabulary else "") if parts else None
