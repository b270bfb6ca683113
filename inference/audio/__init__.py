"""Audio in: decode uploads, join chunks, trim silence, make playback copies. No Django.

- `decode_recording(source, max_seconds=...)`: WebM/Ogg Opus, M4A/AAC, WAV (paths, bytes,
  file objects or ordered upload chunks) -> 16 kHz mono float32 (`DecodedAudio`).
- `trim_silence(samples)`: energy VAD -> kept audio + `TimeMap` back to the recording.
- `make_playback_copy(source, out)`: seekable Ogg/Opus (or M4A) with a duration.
- Typed errors with a `user_message` staff can act on: see `inference.audio.errors`.
"""

from inference.audio.decode import (
    DEFAULT_MAX_SECONDS,
    MIN_DECODED_SECONDS,
    SAMPLE_RATE,
    DecodedAudio,
    decode_recording,
    decode_to_16k_mono,
    open_container,
)
from inference.audio.errors import (
    AudioCorrupt,
    AudioEmpty,
    AudioError,
    AudioTooLong,
    NoSpeech,
    Silent,
    UnsupportedAudio,
)
from inference.audio.playback import PlaybackInfo, make_playback_copy
from inference.audio.sniff import sniff_container
from inference.audio.sources import ChunkSource, ConcatReader, RecordingSource, open_recording
from inference.audio.timemap import TimeMap
from inference.audio.vad import SpeechLevels, Trimmed, VadConfig, trim_silence

__all__ = [
    "DEFAULT_MAX_SECONDS",
    "MIN_DECODED_SECONDS",
    "SAMPLE_RATE",
    "AudioCorrupt",
    "AudioEmpty",
    "AudioError",
    "AudioTooLong",
    "ChunkSource",
    "ConcatReader",
    "DecodedAudio",
    "NoSpeech",
    "PlaybackInfo",
    "RecordingSource",
    "Silent",
    "SpeechLevels",
    "TimeMap",
    "Trimmed",
    "UnsupportedAudio",
    "VadConfig",
    "decode_recording",
    "decode_to_16k_mono",
    "make_playback_copy",
    "open_container",
    "open_recording",
    "sniff_container",
    "trim_silence",
]
