"""One call from a visit's recordings (or typed complaint) and photos to everything a nurse
reviews: transcript, safety findings, AI draft (or a typed failure), evidence, timings.

The command line (`manage.py intake_file`) and the evaluation harnesses call `run_intake`. The
Celery workers cannot: they split a visit into two tasks around the database (asr, then llm,
intake.pipeline.runs), so they call the same pieces `run_intake` is made of -
`inference.asr.transcribe`, `transcript_safety`, `typed_transcript` and
`draft_from_transcript` - and nothing else. One documented difference (tested in
tests/test_intake_file.py and tests/test_processing.py): when every recording fails to decode,
`run_intake` drafts from the typed complaint if there is one, while a worker fails the visit
with the recording's error, because in the clinic the patient's spoken account is lost and a
nurse must ask again rather than trust a draft made from the front desk's one-line note (whose
red flags were already screened at submit). Engines are loaded once by the caller
(`Engines.load(config)`) and passed in; two configurations can run side by side.

Order matters for safety: the deterministic rules run on the transcript as soon as it
exists, before and independently of the LLM, so a failed or slow draft never hides a red flag.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from inference.asr import AsrConfig, AsrError, WhisperEngine, transcribe
from inference.audio import AudioError, RecordingSource
from inference.evidence import DEFAULT_THRESHOLD, ItemEvidence, TranscriptIndex, locate_items
from inference.llm_engine import LlmConfig, LlmEngine, LlmError
from inference.safety import SafetyReport, apply_floor, check_record, check_transcript
from inference.safety.net import LAYERS, RedFlagNet
from inference.transcript import Segment, Transcript
from inference.triage import (
    Engine,
    ExtractionFailed,
    PatientContext,
    PhotoInput,
    TriageDraft,
    extract,
)

__all__ = [
    "AsrConfig",
    "DraftOutcome",
    "Engines",
    "IntakeConfig",
    "IntakeError",
    "IntakeResult",
    "LlmConfig",
    "PatientContext",
    "PhotoInput",
    "draft_from_transcript",
    "run_intake",
    "transcript_safety",
    "typed_transcript",
]

TranscribeFn = Callable[..., Transcript]
Source = Literal["transcript", "typed"]


@dataclass(frozen=True)
class IntakeConfig:
    llm: LlmConfig | None  # None: transcript and safety rules only
    asr: AsrConfig | None = None  # None: typed complaints only
    evidence_threshold: float = DEFAULT_THRESHOLD
    max_audio_seconds: float | None = None  # None: the ASR config's limit
    max_tokens: int | None = None  # override llm.max_tokens (CLI --max-tokens, tests)
    name: str = "default"  # labels results when configurations run side by side
    # Red-flag net layers on the patient's words ("rules" needs no model; "semantic" loads
    # the sentence encoder). Empty: word rules only, nothing loaded.
    safety_layers: tuple[str, ...] = LAYERS
    safety_cache_dir: Path | None = None  # the meaning match's exemplar-vector cache


@dataclass
class Engines:
    asr: WhisperEngine | None = None
    llm: Engine | None = None
    safety: RedFlagNet | None = None  # None: the word rules alone
    # The speech function; replaceable so tests and harnesses can feed fixed transcripts.
    transcribe: TranscribeFn = transcribe

    @classmethod
    def load(cls, config: IntakeConfig) -> Engines:
        """Load every engine `config` names, once. Raises ModelMissing & co. on bad setups."""
        asr = WhisperEngine(config.asr) if config.asr is not None else None
        if asr is not None:
            asr.load()
        llm = LlmEngine(config.llm) if config.llm is not None else None
        if llm is not None:
            llm.load()
        safety = (
            RedFlagNet.load(layers=config.safety_layers, cache_dir=config.safety_cache_dir)
            if config.safety_layers
            else None
        )
        return cls(asr=asr, llm=llm, safety=safety)


@dataclass(frozen=True)
class IntakeError:
    stage: str  # "input" | "asr" | "llm"
    code: str
    user_message: str


@dataclass(frozen=True)
class IntakeResult:
    config_name: str
    transcript: Transcript | None
    source: Source | None  # where the transcript came from
    safety_transcript: SafetyReport  # rules on the patient's words (before the LLM)
    safety_record: SafetyReport  # rules on the extracted record's supported items
    draft: TriageDraft | None
    failure: ExtractionFailed | None  # set when the LLM ran and produced no valid record
    evidence: tuple[ItemEvidence, ...]
    timings: dict[str, float]
    errors: tuple[IntakeError, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def safety(self) -> SafetyReport:
        return self.safety_transcript.merged(self.safety_record)

    @property
    def esi_floor(self) -> int | None:
        return self.safety.esi_floor

    @property
    def esi_model(self) -> int | None:
        return self.draft.record.esi.level if self.draft else None

    @property
    def esi_suggested(self) -> int | None:
        """The model's ESI raised to the rules' floor (never lowered)."""
        return apply_floor(self.esi_model, self.esi_floor)

    def as_json(self) -> dict[str, Any]:
        t = self.transcript
        return {
            "config": self.config_name,
            "source": self.source,
            "transcript": None
            if t is None
            else {
                "text": t.text,
                "model_id": t.model_id,
                "language": t.language,
                "detected_language": t.detected_language,
                "language_warning": t.language_warning,
                "audio_seconds": t.audio_seconds,
                "segments": [
                    {"id": s.id, "start": s.start, "end": s.end, "text": s.text} for s in t.segments
                ],
            },
            "safety": {
                "esi_floor": self.esi_floor,
                "transcript": self.safety_transcript.as_json(),
                "record": self.safety_record.as_json(),
            },
            "esi": {
                "model": self.esi_model,
                "rule_floor": self.esi_floor,
                "suggested": self.esi_suggested,
            },
            "draft": None if self.draft is None else _draft_json(self.draft),
            "failure": None if self.failure is None else _failure_json(self.failure),
            "evidence": [e.as_json() for e in self.evidence],
            "timings": self.timings,
            "errors": [vars(e) for e in self.errors],
            "notes": list(self.notes),
        }


def _draft_json(draft: TriageDraft) -> dict[str, Any]:
    return {
        "data": draft.data(),
        "schema_version": draft.schema_version,
        "model_id": draft.model_id,
        "prompt_version": draft.prompt_version,
        "photos_analysed": draft.photos_analysed,
        "notes": list(draft.notes),
        "timings": draft.timings,
    }


def _failure_json(failure: ExtractionFailed) -> dict[str, Any]:
    return {
        "code": failure.code,
        "user_message": failure.user_message,
        "raw_output_excerpt": failure.raw_output_excerpt,
        "detail": failure.detail,
        "attempts": failure.attempts,
        "model_id": failure.model_id,
        "prompt_version": failure.prompt_version,
        "timings": failure.timings,
    }


def typed_transcript(text: str, language: str = "en") -> Transcript:
    """A typed complaint as a one-segment transcript (no times), so rules, evidence and the
    prompt treat it like speech."""
    return Transcript(
        segments=(Segment(id=0, start=0.0, end=0.0, text=text.strip()),),
        model_id="typed",
        language=language,
    )


def transcript_safety(
    transcript: Transcript | TranscriptIndex,
    source: Source,
    patient: PatientContext,
    net: RedFlagNet | None = None,
) -> SafetyReport:
    """The red-flag net on the patient's words; a typed complaint next to a recording is
    checked too (source "typed"), so nothing staff typed is ignored. Without a loaded `net`
    (the web process), the word rules alone: they need no model."""

    def screen(words: Transcript | TranscriptIndex, as_source: str) -> SafetyReport:
        if net is None:
            return check_transcript(words, age_years=patient.age_years, source=as_source)
        return net.screen(words, age_years=patient.age_years, source=as_source)

    report = screen(transcript, source)
    if source == "transcript" and patient.chief_complaint and patient.chief_complaint.strip():
        typed = typed_transcript(patient.chief_complaint, patient.preferred_language)
        report = report.merged(screen(typed, "typed"))
    return report


@dataclass(frozen=True)
class DraftOutcome:
    draft: TriageDraft | None
    failure: ExtractionFailed | None
    evidence: tuple[ItemEvidence, ...]
    safety_record: SafetyReport
    timings: dict[str, float]


def draft_from_transcript(
    llm: Engine,
    transcript: Transcript | TranscriptIndex,
    patient: PatientContext,
    photos: Sequence[PhotoInput] = (),
    *,
    typed: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    max_tokens: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> DraftOutcome:
    """The LLM half of the intake, for callers that already hold a transcript (the `llm`
    worker reads it back from the database): draft, evidence, rules on the record. Never
    raises for bad model output; an engine error becomes a `model_error` failure."""
    index = transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        outcome = extract(
            llm,
            index.text,
            patient,
            photos,
            typed=typed,
            max_tokens=max_tokens,
            on_progress=on_progress,
        )
    except LlmError as exc:
        outcome = ExtractionFailed.of("model_error", detail=str(exc))
    timings["llm_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not isinstance(outcome, TriageDraft):
        timings["evidence_s"] = time.perf_counter() - t0
        return DraftOutcome(None, outcome, (), SafetyReport(), timings)
    evidence = tuple(locate_items(outcome.record.quotes(), index, threshold=threshold))
    safety_record = check_record(
        outcome.record, index, age_years=patient.age_years, threshold=threshold
    )
    timings["evidence_s"] = time.perf_counter() - t0
    return DraftOutcome(outcome, None, evidence, safety_record, timings)


def _get_transcript(
    audio: Sequence[RecordingSource],
    patient: PatientContext,
    config: IntakeConfig,
    engines: Engines,
    errors: list[IntakeError],
) -> tuple[Transcript | None, Source | None]:
    if audio:
        if engines.asr is None:
            errors.append(IntakeError("asr", "asr_not_configured", "No speech model is set up."))
        else:
            try:
                transcript = engines.transcribe(
                    engines.asr,
                    list(audio),
                    language=patient.preferred_language,
                    max_seconds=config.max_audio_seconds,
                )
                return transcript, "transcript"
            except AudioError as exc:
                errors.append(IntakeError("asr", exc.code, exc.user_message))
            except AsrError as exc:
                errors.append(IntakeError("asr", "asr_failed", f"Transcription failed: {exc}"))
    if patient.chief_complaint and patient.chief_complaint.strip():
        return typed_transcript(patient.chief_complaint, patient.preferred_language), "typed"
    if not audio:
        errors.append(
            IntakeError("input", "no_input", "No recording and no typed complaint to triage.")
        )
    return None, None


def run_intake(
    audio: Sequence[RecordingSource],
    photos: Sequence[PhotoInput],
    patient: PatientContext,
    config: IntakeConfig,
    *,
    engines: Engines | None = None,
) -> IntakeResult:
    """Transcribe, check the rules, draft, locate evidence, check the record. Never raises for
    bad input or bad model output: those come back as `errors` / `failure`.

    Without audio (or when every recording fails) the typed chief complaint is the patient's
    words. With both, the draft reads the recording and the typed text is checked by the
    rules too (source "typed"). `engines` defaults to loading `config`'s models now (slow):
    long-running callers load once and pass them in."""
    started = time.perf_counter()
    engines = engines if engines is not None else Engines.load(config)
    errors: list[IntakeError] = []
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    transcript, source = _get_transcript(audio, patient, config, engines, errors)
    timings["asr_s"] = time.perf_counter() - t0
    empty = SafetyReport()
    if transcript is None:
        timings["total_s"] = time.perf_counter() - started
        return IntakeResult(
            config.name, None, None, empty, empty, None, None, (), timings, tuple(errors)
        )

    t0 = time.perf_counter()
    index = TranscriptIndex(transcript)
    safety_transcript = transcript_safety(index, source or "transcript", patient, engines.safety)
    timings["safety_s"] = time.perf_counter() - t0

    draft: TriageDraft | None = None
    failure: ExtractionFailed | None = None
    evidence: tuple[ItemEvidence, ...] = ()
    safety_record = empty
    if engines.llm is not None:
        outcome = draft_from_transcript(
            engines.llm,
            index,
            patient,
            photos,
            typed=source == "typed",
            threshold=config.evidence_threshold,
            max_tokens=config.max_tokens,
        )
        draft, failure = outcome.draft, outcome.failure
        evidence, safety_record = outcome.evidence, outcome.safety_record
        timings.update(outcome.timings)
        if failure is not None:
            errors.append(IntakeError("llm", failure.code, failure.user_message))
    timings["total_s"] = time.perf_counter() - started
    return IntakeResult(
        config_name=config.name,
        transcript=transcript,
        source=source,
        safety_transcript=safety_transcript,
        safety_record=safety_record,
        draft=draft,
        failure=failure,
        evidence=evidence,
        timings=timings,
        errors=tuple(errors),
        notes=tuple(transcript.notes),
    )
