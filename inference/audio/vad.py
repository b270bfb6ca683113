"""Energy-based voice activity detection: trim silence before recognition.

Whisper invents text in silence ("Thank you.", "you"), and every second it does not have to
listen to is a second saved, so the recogniser only gets the speech: leading and trailing
silence are cut and pauses longer than `max_pause_s` are shortened to `hangover_s +
pre_roll_s` (0.3 s). A `TimeMap` maps times in the trimmed audio back to the recording.

How a frame (20 ms) counts as speech: its level in dBFS must exceed
`max(absolute_floor, loud - relative_db, noise_floor + noise_margin)`, where `loud` is the
recording's loudest 100 ms and `noise_floor` its 10th-percentile frame. So the threshold
follows the recording's own level (a quiet tablet mic still works), but nothing below
-60 dBFS is ever speech, and steady background noise (which varies by about +-1 dB between
frames) stays below its own floor + 3 dB.

Noise-only rejection (`NoSpeech`): speech is modulated - syllables make the frame level swing
by 10-30 dB several times a second - while hiss, hum and fans are stationary (1-2 dB swing
between 20 ms frames). A recording is rejected when no 1 s window has frame levels spreading
(90th - 10th percentile) by at least `min_modulation_db` (6 dB), when its loudest 100 ms is
below `silent_dbfs`, or when less than `min_speech_s` of it passes the threshold (a click).
Measured on espeak speech: clean speech spreads > 20 dB, speech under white noise at equal
RMS (0 dB SNR) still ~7 dB; white noise and mains hum alone spread 0.1-1 dB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from inference.audio.decode import SAMPLE_RATE, Samples
from inference.audio.errors import NoSpeech
from inference.audio.timemap import TimeMap

_MIN_ENERGY = 1e-12  # -120 dBFS: log of digital silence

Run = tuple[int, int]  # [start, end) in frames


@dataclass(frozen=True)
class VadConfig:
    frame_s: float = 0.02
    absolute_floor_dbfs: float = -60.0  # never speech below this
    silent_dbfs: float = -55.0  # loudest 100 ms below this: nothing was recorded
    relative_db: float = 35.0  # speech is within this of the recording's loudest 100 ms
    noise_margin_db: float = 3.0  # ... and this much above its noise floor
    min_modulation_db: float = 6.0  # some window must swing this much (see module doc)
    modulation_window_s: float = 1.0
    fill_gap_s: float = 0.2  # quieter stretches inside words (stops, fricatives) stay speech
    min_run_s: float = 0.1  # shorter bursts are clicks and knocks
    min_speech_s: float = 0.3
    pre_roll_s: float = 0.1  # kept before each onset (soft consonants start below threshold)
    hangover_s: float = 0.2  # kept after each run (decaying word endings)
    max_pause_s: float = 1.0  # longer pauses are shortened to hangover + pre-roll


@dataclass(frozen=True)
class SpeechLevels:
    loud_dbfs: float
    floor_dbfs: float
    threshold_dbfs: float
    modulation_db: float


@dataclass(frozen=True)
class Trimmed:
    samples: Samples  # the kept audio, back to back
    time_map: TimeMap
    speech: tuple[tuple[float, float], ...]  # detected speech runs, original timeline (s)
    levels: SpeechLevels
    original_seconds: float

    @property
    def speech_seconds(self) -> float:
        return self.samples.size / SAMPLE_RATE


def trim_silence(
    samples: Samples, *, config: VadConfig | None = None, recording: int | None = None
) -> Trimmed:
    """Keep the speech of a 16 kHz mono recording; raise NoSpeech when there is none."""
    cfg = config or VadConfig()
    frame = round(cfg.frame_s * SAMPLE_RATE)
    energy = _frame_energy(samples, frame)
    levels = _levels(energy, cfg)
    _reject_non_speech(levels, cfg, recording)
    runs = _speech_runs(_db(energy) > levels.threshold_dbfs, cfg)
    if sum(end - start for start, end in runs) * cfg.frame_s < cfg.min_speech_s:
        raise NoSpeech(
            f"less than {cfg.min_speech_s:g} s above the speech threshold",
            reason="too_short",
            recording=recording,
        )
    pieces = _kept_pieces(runs, frame, samples.size, cfg)
    kept = np.concatenate([samples[a:b] for a, b in pieces]).astype(np.float32, copy=False)
    return Trimmed(
        samples=kept,
        time_map=TimeMap(tuple((a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in pieces)),
        speech=tuple(
            (start * frame / SAMPLE_RATE, min(end * frame, samples.size) / SAMPLE_RATE)
            for start, end in runs
        ),
        levels=levels,
        original_seconds=samples.size / SAMPLE_RATE,
    )


def _frame_energy(samples: Samples, frame: int) -> npt.NDArray[np.float64]:
    """Mean square per frame; the last, partial frame is zero-padded."""
    n_frames = max(1, math.ceil(samples.size / frame))
    padded = np.zeros(n_frames * frame, dtype=np.float64)
    padded[: samples.size] = samples
    energy: npt.NDArray[np.float64] = np.mean(padded.reshape(n_frames, frame) ** 2, axis=1)
    return energy


def _db(energy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 10.0 * np.log10(np.maximum(energy, _MIN_ENERGY))


def _levels(energy: npt.NDArray[np.float64], cfg: VadConfig) -> SpeechLevels:
    db = _db(energy)
    # Loudest 100 ms rather than the loudest frame: one click must not set the reference.
    k = min(energy.size, max(1, round(0.1 / cfg.frame_s)))
    smooth = np.convolve(energy, np.full(k, 1.0 / k), mode="valid")
    loud = float(_db(smooth).max())
    floor = float(np.percentile(db, 10))
    threshold = max(cfg.absolute_floor_dbfs, loud - cfg.relative_db, floor + cfg.noise_margin_db)
    return SpeechLevels(loud, floor, threshold, _modulation_db(db, cfg))


def _modulation_db(db: npt.NDArray[np.float64], cfg: VadConfig) -> float:
    """Largest 90th-10th percentile spread of frame levels over any window (see module doc).

    Levels are clipped at the absolute floor first, so dither and quiet hiss in an otherwise
    digital-silent recording do not look like variation.
    """
    clipped = np.maximum(db, cfg.absolute_floor_dbfs)
    window = max(2, round(cfg.modulation_window_s / cfg.frame_s))
    if clipped.size <= window:
        windows = clipped[None, :]
    else:
        windows = np.lib.stride_tricks.sliding_window_view(clipped, window)[:: window // 2]
    spread = np.percentile(windows, 90, axis=1) - np.percentile(windows, 10, axis=1)
    return float(spread.max())


def _reject_non_speech(levels: SpeechLevels, cfg: VadConfig, recording: int | None) -> None:
    if levels.loud_dbfs < cfg.silent_dbfs:
        raise NoSpeech(
            f"silent: loudest 100 ms at {levels.loud_dbfs:.0f} dBFS",
            reason="silent",
            recording=recording,
        )
    if levels.modulation_db < cfg.min_modulation_db:
        raise NoSpeech(
            f"stationary noise: level swings only {levels.modulation_db:.1f} dB "
            f"(speech needs {cfg.min_modulation_db:g})",
            reason="noise",
            recording=recording,
        )


def _speech_runs(mask: npt.NDArray[np.bool_], cfg: VadConfig) -> list[Run]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1).tolist()
    ends = np.flatnonzero(edges == -1).tolist()
    fill = round(cfg.fill_gap_s / cfg.frame_s)
    merged: list[Run] = []
    for start, end in zip(starts, ends, strict=True):
        if merged and start - merged[-1][1] <= fill:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    min_run = round(cfg.min_run_s / cfg.frame_s)
    return [(start, end) for start, end in merged if end - start >= min_run]


def _kept_pieces(runs: list[Run], frame: int, n_samples: int, cfg: VadConfig) -> list[Run]:
    """Sample ranges to keep: runs plus pre-roll/hangover, joined over pauses <= max_pause."""
    pre = round(cfg.pre_roll_s * SAMPLE_RATE)
    hang = round(cfg.hangover_s * SAMPLE_RATE)
    max_pause = round(cfg.max_pause_s * SAMPLE_RATE)
    pieces: list[Run] = []
    for start_frame, end_frame in runs:
        start, end = start_frame * frame, min(end_frame * frame, n_samples)
        if pieces and start - (pieces[-1][1] - hang) <= max_pause:
            pieces[-1] = (pieces[-1][0], min(end + hang, n_samples))
        else:
            pieces.append((max(0, start - pre), min(end + hang, n_samples)))
    return pieces
