"""Decode uploaded recordings to 16 kHz mono float32 with PyAV (FFmpeg in-process).

What tablet browsers upload: WebM/Opus (Chromium, Android; MediaRecorder files have no
duration and no cues), Ogg/Opus, MP4/M4A with AAC (iPad Safari), and WAV. Never shells out
to ffmpeg and never writes the audio anywhere.

Damage policy: a file that stops decoding part-way (truncated upload, a damaged cluster)
keeps what decoded before the damage when that is at least `MIN_DECODED_SECONDS` (1 s), and
is marked `truncated`; less than that is `AudioCorrupt`. FFmpeg reads most truncated files
to their end without any error, so the 1 s rule also applies to files that decode "cleanly"
to under a second: such an upload is in practice cut off, and a genuine sub-second recording
holds no complaint either - the clerk's action is the same: record again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import av
import av.container
import av.error
import numpy as np
import numpy.typing as npt

from inference.audio.errors import AudioCorrupt, AudioEmpty, AudioError, AudioTooLong
from inference.audio.sniff import HEAD_BYTES, sniff_container
from inference.audio.sources import RecordingSource, open_recording

SAMPLE_RATE = 16_000
MIN_DECODED_SECONDS = 1.0
DEFAULT_MAX_SECONDS = 15 * 60.0
# A few undecodable packets (a damaged block) are skipped; more than this means the stream is
# garbage from there on, and decoding stops as for a truncated file.
MAX_SKIPPED_PACKETS = 10
# Declared durations are estimates (bitrate-based for some formats): only refuse up front
# when the header says clearly more than the limit; decoding enforces the exact limit.
_DECLARED_DURATION_SLACK_S = 1.0

_FFMPEG_ERRORS = (av.error.FFmpegError, EOFError)

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DecodedAudio:
    samples: Samples  # 16 kHz mono float32 in [-1, 1]
    container: str  # PyAV demuxer name, e.g. "matroska", "ogg", "mov", "wav"
    codec: str  # e.g. "opus", "aac", "pcm_s16le"
    truncated: bool = False  # decoding stopped at damage; `samples` is what came before
    skipped_packets: int = 0

    @property
    def duration_s(self) -> float:
        return self.samples.size / SAMPLE_RATE


def decode_recording(
    source: RecordingSource,
    *,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    recording: int | None = None,
) -> DecodedAudio:
    """Decode one recording (a source, or its upload chunks in order) to 16 kHz mono.

    Raises AudioEmpty, AudioCorrupt, UnsupportedAudio or AudioTooLong (as soon as more than
    `max_seconds` have been decoded or the header declares more; None = no limit).
    """
    try:
        with open_container(source) as container:
            return _decode(container, max_seconds)
    except AudioError as exc:
        exc.recording = recording
        raise


def decode_to_16k_mono(source: RecordingSource) -> Samples:
    """Just the samples, without a length limit (tools, benchmarks, tests)."""
    return decode_recording(source, max_seconds=None).samples


@contextmanager
def open_container(source: RecordingSource) -> Iterator[av.container.InputContainer]:
    """Open a recording with the demuxer its signature names; typed errors for bad input."""
    with open_recording(source) as fh:
        fmt = _sniff(fh)
        try:
            container = av.open(fh, mode="r", format=fmt)
        except _FFMPEG_ERRORS as exc:
            raise AudioCorrupt(f"{fmt} container could not be opened: {exc}") from exc
        with container:
            if not container.streams.audio:
                raise AudioEmpty(f"{fmt} file has no audio stream")
            yield container


def _sniff(fh: BinaryIO) -> str:
    start = fh.tell()
    head = fh.read(HEAD_BYTES)
    fh.seek(start)
    if not head:
        raise AudioEmpty("zero bytes")
    return sniff_container(head)


def _decode(container: av.container.InputContainer, max_seconds: float | None) -> DecodedAudio:
    stream = container.streams.audio[0]
    fmt = container.format.name
    codec = stream.codec_context.name
    declared = _declared_seconds(container)
    if max_seconds is not None and declared > max_seconds + _DECLARED_DURATION_SLACK_S:
        raise AudioTooLong(
            f"{fmt} header declares {declared:.0f} s (limit {max_seconds:g} s)",
            max_seconds=max_seconds,
        )
    max_samples = None if max_seconds is None else round(max_seconds * SAMPLE_RATE)
    chunks, truncated, skipped = _decode_stream(container, stream, max_samples, max_seconds)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        if truncated or skipped:
            raise AudioCorrupt(f"no decodable audio in the {fmt}/{codec} file")
        raise AudioEmpty(f"{fmt}/{codec} file holds no audio samples")
    if samples.size < MIN_DECODED_SECONDS * SAMPLE_RATE:
        raise AudioCorrupt(
            f"only {samples.size / SAMPLE_RATE:.2f} s decodable from the {fmt}/{codec} file"
        )
    return DecodedAudio(samples, fmt, codec, truncated=truncated, skipped_packets=skipped)


def _declared_seconds(container: av.container.InputContainer) -> float:
    # container.duration is in AV_TIME_BASE (microseconds); None for MediaRecorder WebM.
    return 0.0 if container.duration is None else container.duration / 1_000_000


def _decode_stream(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    max_samples: int | None,
    max_seconds: float | None,
) -> tuple[list[Samples], bool, int]:
    """(chunks, truncated, skipped packets). Stops at the first demuxer error (truncation)."""
    # "flt" = packed float32; the resampler also down-mixes to mono.
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[Samples] = []
    n_samples = 0
    skipped = 0
    truncated = False
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except (*_FFMPEG_ERRORS, ValueError):
                skipped += 1
                if skipped > MAX_SKIPPED_PACKETS:
                    truncated = True
                    break
                continue
            for frame in frames:
                for out in resampler.resample(frame):
                    chunks.append(_mono(out))
                    n_samples += chunks[-1].size
            if max_samples is not None and n_samples > max_samples:
                assert max_seconds is not None
                raise AudioTooLong(
                    f"more than {max_seconds:g} s of audio; decoding stopped",
                    max_seconds=max_seconds,
                )
    except _FFMPEG_ERRORS:
        truncated = True
    except ValueError:
        # The resampler refuses a frame whose layout/rate changed mid-stream: chunks of
        # different recordings joined together. Keep what came before, like a truncation.
        truncated = True
    chunks.extend(_mono(out) for out in resampler.resample(None))  # flush the delay line
    return chunks, truncated, skipped


def _mono(frame: av.AudioFrame) -> Samples:
    return np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1)
