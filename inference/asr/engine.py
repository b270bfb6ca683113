"""whisper.cpp (via pywhispercpp) loaded once per process from an explicit model file.

pywhispercpp downloads a model when given a model *name* or a path that does not exist,
which must never happen in the clinic, so `load()` refuses anything but an existing ggml file
before pywhispercpp sees it, and audio is always passed as a decoded array (given a non-WAV
path, pywhispercpp would shell out to ffmpeg).
"""

from __future__ import annotations

import os

# whisper.cpp's OpenMP workers spin-wait between parallel regions by default. On a small,
# shared CPU (the clinic box runs Django, the LLM and ASR together) the spinning steals the
# cores the other threads need and throughput collapses: with the second core busy, 2 threads
# took 53.5 s instead of 4.2 s for 38 s of audio; PASSIVE fixed it at a 20-35% cost when the
# machine is idle (docs/PERFORMANCE.md). libgomp reads this once, when it is loaded, i.e.
# when pywhispercpp is first imported: so it is set here, at import, and setdefault lets an
# operator who owns a dedicated box choose ACTIVE.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# On a failed GGML_ASSERT, ggml forks gdb to print a backtrace before aborting. Under a
# process supervisor (stdout/stderr are pipes) that attach hung in our tests instead of the
# worker dying and being restarted; a plain abort is what we want in production.
os.environ.setdefault("GGML_NO_BACKTRACE", "1")

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from inference.asr.config import AsrConfig
from inference.asr.ggml_header import GgmlHeader, model_fingerprint, read_ggml_header
from inference.asr.languages import whisper_code

if TYPE_CHECKING:
    from pywhispercpp.model import Model

_CENTISECONDS = 100.0  # whisper.cpp timestamps are in 10 ms units


@dataclass(frozen=True)
class RawWord:
    text: str
    start: float  # seconds on the timeline of the audio given to the engine
    end: float
    probability: float


@dataclass(frozen=True)
class RawSegment:
    start: float  # seconds on the timeline of the audio given to the engine
    end: float
    text: str
    words: tuple[RawWord, ...] = ()


@dataclass(frozen=True)
class EngineResult:
    segments: tuple[RawSegment, ...]
    language: str  # what whisper.cpp decoded as: detected, or the one it was told


class WhisperEngine:
    """A loaded whisper.cpp context. Thread-safe: calls are serialised.

    A whisper.cpp context holds one decoding state (and pywhispercpp keeps decode parameters
    on the model object); two concurrent calls would corrupt each other, hence the lock.
    """

    def __init__(self, config: AsrConfig) -> None:
        self.config = config
        self._model: Model | None = None
        self._header: GgmlHeader | None = None
        self._model_id: str | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def header(self) -> GgmlHeader:
        if self._header is None:
            self._header = read_ggml_header(self.config.model_path)
        return self._header

    @property
    def multilingual(self) -> bool:
        return self.header.multilingual

    @property
    def model_id(self) -> str:
        """`ggml-tiny.en.bin@28d66f40682b`: file name and the start of its sha256."""
        if self._model_id is None:
            self._model_id = model_fingerprint(self.config.model_path)
        return self._model_id

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            # Header first: refuses a missing file (ModelMissing) or a non-ggml one. When
            # whisper.cpp fails to load a file, pywhispercpp still returns a Model wrapping a
            # NULL context and the first transcribe() crashes the process.
            header = self.header
            model_id = self.model_id
            # Imported here so that importing this module does not load libwhisper/libgomp.
            from pywhispercpp.model import Model

            # str(resolved path): pywhispercpp treats an existing file path as a path.
            model = Model(
                str(self.config.model_path.resolve()),
                params_sampling_strategy=0 if self.config.beam_size == 1 else 1,
                **self._params(header),
            )
            self._model, self._model_id = model, model_id

    def _params(self, header: GgmlHeader) -> dict[str, Any]:
        # dict[str, Any]: pywhispercpp rejects initial_prompt=None, so it is only passed when
        # set, and the typed keyword signature cannot express "maybe absent".
        params: dict[str, Any] = {
            "n_threads": self.config.threads,
            "language": whisper_code(self.config.language) if header.multilingual else "en",
            "print_progress": False,
            "print_realtime": False,
            "print_timestamps": False,
            # Match OpenAI/faster-whisper's default suppression of non-speech tokens
            # (music notes, brackets...): whisper.cpp leaves them enabled by default.
            "suppress_nst": True,
            "token_timestamps": self.config.word_timestamps,
        }
        if self.config.beam_size > 1:
            params["beam_search"] = {"beam_size": self.config.beam_size, "patience": -1.0}
        prompt = self.config.prompt()
        if prompt:
            params["initial_prompt"] = prompt
            # Every 30 s window, not just the first: drug names come up anywhere.
            params["carry_initial_prompt"] = True
        return params

    def transcribe_array(
        self,
        samples: npt.NDArray[np.floating],
        *,
        language: str | None = None,
        on_segment: Callable[[float], None] | None = None,
    ) -> EngineResult:
        """Transcribe 16 kHz mono float samples in [-1, 1].

        `language`: a Whisper code, or "auto" to detect (multilingual models); English-only
        models always decode English. Default: the configured language. `on_segment`: called
        with the end time (seconds into `samples`) of each segment as whisper.cpp finishes it.
        """
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError(f"expected mono 1-D samples, got shape {audio.shape}")
        lang = "en" if not self.multilingual else (language or whisper_code(self.config.language))
        if audio.size == 0:
            return EngineResult((), lang)
        self.load()
        with self._lock:
            assert self._model is not None
            callback = None if on_segment is None else _segment_end_callback(on_segment)
            raw = self._model.transcribe(audio, language=lang, new_segment_callback=callback)
            return self._collect(raw, lang)

    def _collect(self, raw: list[Any], lang: str) -> EngineResult:
        """Segments (and words) from the context; called with the lock held."""
        assert self._model is not None
        pw = _bindings()
        # pywhispercpp's Segment has no tokens: read them from the context it wraps (a
        # private attribute, not in its stubs; pinned pywhispercpp==1.5.1).
        ctx = getattr(self._model, "_ctx")  # noqa: B009
        if lang == "auto":
            lang = str(pw.whisper_lang_str(pw.whisper_full_lang_id(ctx)))
        segments = tuple(
            RawSegment(
                start=seg.t0 / _CENTISECONDS,
                end=seg.t1 / _CENTISECONDS,
                text=seg.text.strip(),
                words=_words(pw, ctx, i) if self.config.word_timestamps else (),
            )
            for i, seg in enumerate(raw)
        )
        return EngineResult(segments, lang)


def _segment_end_callback(on_segment: Callable[[float], None]) -> Callable[[Any], None]:
    def called(segment: Any) -> None:
        on_segment(segment.t1 / _CENTISECONDS)

    return called


def _bindings() -> Any:
    """pywhispercpp's compiled module (no type stubs: Any)."""
    return importlib.import_module("_pywhispercpp")


def _words(pw: Any, ctx: Any, segment: int) -> tuple[RawWord, ...]:
    """Join a segment's text tokens into words (a token starting with a space starts one).

    Token bytes are joined before decoding: one UTF-8 character can span two tokens.
    """
    eot = pw.whisper_token_eot(ctx)
    words: list[RawWord] = []
    pieces: list[bytes] = []
    start = end = 0.0
    probs: list[float] = []
    for j in range(pw.whisper_full_n_tokens(ctx, segment)):
        data = pw.whisper_full_get_token_data(ctx, segment, j)
        if data.id >= eot:  # timestamps, [_BEG_], language and task tokens
            continue
        piece: bytes = pw.whisper_token_to_bytes(ctx, data.id)
        if piece.startswith(b" ") and b"".join(pieces).strip():
            words.append(_word(pieces, start, end, probs))
            pieces, probs = [], []
        if not pieces:
            start = end = data.t0 / _CENTISECONDS
        pieces.append(piece)
        probs.append(float(data.p))
        end = max(end, data.t1 / _CENTISECONDS)
    if b"".join(pieces).strip():
        words.append(_word(pieces, start, end, probs))
    return tuple(words)


def _word(pieces: list[bytes], start: float, end: float, probs: list[float]) -> RawWord:
    text = b"".join(pieces).decode("utf-8", errors="replace").strip()
    return RawWord(text, start, max(start, end), float(np.mean(probs)))
