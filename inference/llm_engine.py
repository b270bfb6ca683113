"""The Gemma engine: one llama.cpp model per process, loaded once.

This module only loads the model; the extraction prompt, schema and grammar come with the
triage issue. Never downloads anything: a missing file is a typed error naming the path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ModelMissing(Exception):
    pass


@dataclass(frozen=True)
class LlmConfig:
    model_path: Path
    mmproj_path: Path | None = None
    threads: int = 2
    n_ctx: int = 4096


class LlmEngine:
    # Counts real model loads in this process (tests assert each worker loaded exactly once).
    loads = 0

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        self.llm: Any = None
        self.load_seconds = 0.0

    @property
    def model_id(self) -> str:
        return self.config.model_path.name

    def load(self) -> None:
        if self.llm is not None:
            return
        path = self.config.model_path
        if not path.is_file():
            raise ModelMissing(
                f"LLM model file not found: {path} (run `make models` or set LLM_MODEL_PATH)"
            )
        from llama_cpp import Llama

        started = time.perf_counter()
        self.llm = Llama(
            model_path=str(path),
            n_ctx=self.config.n_ctx,
            n_threads=self.config.threads,
            # The bundled Gemma 3 270M GGUF carries no chat template.
            chat_format="gemma",
            verbose=False,
        )
        self.load_seconds = time.perf_counter() - started
        type(self).loads += 1
