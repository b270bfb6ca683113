"""A seekable copy of a recording for playback in the nurse's browser.

MediaRecorder WebM has no duration and no cues: browsers show no length and cannot seek in
it. The copy is Ogg/Opus with a proper duration (the last page's granule position): Opus
input (WebM/Ogg from Chromium and Android) is remuxed without re-encoding - lossless and
nearly free - and anything else (AAC from iPad Safari, WAV) is encoded to Opus at 32 kbit/s.
`prefer="m4a"` writes AAC in MP4 instead, for browsers without Ogg/Opus (Safari before 18.4);
MP4 needs a seekable `out` (the muxer writes the index at the end and patches sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

import av
import av.container
import av.error

from inference.audio.decode import open_container
from inference.audio.errors import AudioCorrupt, AudioTooLong
from inference.audio.sources import RecordingSource

OPUS_RATE = 48_000
OPUS_BIT_RATE = 32_000
AAC_RATE = 44_100
AAC_BIT_RATE = 64_000

Container = Literal["ogg", "m4a"]
_MIME = {"ogg": "audio/ogg; codecs=opus", "m4a": "audio/mp4; codecs=mp4a.40.2"}


@dataclass(frozen=True)
class PlaybackInfo:
    mime_type: str
    duration_s: float


def opus_available() -> bool:
    try:
        av.codec.Codec("libopus", "w")
    except av.error.FFmpegError:
        return False
    return True


def make_playback_copy(
    source: RecordingSource,
    out: BinaryIO,
    *,
    prefer: Container = "ogg",
    max_seconds: float | None = None,
) -> PlaybackInfo:
    """Write a seekable, duration-carrying copy of `source` to `out`.

    Ogg/Opus unless `prefer="m4a"` or this FFmpeg build has no Opus encoder, then M4A/AAC.
    Raises the same typed errors as decoding (AudioEmpty, AudioCorrupt, UnsupportedAudio), and
    AudioTooLong as soon as the copy passes `max_seconds` (the same cap as transcription: a
    tablet left recording for hours must not keep a worker busy).
    """
    target: Container = "ogg" if prefer == "ogg" and opus_available() else "m4a"
    with open_container(source) as inp:
        stream = inp.streams.audio[0]
        try:
            if target == "ogg" and stream.codec_context.name == "opus":
                seconds = _remux_to_ogg(inp, stream, out, max_seconds)
            else:
                seconds = _encode(inp, stream, out, target, max_seconds)
        except (av.error.FFmpegError, EOFError) as exc:
            raise AudioCorrupt(f"playback copy failed: {exc}") from exc
    return PlaybackInfo(_MIME[target], seconds)


def _check_length(seconds: float, max_seconds: float | None) -> None:
    if max_seconds is not None and seconds > max_seconds:
        raise AudioTooLong(f"longer than {max_seconds:.0f} s", max_seconds=max_seconds)


def _remux_to_ogg(
    inp: av.container.InputContainer,
    stream: av.AudioStream,
    out: BinaryIO,
    max_seconds: float | None,
) -> float:
    """Copy the Opus packets into Ogg; returns the duration covered by the packets."""
    first: float | None = None
    last = 0.0
    with av.open(out, mode="w", format="ogg") as dst:
        dst_stream = dst.add_stream_from_template(stream)
        try:
            for packet in inp.demux(stream):
                if packet.dts is None or packet.pts is None:
                    continue  # the demuxer's final flush packet
                start = float(packet.pts * packet.time_base)
                first = start if first is None else min(first, start)
                length = float((packet.duration or 0) * packet.time_base)
                last = max(last, start + length)
                _check_length(last - first, max_seconds)
                packet.stream = dst_stream
                dst.mux(packet)
        except (av.error.FFmpegError, EOFError):
            pass  # truncated upload: the copy holds what was readable, like decoding
    return 0.0 if first is None else max(0.0, last - first)


def _encode(
    inp: av.container.InputContainer,
    stream: av.AudioStream,
    out: BinaryIO,
    target: Container,
    max_seconds: float | None,
) -> float:
    """Decode and encode to mono Opus (Ogg) or AAC (MP4); returns the encoded duration."""
    codec, rate, bit_rate = ("libopus", OPUS_RATE, OPUS_BIT_RATE)
    if target == "m4a":
        codec, rate, bit_rate = ("aac", AAC_RATE, AAC_BIT_RATE)
    fmt = "ogg" if target == "ogg" else "ipod"  # "ipod" = FFmpeg's .m4a muxer
    resampler = av.AudioResampler(
        format="s16" if target == "ogg" else "fltp", layout="mono", rate=rate
    )
    n_samples = 0
    with av.open(out, mode="w", format=fmt) as dst:
        dst_stream = dst.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(dst_stream, av.AudioStream)  # an audio codec gives an audio stream
        dst_stream.bit_rate = bit_rate
        try:
            for frame in inp.decode(stream):
                for resampled in resampler.resample(frame):
                    n_samples += resampled.samples
                    _mux_all(dst, dst_stream.encode(resampled))
                _check_length(n_samples / rate, max_seconds)
        except (av.error.FFmpegError, EOFError):
            pass  # truncated upload: keep what decoded
        for resampled in resampler.resample(None):
            n_samples += resampled.samples
            _mux_all(dst, dst_stream.encode(resampled))
        _mux_all(dst, dst_stream.encode(None))
    return n_samples / rate


def _mux_all(dst: av.container.OutputContainer, packets: list[av.Packet[Any]]) -> None:
    for packet in packets:
        dst.mux(packet)
