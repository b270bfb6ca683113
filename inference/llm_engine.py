"""The Gemma engine: one llama.cpp model per process, loaded once, plus one typed generate call.

The engine knows nothing about triage: it turns chat messages (+ an optional grammar) into
text and timings. The prompt, schema and parsing live in inference.triage. Never downloads
anything: a missing file is a typed error naming the path, and images reach the library only
as data: URIs (an http URL would make llama-cpp-python fetch it).

Works with the bundled Gemma 3 270M (text only, no chat template in its GGUF) and with the
production Gemma 4 12B / E4B / E2B GGUFs (chat template embedded) plus their mmproj for photos,
by configuration alone.
"""

from __future__ import annotations

import os

# As for whisper.cpp: no gdb backtrace attach on a failed GGML_ASSERT under a supervisor.
os.environ.setdefault("GGML_NO_BACKTRACE", "1")

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference.triage.schema import Bounds


class LlmError(RuntimeError):
    pass


class ModelMissing(LlmError):
    pass


class ModelLoadFailed(LlmError):
    pass


@dataclass(frozen=True)
class LlmConfig:
    model_path: Path
    mmproj_path: Path | None = None  # vision projector; None: photos are not analysed
    threads: int = 2
    n_ctx: int = 4096
    max_tokens: int = 768
    temperature: float = 0.0  # 0: greedy, reproducible
    seed: int = 1234
    # The retry after an invalid output samples a little (greedy would repeat the same output).
    retry_temperature: float = 0.3
    bounds: Bounds = field(default_factory=Bounds)
    # None: the GGUF's own chat template when it has one, else Gemma's turn format (the bundled
    # 270M base model ships without a template; without this llama-cpp-python uses llama-2's).
    chat_format: str | None = None
    image_max_side: int = 896  # Gemma's vision encoder works at 896x896
    max_photos: int = 4

    def __post_init__(self) -> None:
        if self.max_tokens < 16:
            raise ValueError("max_tokens must be at least 16")
        if self.n_ctx < 512:
            raise ValueError("n_ctx must be at least 512")
        if self.threads < 1:
            raise ValueError("threads must be at least 1")


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str  # "stop" (complete) or "length" (hit max_tokens)
    prompt_tokens: int
    generated_tokens: int
    prompt_seconds: float
    generation_seconds: float


def _perf(llm: Any) -> tuple[float, int]:
    """llama.cpp's own prompt-eval counters (ms, tokens); zeros when unavailable (mocks)."""
    try:
        import llama_cpp

        data = llama_cpp.llama_perf_context(llm._ctx.ctx)
        return float(data.t_p_eval_ms), int(data.n_p_eval)
    except Exception:
        return 0.0, 0


class LlmEngine:
    # Counts real model loads in this process (tests assert each worker loaded exactly once).
    loads = 0

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        self.llm: Any = None
        self.load_seconds = 0.0
        self.vision = False
        # A Llama object is not thread-safe; one generation at a time.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.config.model_path.name

    @property
    def loaded(self) -> bool:
        return self.llm is not None

    def load(self) -> None:
        if self.llm is not None:
            return
        path = self.config.model_path
        if not path.is_file():
            raise ModelMissing(
                f"LLM model file not found: {path} (run `make models` or set LLM_MODEL_PATH)"
            )
        mmproj = self.config.mmproj_path
        if mmproj is not None and not mmproj.is_file():
            raise ModelMissing(f"vision projector not found: {mmproj} (check LLM_MMPROJ_PATH)")
        from llama_cpp import Llama

        started = time.perf_counter()
        handler: Any = None
        if mmproj is not None:
            from llama_cpp.llama_chat_format import Gemma4ChatHandler

            handler = Gemma4ChatHandler(clip_model_path=str(mmproj), verbose=False)
        try:
            llm = Llama(
                model_path=str(path),
                n_ctx=self.config.n_ctx,
                n_threads=self.config.threads,
                chat_format=self.config.chat_format,
                chat_handler=handler,
                seed=self.config.seed,
                verbose=False,
            )
        except ValueError as exc:  # llama-cpp-python's way of saying "could not load"
            raise ModelLoadFailed(f"cannot load LLM model {path}: {exc}") from exc
        if (
            self.config.chat_format is None
            and handler is None
            and "tokenizer.chat_template" not in llm.metadata
        ):
            llm.chat_format = "gemma"
        self.llm = llm
        self.vision = handler is not None
        self.load_seconds = time.perf_counter() - started
        type(self).loads += 1

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        grammar: Any = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation:
        """One chat completion; `grammar` is a llama_cpp.LlamaGrammar or None (free text).
        `on_token`: called with the number of tokens generated so far, after each one."""
        self.load()
        with self._lock:
            p_ms0, _ = _perf(self.llm)
            started = time.perf_counter()
            response = self.llm.create_chat_completion(
                messages=messages,
                grammar=grammar,
                max_tokens=max_tokens or self.config.max_tokens,
                temperature=self.config.temperature if temperature is None else temperature,
                seed=self.config.seed if seed is None else seed,
                # Penalties would fight the grammar (JSON repeats quotes and braces by design).
                repeat_penalty=1.0,
                logits_processor=None if on_token is None else _token_counter(on_token),
            )
            wall = time.perf_counter() - started
            p_ms1, _ = _perf(self.llm)
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        # Prompt tokens reused from the KV cache (a retry shares the prompt) are not evaluated
        # again, so the delta of llama.cpp's own counter is the real prompt time.
        prompt_s = max(0.0, (p_ms1 - p_ms0) / 1000.0)
        return Generation(
            text=choice["message"].get("content") or "",
            finish_reason=str(choice.get("finish_reason") or "stop"),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            generated_tokens=int(usage.get("completion_tokens", 0)),
            prompt_seconds=prompt_s,
            generation_seconds=max(0.0, wall - prompt_s),
        )


def _token_counter(on_token: Callable[[int], None]) -> Any:
    """A pass-through logits processor: llama.cpp calls it once per generated token, which is
    the only per-token hook create_chat_completion offers without streaming."""
    from llama_cpp import LogitsProcessorList

    count = 0

    def counted(input_ids: Any, scores: Any) -> Any:
        nonlocal count
        count += 1
        on_token(count)
        return scores

    return LogitsProcessorList([counted])
