"""Whisper's mel filterbank (librosa.filters.mel with htk=False, norm="slaney").

whisper.cpp reads the filters from the model file instead of computing them, so the converter
has to write exactly the ones Whisper was trained with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
N_FFT = 400


def _hz_to_mel_slaney(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Slaney's Auditory Toolbox scale: linear below 1 kHz (200/3 Hz per mel), log above.
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    mel = hz / f_sp
    log_region = hz >= min_log_hz
    mel[log_region] = min_log_mel + np.log(hz[log_region] / min_log_hz) / logstep
    return mel


def _mel_to_hz_slaney(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    hz = mel * f_sp
    log_region = mel >= min_log_mel
    hz[log_region] = min_log_hz * np.exp(logstep * (mel[log_region] - min_log_mel))
    return hz


def mel_filters(
    n_mels: int, sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT
) -> npt.NDArray[np.float32]:
    """Triangular slaney-normalised mel filters, shape (n_mels, n_fft // 2 + 1), float32."""
    fft_freqs = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    edges_mel = np.linspace(
        _hz_to_mel_slaney(np.array([0.0]))[0],
        _hz_to_mel_slaney(np.array([sample_rate / 2.0]))[0],
        n_mels + 2,
    )
    edges_hz = _mel_to_hz_slaney(edges_mel)
    widths = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_freqs[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    # Slaney normalisation: each triangle has unit area, so energy per channel is ~constant.
    weights *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
    return weights.astype(np.float32)
