"""`transcribe()`: a visit's recordings -> the shared `Transcript`.

Per recording: decode (PyAV) -> trim silence (energy VAD) -> whisper.cpp -> map the times
back onto that recording's own timeline. Segments carry the recording's index; their ids run
across the whole visit.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

from inference.asr.engine import EngineResult, RawSegment, WhisperEngine
from inference.asr.hallucinations import is_hallucination, strip_markers
from inference.asr.languages import language_name, language_warning, whisper_code
from inference.audio import (
    AudioCorrupt,
    AudioEmpty,
    AudioError,
    AudioTooLong,
    DecodedAudio,
    NoSpeech,
    RecordingSource,
    Trimmed,
    decode_recording,
    trim_silence,
)
from inference.transcript import Segment, Transcript, Word

Span = tuple[float, float]
# With several recordings, one that is empty, damaged or silent (a false start before a
# re-record) is left out with a note instead of failing the visit. Too long and not-audio
# still fail: those mean the wrong thing was uploaded.
_SKIPPABLE = (AudioEmpty, AudioCorrupt, NoSpeech)


@dataclass
class _Run:
    """What one transcribe() call has accumulated so far."""

    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("decode", "trim", "engine", "map"), 0.0)
    )
    audio_seconds: float = 0.0
    speech_seconds: float = 0.0
    detected: list[str] = field(default_factory=list)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] += time.perf_counter() - started


def transcribe(
    engine: WhisperEngine,
    recordings: Sequence[RecordingSource] | RecordingSource,
    *,
    language: str,
    max_seconds: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe a visit's recordings, in order.

    `recordings`: a list with one entry per recording; an entry is a path, bytes, a file
    object (e.g. `store.open_concat(names)`), or that recording's upload chunks in order (a
    nested list). A single path or file object is one recording. `language`: the patient's
    preferred language (BCP 47). `max_seconds`: all recordings together; default
    `engine.config.max_audio_seconds`. `on_progress`: called with the fraction of the speech
    transcribed so far (0..1) as segments finish. Raises the `inference.audio` errors.

    Every recording is decoded and trimmed before the recogniser runs, so a bad or over-long
    recording fails the visit in a fraction of a second instead of after minutes of work.
    """
    started = time.perf_counter()
    limit = engine.config.max_audio_seconds if max_seconds is None else max_seconds
    warning = language_warning(engine, language)
    run = _Run()
    prepared = _prepare_all(engine, run, _as_recordings(recordings), limit)
    engine_language = _engine_language(engine, language, warning)
    progress = _SpeechProgress([t.speech_seconds for _, t in prepared], on_progress)
    for index, trimmed in prepared:
        with run.timed("engine"):
            result = engine.transcribe_array(
                trimmed.samples, language=engine_language, on_segment=progress.segment_done
            )
        progress.recording_done()
        run.detected.append(result.language)
        with run.timed("map"):
            run.segments.extend(map_segments(result, trimmed, index, first_id=len(run.segments)))
    return Transcript(
        segments=tuple(run.segments),
        model_id=engine.model_id,
        language=language,
        detected_language=run.detected[0] if run.detected else None,
        language_supported=not warning,
        language_warning=warning,
        audio_seconds=run.audio_seconds,
        speech_seconds=run.speech_seconds,
        wall_seconds=time.perf_counter() - started,
        timings=run.timings,
        notes=tuple(run.notes + _language_notes(language, run.detected, warning)),
    )


class _SpeechProgress:
    """Seconds of (trimmed) speech done over all recordings -> a fraction for `on_progress`."""

    def __init__(self, lengths: list[float], report: Callable[[float], None] | None) -> None:
        self.lengths, self.report = lengths, report
        self.total = sum(lengths) or 1.0
        self.done = 0.0  # seconds in the recordings already finished
        self.current = 0

    def segment_done(self, end_seconds: float) -> None:
        if self.report is not None and self.current < len(self.lengths):
            within = min(end_seconds, self.lengths[self.current])
            self.report(min(1.0, (self.done + within) / self.total))

    def recording_done(self) -> None:
        if self.current < len(self.lengths):
            self.done += self.lengths[self.current]
            self.current += 1
        if self.report is not None:
            self.report(min(1.0, self.done / self.total))


def _as_recordings(
    recordings: Sequence[RecordingSource] | RecordingSource,
) -> list[RecordingSource]:
    if isinstance(recordings, str | bytes | bytearray | memoryview | os.PathLike):
        return [recordings]
    if isinstance(recordings, Sequence):
        return [cast(RecordingSource, recording) for recording in recordings]
    return [recordings]  # a file object


def _prepare_all(
    engine: WhisperEngine, run: _Run, items: list[RecordingSource], limit: float | None
) -> list[tuple[int, Trimmed]]:
    """Decode and trim every recording: (index, trimmed audio) for those with speech."""
    prepared: list[tuple[int, Trimmed]] = []
    failures: list[AudioError] = []
    for index, recording in enumerate(items):
        try:
            prepared.append((index, _prepare(engine, run, index, recording, limit)))
        except _SKIPPABLE as exc:
            if len(items) == 1:
                raise
            failures.append(exc)
            run.notes.append(f"Recording {index + 1}: {exc.user_message}")
    if not prepared:
        raise failures[0] if failures else AudioEmpty("the visit has no recordings")
    return prepared


def _prepare(
    engine: WhisperEngine, run: _Run, index: int, recording: RecordingSource, limit: float | None
) -> Trimmed:
    with run.timed("decode"):
        decoded = _decode(recording, index, limit, run.audio_seconds)
    run.audio_seconds += decoded.duration_s
    if decoded.truncated:
        run.notes.append(
            f"Recording {index + 1} is damaged after {decoded.duration_s:.0f} s; "
            "only the part before the damage was transcribed."
        )
    with run.timed("trim"):
        trimmed = trim_silence(decoded.samples, config=engine.config.vad, recording=index)
    run.speech_seconds += trimmed.speech_seconds
    return trimmed


def _decode(
    recording: RecordingSource, index: int, limit: float | None, used: float
) -> DecodedAudio:
    remaining = None if limit is None else max(0.0, limit - used)
    try:
        return decode_recording(recording, max_seconds=remaining, recording=index)
    except AudioTooLong as exc:
        assert limit is not None
        # Re-raised with the visit's limit: staff should read "15 minutes", not what was left.
        raise AudioTooLong(exc.detail, max_seconds=limit, recording=index) from exc


def _engine_language(engine: WhisperEngine, language: str, warning: str) -> str:
    if not engine.multilingual:
        return "en"
    if engine.config.detect_language or warning:
        return "auto"
    return whisper_code(language)


def _language_notes(language: str, detected: list[str], warning: str) -> list[str]:
    """Say so when a multilingual model heard another language than the preferred one."""
    wanted = whisper_code(language)
    heard = sorted({code for code in detected if code != wanted})
    if warning or not heard:
        return []
    names = ", ".join(language_name(code) for code in heard)
    return [f"The recording sounds like {names}, not {language_name(language)}."]


# ---------------------------------------------------------------------------------------------
# Mapping engine times (trimmed audio) to the recording's timeline
# ---------------------------------------------------------------------------------------------


def map_segments(
    result: EngineResult, trimmed: Trimmed, recording: int, *, first_id: int
) -> list[Segment]:
    """The engine's segments on the recording's timeline, hallucinations over silence dropped."""
    out: list[Segment] = []
    for raw in result.segments:
        segment = _map_segment(raw, trimmed, recording, first_id + len(out))
        if segment is not None:
            out.append(segment)
    return out


def _map_segment(raw: RawSegment, trimmed: Trimmed, recording: int, seg_id: int) -> Segment | None:
    tmap, speech = trimmed.time_map, trimmed.speech
    start = tmap.to_original(raw.start, "start")
    end = max(start, tmap.to_original(raw.end, "end"))
    text = strip_markers(raw.text)
    if is_hallucination(text, speech_fraction((start, end), speech)):
        return None
    words = tuple(
        Word(
            w.text,
            *snap_to_speech(
                (tmap.to_original(w.start, "start"), tmap.to_original(w.end, "end")), speech
            ),
            w.probability,
        )
        for w in raw.words
    )
    start, end = snap_to_speech((start, end), speech)
    return Segment(seg_id, start, end, text, recording=recording, words=words)


def snap_to_speech(span: Span, speech: Sequence[Span]) -> Span:
    """Move a start that lies in kept silence forward to the next speech onset, and an end
    in kept silence back to the previous speech end.

    The recogniser hears the silence kept around each piece (pre-roll, hangover, shortened
    pauses) and often puts a word or segment boundary somewhere inside it, while the detected
    onsets are frame-accurate (20 ms).
    """
    start, end = span
    starts = [s for s, _ in speech]
    ends = [e for _, e in speech]
    i = bisect.bisect_right(starts, start)  # runs 0..i-1 start at or before `start`
    in_speech = i > 0 and start < ends[i - 1]
    new_start = start if in_speech or i == len(speech) else starts[i]
    j = bisect.bisect_left(ends, end)  # runs 0..j-1 end before `end`
    in_speech = j < len(speech) and end > starts[j]
    new_end = end if in_speech or j == 0 else ends[j - 1]
    if new_end >= new_start:
        return new_start, new_end
    # The whole span lies in one stretch of kept silence: move it, keeping its length, to the
    # nearer speech edge (a word heard "early" belongs to the next onset, a late one to the
    # end of the speech before it).
    length = end - start
    prev_end = ends[i - 1] if i > 0 else None
    next_start = starts[i] if i < len(speech) else None
    if next_start is not None and (prev_end is None or next_start - end <= start - prev_end):
        return next_start, next_start + length
    if prev_end is not None:
        return prev_end - length, prev_end
    return start, end


def speech_fraction(span: Span, speech: Sequence[Span]) -> float:
    """Share of `span` covered by detected speech (0 for an empty span outside speech)."""
    start, end = span
    overlap = sum(max(0.0, min(end, e) - max(start, s)) for s, e in speech)
    if end <= start:
        return 1.0 if any(s <= start < e for s, e in speech) else 0.0
    return overlap / (end - start)
