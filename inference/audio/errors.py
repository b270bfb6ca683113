"""Typed audio errors: a stable `code` for programs and a `user_message` for people.

`user_message` is what the front desk or a nurse sees; it says what to do, not what broke.
`str(error)` is the technical detail for logs (never patient data: only sizes, formats, codecs).
"""

from __future__ import annotations

from typing import ClassVar


class AudioError(Exception):
    """Base class: the recording cannot be turned into speech for the recogniser."""

    code: ClassVar[str] = "audio_error"
    default_message: ClassVar[str] = "The recording could not be used. Record again."

    def __init__(self, detail: str = "", *, recording: int | None = None) -> None:
        super().__init__(detail or self.default_message)
        self.detail = detail
        # Index of the recording within the visit, when known (several recordings per visit).
        self.recording = recording
        self.user_message = self.default_message


class AudioEmpty(AudioError):
    """Zero bytes, no audio stream, or nothing decodable in an otherwise valid file."""

    code = "audio_empty"
    default_message = "The recording is empty - record again."


class AudioCorrupt(AudioError):
    """Undecodable, truncated to under a second, or unrecognisable bytes."""

    code = "audio_corrupt"
    default_message = "The recording could not be read (the file is damaged). Record again."


class NoSpeech(AudioError):
    """Silence, or noise without speech-like energy variation (hiss, hum, fan)."""

    code = "no_speech"
    default_message = "No sound was recorded - check the microphone and record again."

    def __init__(
        self, detail: str = "", *, reason: str = "silent", recording: int | None = None
    ) -> None:
        super().__init__(detail, recording=recording)
        # "silent" (nothing above the floor), "noise" (stationary), "too_short" (a click).
        self.reason = reason


# The same failure seen from the microphone's side; one class so callers catch one thing.
Silent = NoSpeech


class AudioTooLong(AudioError):
    """Longer than the configured maximum; decoding stops as soon as that is known."""

    code = "audio_too_long"
    default_message = "The recording is too long. Record a shorter description."

    def __init__(
        self, detail: str = "", *, max_seconds: float, recording: int | None = None
    ) -> None:
        super().__init__(detail, recording=recording)
        self.max_seconds = max_seconds
        self.user_message = (
            f"The recording is longer than {_minutes(max_seconds)}. "
            "Record a shorter description of the main problem."
        )


class UnsupportedAudio(AudioError):
    """Not a sound recording at all (a photo, a document, a text file)."""

    code = "audio_unsupported"
    default_message = (
        "This file is not a sound recording. Record the patient with the tablet's microphone."
    )


def _minutes(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} seconds"
