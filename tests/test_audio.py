"""Audio in: decoding uploads (formats, chunks, damage), silence trimming, playback copies.

Speech is synthesised with espeak-ng and encoded with ffmpeg at test time (fixtures only: the
code under test decodes in-process with PyAV). Everything is made once per session.
"""

from __future__ import annotations

import io
import os
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np
import pytest

from inference.audio import (
    SAMPLE_RATE,
    AudioCorrupt,
    AudioEmpty,
    AudioError,
    AudioTooLong,
    ConcatReader,
    NoSpeech,
    TimeMap,
    UnsupportedAudio,
    decode_recording,
    decode_to_16k_mono,
    make_playback_copy,
    trim_silence,
)
from tests.tools import need_tool

SCRIPT = (
    "I have had chest pain since this morning and it spreads to my left arm. "
    "I also feel short of breath and a little dizzy. It started when I was climbing the stairs."
)
SECOND_SCRIPT = (
    "I cut my hand on a kitchen knife about an hour ago. "
    "The cut is deep and it hurts when I move my fingers."
)
N_CHUNKS = 5
ENCODINGS = {
    # MediaRecorder WebM: piped, so ffmpeg cannot go back to write a duration or cues.
    "webm": ["-c:a", "libopus", "-b:a", "32k", "-f", "webm"],
    "ogg": ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
    "m4a": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],  # iPad Safari's audio/mp4
    # What Safari's MediaRecorder really sends: fragmented MP4, streamable in chunks.
    "fmp4": ["-c:a", "aac", "-b:a", "64k", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov"],
}


def _need(tool: str) -> str:
    return need_tool(tool)


@dataclass(frozen=True)
class Clip:
    """One spoken script in every upload format."""

    script: str
    wav: Path
    webm: Path
    ogg: Path
    m4a: Path
    fmp4: Path

    def path(self, fmt: str) -> Path:
        paths = {"wav": self.wav, "webm": self.webm, "ogg": self.ogg, "m4a": self.m4a}
        return {**paths, "fmp4": self.fmp4}[fmt]

    def webm_chunks(self, n: int = N_CHUNKS) -> list[bytes]:
        """The WebM's bytes in n pieces, like MediaRecorder's timeslice uploads."""
        return split_bytes(self.webm.read_bytes(), n)


def split_bytes(data: bytes, n: int) -> list[bytes]:
    step = -(-len(data) // n)
    return [data[i : i + step] for i in range(0, len(data), step)]


def make_clip(out_dir: Path, name: str, script: str) -> Clip:
    espeak, ffmpeg = _need("espeak-ng"), _need("ffmpeg")
    wav = out_dir / f"{name}.wav"
    subprocess.run([espeak, "-w", str(wav), script], check=True, capture_output=True)
    paths = {}
    for fmt, args in ENCODINGS.items():
        paths[fmt] = out_dir / f"{name}.{fmt}"
        # A pipe, not a file, for the streamable formats: exactly what makes MediaRecorder
        # WebM duration-less. Plain MP4 needs a seekable output (index written at the end).
        target = str(paths[fmt]) if fmt == "m4a" else "pipe:1"
        with paths[fmt].open("ab") as out:
            subprocess.run(
                [ffmpeg, "-loglevel", "error", "-y", "-i", str(wav), *args, target],
                check=True,
                stdout=out,
            )
    return Clip(script, wav, paths["webm"], paths["ogg"], paths["m4a"], paths["fmp4"])


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def onset_s(samples: np.ndarray, level: float = 0.01) -> float:
    """Where sound starts in a clip (espeak clips begin with a little silence)."""
    return float(np.argmax(np.abs(samples) > level)) / SAMPLE_RATE


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("speech"), "complaint", SCRIPT)


@pytest.fixture(scope="session")
def second_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("speech2"), "cut", SECOND_SCRIPT)


@pytest.fixture(scope="session")
def speech(clip: Clip) -> np.ndarray:
    return decode_to_16k_mono(clip.wav)


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["wav", "webm", "ogg", "m4a", "fmp4"])
def test_it_decodes_every_upload_format_to_16k_mono(clip, speech, fmt):
    decoded = decode_recording(clip.path(fmt))
    with clip.path(fmt).open("rb") as fh:  # file objects (uploads, media store) work too
        from_fileobj = decode_recording(fh)

    assert decoded.samples.dtype == np.float32
    assert decoded.samples.ndim == 1
    assert abs(decoded.duration_s - speech.size / SAMPLE_RATE) < 0.1
    assert 0.01 < float(np.sqrt(np.mean(decoded.samples**2))) < 1.0
    np.testing.assert_array_equal(decoded.samples, from_fileobj.samples)
    assert not decoded.truncated


def test_it_decodes_mediarecorder_webm_that_has_no_duration(clip, speech):
    with av.open(str(clip.webm)) as container:
        assert container.duration is None  # the fixture really is duration-less

    decoded = decode_recording(clip.webm)

    assert (decoded.container, decoded.codec) == ("matroska", "opus")
    assert abs(decoded.duration_s - speech.size / SAMPLE_RATE) < 0.1


def test_it_joins_upload_chunks_in_order(clip, tmp_path):
    whole = decode_recording(clip.webm).samples
    chunks = clip.webm_chunks()
    paths = []
    for i, chunk in enumerate(chunks):
        paths.append(tmp_path / f"chunk{i}")
        paths[-1].write_bytes(chunk)

    assert len(chunks) == N_CHUNKS
    for source in (chunks, paths, [io.BytesIO(c) for c in chunks]):
        np.testing.assert_array_equal(decode_recording(source).samples, whole)
    with pytest.raises(AudioCorrupt):  # only the first chunk has the header
        decode_recording(chunks[1:] + chunks[:1])


def test_it_decodes_chunks_from_the_encrypted_media_store(clip, tmp_path):
    from intake.mediastore.crypto import Keyring
    from intake.mediastore.store import MediaStore

    store = MediaStore(tmp_path, Keyring("k1", {"k1": os.urandom(32)}), block_size=4096)
    names = [store.save(chunk).name for chunk in clip.webm_chunks()]
    expected = decode_recording(clip.webm).samples

    with store.open_concat(names) as joined:  # already joined by the store
        np.testing.assert_array_equal(decode_recording(joined).samples, expected)
    readers = [store.open(name) for name in names]  # or joined by us
    try:
        np.testing.assert_array_equal(decode_recording(readers).samples, expected)
    finally:
        for reader in readers:
            reader.close()


def test_it_reads_parts_as_one_seekable_stream():
    parts: list[BinaryIO] = [io.BytesIO(b"abc"), io.BytesIO(b""), io.BytesIO(b"defgh")]
    reader = ConcatReader(parts)

    assert reader.read() == b"abcdefgh"
    assert reader.seek(2) == 2
    assert reader.read(3) == b"cde"
    assert reader.seek(-2, io.SEEK_END) == 6
    assert reader.read(10) == b"gh"
    assert reader.read(1) == b""


# --------------------------------------------------------------------------------------------
# Typed errors
# --------------------------------------------------------------------------------------------


def _error_for(source) -> AudioError:
    with pytest.raises(AudioError) as caught:
        decode_recording(source)
    return caught.value


def test_it_reports_an_empty_upload(tmp_path):
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")

    sources: tuple[object, ...] = (empty, b"", [])
    for source in sources:
        error = _error_for(source)
        assert isinstance(error, AudioEmpty)
        assert error.code == "audio_empty"
        assert error.user_message == "The recording is empty - record again."


def test_it_reports_random_bytes_as_damaged():
    error = _error_for(np.random.default_rng(7).bytes(20_000))

    assert isinstance(error, AudioCorrupt)
    assert error.code == "audio_corrupt"
    assert error.user_message == (
        "The recording could not be read (the file is damaged). Record again."
    )


def test_it_reports_a_photo_or_text_renamed_to_webm_as_not_audio(tmp_path):
    png = tmp_path / "photo.webm"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    jpeg = tmp_path / "photo2.webm"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2000))
    text = tmp_path / "notes.webm"
    text.write_text("Patient says chest pain since this morning.\n" * 20)

    for path in (png, jpeg, text):
        error = _error_for(path)
        assert isinstance(error, UnsupportedAudio), path
        assert error.code == "audio_unsupported"
        assert "not a sound recording" in error.user_message


def test_it_keeps_the_valid_part_of_a_truncated_upload_only_if_it_is_a_second_or_more(clip, speech):
    data = clip.webm.read_bytes()

    partial = decode_recording(data[: len(data) // 2])
    assert 1.0 <= partial.duration_s < speech.size / SAMPLE_RATE * 0.7

    for cut in (len(data) // 20, 300):  # ~0.5 s of audio; header only
        assert isinstance(_error_for(data[:cut]), AudioCorrupt)
    m4a = clip.m4a.read_bytes()  # ffmpeg puts the index at the end: nothing to salvage
    assert isinstance(_error_for(m4a[: len(m4a) // 2]), AudioCorrupt)


def test_it_refuses_over_long_audio_from_the_header_without_decoding(tmp_path):
    long_wav = tmp_path / "long.wav"
    long_wav.write_bytes(wav_bytes(np.zeros(20 * 60 * 8000), rate=8000))  # 20 minutes

    started = time.perf_counter()
    with pytest.raises(AudioTooLong) as caught:
        decode_recording(long_wav, max_seconds=15 * 60)

    assert time.perf_counter() - started < 0.5
    assert caught.value.code == "audio_too_long"
    assert "15 minutes" in caught.value.user_message


class _CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.furthest = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data


def test_it_stops_decoding_duration_less_audio_once_it_is_too_long(tmp_path):
    ffmpeg = _need("ffmpeg")
    tone = subprocess.run(
        [ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=240"]
        + ENCODINGS["webm"]
        + ["pipe:1"],
        check=True,
        capture_output=True,
    ).stdout
    reader = _CountingReader(tone)

    with pytest.raises(AudioTooLong):
        decode_recording(reader, max_seconds=30)

    assert reader.furthest < len(tone) * 0.3  # stopped after ~30 of 240 s


# --------------------------------------------------------------------------------------------
# Silence trimming
# --------------------------------------------------------------------------------------------


def _noise(level_dbfs: float, seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * SAMPLE_RATE)) * 10 ** (level_dbfs / 20)).astype(
        np.float32
    )


def test_it_rejects_silence_and_stationary_noise_as_no_speech():
    t = np.arange(8 * SAMPLE_RATE) / SAMPLE_RATE
    hum = (0.05 * np.sin(2 * np.pi * 50 * t) + 0.02 * np.sin(2 * np.pi * 150 * t)).astype(
        np.float32
    )
    cases = [
        ("silent", np.zeros(8 * SAMPLE_RATE, dtype=np.float32)),
        ("silent", _noise(-70, 8)),  # dither of a muted microphone
        ("noise", _noise(-45, 8)),  # quiet room hiss
        ("noise", _noise(-20, 8)),  # loud fan
        ("noise", hum),  # mains hum
    ]
    for reason, samples in cases:
        with pytest.raises(NoSpeech) as caught:
            trim_silence(samples)
        assert caught.value.reason == reason
        assert caught.value.code == "no_speech"
        assert caught.value.user_message == (
            "No sound was recorded - check the microphone and record again."
        )


def test_it_keeps_speech_mixed_with_noise(speech):
    noisy = speech + _noise(-30, speech.size / SAMPLE_RATE)  # ~10 dB below the speech

    trimmed = trim_silence(noisy)

    assert trimmed.speech_seconds > 0.9 * speech.size / SAMPLE_RATE


def test_it_trims_pauses_and_maps_times_back(speech, second_clip):
    second = decode_to_16k_mono(second_clip.wav)
    gap_s = 4.0
    audio = np.concatenate([speech, np.zeros(round(gap_s * SAMPLE_RATE), np.float32), second])
    b_onset = speech.size / SAMPLE_RATE + gap_s + onset_s(second)

    trimmed = trim_silence(audio)

    # The 4 s pause (plus the clips' own trailing/leading silence) shrinks to ~0.3 s.
    removed = audio.size / SAMPLE_RATE - trimmed.speech_seconds
    assert gap_s < removed < gap_s + 1.0
    assert len(trimmed.time_map.kept) == 2
    # B's detected onset, and the trimmed time where its piece starts, map back to B's onset.
    assert any(abs(start - b_onset) < 0.03 for start, _ in trimmed.speech)
    b_piece_start = trimmed.time_map.kept[0][1] - trimmed.time_map.kept[0][0]
    assert abs(trimmed.time_map.to_original(b_piece_start) - b_onset) < 0.15
    np.testing.assert_array_equal(trimmed.samples[:1000], audio[:1000])


def test_it_maps_trimmed_times_piecewise():
    tmap = TimeMap(((1.0, 3.0), (10.0, 11.0)))

    assert tmap.trimmed_duration == 3.0
    assert tmap.to_original(0.5) == 1.5
    assert tmap.to_original(2.0, "start") == 10.0  # a start at the cut belongs after it
    assert tmap.to_original(2.0, "end") == 3.0  # an end at the cut belongs before it
    assert tmap.to_original(2.5) == 10.5
    assert tmap.to_original(9.0) == 11.0  # past the end: clamped
    assert TimeMap.identity(5.0).to_original(4.2) == 4.2
    with pytest.raises(ValueError):
        TimeMap(((2.0, 3.0), (1.0, 4.0)))


# --------------------------------------------------------------------------------------------
# Playback copies
# --------------------------------------------------------------------------------------------


def _check_playable(data: bytes, expected_s: float) -> float:
    with av.open(io.BytesIO(data), mode="r") as container:
        assert container.duration is not None
        duration = container.duration / 1_000_000
        assert abs(duration - expected_s) < 0.1
        middle = duration / 2
        container.seek(round(middle * 1_000_000))
        frame = next(container.decode(audio=0))
        # FFmpeg (like a browser) lands on the last page/packet boundary before the target.
        assert frame.time is not None
        assert 0 < frame.time <= middle + 0.05
        assert middle - frame.time < 1.5
    return duration


@pytest.mark.parametrize("fmt", ["webm", "m4a", "wav"])
def test_it_makes_a_seekable_playback_copy_with_a_duration(clip, speech, fmt):
    source = clip.webm_chunks() if fmt == "webm" else clip.path(fmt)
    out = io.BytesIO()

    info = make_playback_copy(source, out)

    assert info.mime_type == "audio/ogg; codecs=opus"
    expected = speech.size / SAMPLE_RATE
    assert abs(info.duration_s - expected) < 0.1
    _check_playable(out.getvalue(), expected)


def test_it_makes_an_m4a_copy_for_browsers_without_opus(clip, speech):
    out = io.BytesIO()

    info = make_playback_copy(clip.webm_chunks(), out, prefer="m4a")

    assert info.mime_type.startswith("audio/mp4")
    _check_playable(out.getvalue(), speech.size / SAMPLE_RATE)


@pytest.mark.parametrize("fmt", ["webm", "wav"])  # the Opus remux path and the re-encode path
def test_it_stops_a_playback_copy_at_the_length_cap(clip, speech, fmt):
    source = clip.webm_chunks() if fmt == "webm" else clip.path(fmt)
    half = speech.size / SAMPLE_RATE / 2

    with pytest.raises(AudioTooLong) as raised:
        make_playback_copy(source, io.BytesIO(), max_seconds=half)

    assert raised.value.max_seconds == half
    # Under the cap, the same recording is copied whole.
    info = make_playback_copy(source, io.BytesIO(), max_seconds=half * 3)
    assert abs(info.duration_s - 2 * half) < 0.1
