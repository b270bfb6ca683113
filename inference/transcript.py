"""The transcript every later stage reads: segments on the ORIGINAL recording timeline.

Shared by the ASR (which produces it), the safety rules and the evidence matcher (which quote
it), the LLM prompt, and the Django side (which stores it). Plain dataclasses, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds on the original recording's timeline
    end: float
    probability: float | None = None


@dataclass(frozen=True)
class Segment:
    id: int  # 0-based, unique within the transcript, in time order
    start: float  # seconds on the original timeline of `recording`
    end: float
    text: str
    recording: int = 0  # index of the recording within the visit (re-record, resume)
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    model_id: str
    language: str  # asked for: the patient's preferred language (BCP 47, e.g. "en", "es")
    detected_language: str | None = None
    # False when the model cannot handle `language` (e.g. an English-only model asked for
    # Spanish); `language_warning` then says so in words staff can act on.
    language_supported: bool = True
    language_warning: str = ""
    audio_seconds: float = 0.0  # total length of the recordings
    speech_seconds: float = 0.0  # what was left after trimming silence
    wall_seconds: float = 0.0  # time spent, decode to result
    timings: dict[str, float] = field(default_factory=dict)  # decode, trim, engine, map (s)
    # Things staff should know that did not stop the transcription, in words they can act on
    # (e.g. a recording of several that was empty and left out, a cut-off upload).
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())
