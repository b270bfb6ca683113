"""Speech-to-text with whisper.cpp (via pywhispercpp) and audio decoding with PyAV.

Deliberately small: one engine object per process that loads a ggml model from an explicit
file path. pywhispercpp downloads a model when given a model *name* or a path that does not
exist, which must never happen in the clinic, so `load()` refuses anything but an existing
file before pywhispercpp sees it.
"""

from __future__ import annotations

import os

# whisper.cpp's OpenMP workers spin-wait between parallel regions by default. On a small,
# shared CPU (the clinic box runs Django, the LLM and ASR together) that spinning steals the
# cores the other threads need and throughput collapses. Must be set before libgomp loads,
# i.e. before pywhispercpp is imported; setdefault lets an operator override it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# On a failed GGML_ASSERT, ggml forks gdb to print a backtrace before aborting. Under a
# process supervisor (stdout/stderr are pipes) that attach hung in our tests instead of the
# worker dying and being restarted; a plain abort is what we want in production.
os.environ.setdefault("GGML_NO_BACKTRACE", "1")

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import av
import av.error
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pywhispercpp.model import Model

SAMPLE_RATE = 16_000
GGML_MAGIC = (0x67676D6C).to_bytes(4, "little")  # b"lmgg": whisper.cpp's legacy container


class AsrError(RuntimeError):
    pass


class ModelMissing(AsrError):
    """The configured ggml model file does not exist (we never fall back to downloading)."""


class AudioDecodeError(AsrError):
    """The uploaded audio could not be decoded."""


@dataclass(frozen=True)
class AsrConfig:
    model_path: Path
    language: str = "en"
    threads: int = 2
    initial_prompt: str | None = None


@dataclass(frozen=True)
class Segment:
    index: int
    start_s: float
    end_s: float
    text: str


class WhisperEngine:
    """A loaded whisper.cpp context. Thread-safe: calls are serialised.

    A whisper.cpp context holds one decoding state; two concurrent `whisper_full` calls on it
    would corrupt each other, hence the lock.
    """

    def __init__(self, config: AsrConfig) -> None:
        self.config = config
        self._model: Model | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            path = Path(self.config.model_path)
            if not path.is_file():
                raise ModelMissing(
                    f"whisper model {path} does not exist; run `manage.py prepare_models` "
                    "(models are never downloaded at run time)"
                )
            # Imported here so that importing this module (e.g. for decode_to_16k_mono) does
            # not load libwhisper/libgomp.
            from pywhispercpp.model import Model

            # dict[str, Any]: pywhispercpp rejects initial_prompt=None, so it is only passed when
            # set, and the typed keyword signature cannot express "maybe absent".
            params: dict[str, Any] = {
                "n_threads": self.config.threads,
                "language": self.config.language,
                "print_progress": False,
                "print_realtime": False,
                "print_timestamps": False,
                # Match OpenAI/faster-whisper's default suppression of non-speech tokens
                # (music notes, brackets...): whisper.cpp leaves them enabled by default.
                "suppress_nst": True,
            }
            if self.config.initial_prompt:
                params["initial_prompt"] = self.config.initial_prompt
            _check_ggml_magic(path)
            # str(resolved path): pywhispercpp treats an existing file path as a path.
            self._model = Model(str(path.resolve()), **params)

    def transcribe_array(self, samples: npt.NDArray[np.floating]) -> list[Segment]:
        """Transcribe 16 kHz mono float samples in [-1, 1]."""
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError(f"expected mono 1-D samples, got shape {audio.shape}")
        if audio.size == 0:
            return []
        self.load()
        with self._lock:
            assert self._model is not None
            raw = self._model.transcribe(audio)
        # whisper.cpp timestamps are in centiseconds.
        return [
            Segment(index=i, start_s=s.t0 / 100.0, end_s=s.t1 / 100.0, text=s.text.strip())
            for i, s in enumerate(raw)
        ]


def _check_ggml_magic(path: Path) -> None:
    """Refuse non-ggml files up front.

    When whisper.cpp fails to load a file, pywhispercpp still returns a Model wrapping a NULL
    context, and the first transcribe() then crashes the process; a clear error is better.
    """
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGML_MAGIC:
        raise AsrError(f"{path} is not a whisper.cpp ggml model (magic {magic!r})")


def decode_to_16k_mono(source: str | Path | BinaryIO) -> npt.NDArray[np.float32]:
    """Decode any audio FFmpeg understands (webm/opus, ogg, m4a, wav...) to 16 kHz mono f32.

    Uses PyAV's bundled FFmpeg libraries in-process: no `ffmpeg` subprocess, no temp files.
    """
    chunks: list[npt.NDArray[np.float32]] = []
    try:
        opened = str(source) if isinstance(source, Path) else source
        with av.open(opened, mode="r") as container:
            if not container.streams.audio:
                raise AudioDecodeError("no audio stream in the uploaded file")
            stream = container.streams.audio[0]
            # "flt" = packed float32; resampling also down-mixes to mono.
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
            for out in resampler.resample(None):  # flush the resampler's delay line
                chunks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
    except av.error.FFmpegError as exc:
        raise AudioDecodeError(f"could not decode audio: {exc}") from exc
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)
