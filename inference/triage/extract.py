"""transcript words (+ photos) -> TriageDraft, or ExtractionFailed. One call, one retry.

Decoding is constrained by the record's JSON schema (llama.cpp grammar), greedy by default, so
a given model, prompt and input give the same draft. An invalid output (cut off, looping,
wrong fields) is retried once with a repair note and a little sampling; a second failure is
returned as ExtractionFailed and the visit goes to manual triage with its transcript.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from inference.triage.grammar import grammar_for
from inference.triage.parse import ExtractionFailed, parse_record
from inference.triage.patient import PatientContext
from inference.triage.photos import PhotoError, PhotoInput, to_data_uri
from inference.triage.prompt import PROMPT_VERSION, build_messages, build_prompt, repair_suffix
from inference.triage.schema import SCHEMA_VERSION, TriageRecord

if TYPE_CHECKING:
    from inference.llm_engine import Generation, LlmConfig

# Rough prompt cost of one image for the context budget (Gemma 3's encoder: 256 tokens).
IMAGE_TOKENS = 280
# Room for the chat template's own tokens around the prompt.
TEMPLATE_TOKENS = 16


class Engine(Protocol):
    """What extraction needs from an engine (LlmEngine, or a stub in tests)."""

    config: LlmConfig
    load_seconds: float
    vision: bool

    @property
    def model_id(self) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        grammar: Any = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation: ...


@dataclass(frozen=True)
class TriageDraft:
    record: TriageRecord
    model_id: str
    prompt_version: str = PROMPT_VERSION
    schema_version: str = SCHEMA_VERSION
    photos_analysed: bool = False
    notes: tuple[str, ...] = ()  # for the nurse, e.g. "2 photos not analysed: ..."
    # prompt_tokens, generated_tokens, prompt_s, generate_s, load_s, attempts
    timings: dict[str, float] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """The record as stored in AIDraft.data."""
        return self.record.model_dump(mode="json")


@dataclass(frozen=True)
class Request:
    messages: list[dict[str, Any]]
    prompt: str
    photos_included: int
    notes: tuple[str, ...]


def _photo_uris(
    photos: Sequence[PhotoInput], *, vision: bool, max_side: int, max_photos: int
) -> tuple[list[str], list[str]]:
    notes: list[str] = []
    if not photos:
        return [], notes
    if not vision:
        notes.append(
            f"{len(photos)} photo(s) not analysed: no vision projector is configured "
            "(LLM_MMPROJ_PATH)."
        )
        return [], notes
    if len(photos) > max_photos:
        notes.append(f"Only the first {max_photos} of {len(photos)} photos were analysed.")
    uris: list[str] = []
    for photo in photos[:max_photos]:
        try:
            uris.append(to_data_uri(photo, max_side=max_side))
        except PhotoError as exc:
            notes.append(f"Photo not analysed: {exc.user_message}.")
    return uris, notes


def build_request(
    engine: Engine,
    words: str,
    patient: PatientContext,
    photos: Sequence[PhotoInput] = (),
    *,
    typed: bool = False,
    max_tokens: int | None = None,
) -> Request:
    """The chat request for `words`, shortened to fit the context window when needed."""
    cfg = engine.config
    uris, notes = _photo_uris(
        photos, vision=engine.vision, max_side=cfg.image_max_side, max_photos=cfg.max_photos
    )
    budget = cfg.n_ctx - (max_tokens or cfg.max_tokens) - IMAGE_TOKENS * len(uris) - TEMPLATE_TOKENS
    prompt = build_prompt(words, patient, typed=typed, photo_count=len(uris))
    kept = words
    for _ in range(4):
        over = engine.count_tokens(prompt) - budget
        if over <= 0:
            break
        # Shorten proportionally (with a small margin) and keep the beginning: patients lead
        # with their main complaint. The nurse still has the whole transcript.
        kept_tokens = max(1, engine.count_tokens(kept))
        target = kept_tokens - over - max(8, over // 20)
        keep = int(len(kept) * target / kept_tokens) if target > 0 else 0
        kept = kept[:keep].rsplit(" ", 1)[0] if keep > 0 else ""
        note = "The transcript was too long for the AI model; the draft covers its beginning."
        prompt = build_prompt(kept, patient, typed=typed, photo_count=len(uris), note=note)
        if note not in notes:
            notes.append(note)
    return Request(build_messages(prompt, uris), prompt, len(uris), tuple(notes))


def _add(timings: dict[str, float], generation: Generation) -> None:
    timings["prompt_tokens"] = timings.get("prompt_tokens", 0) + generation.prompt_tokens
    timings["generated_tokens"] = timings.get("generated_tokens", 0) + generation.generated_tokens
    timings["prompt_s"] = timings.get("prompt_s", 0.0) + generation.prompt_seconds
    timings["generate_s"] = timings.get("generate_s", 0.0) + generation.generation_seconds


def _budget_fraction(report: Callable[[float], None], budget: int) -> Callable[[int], None]:
    def on_token(count: int) -> None:
        report(min(1.0, count / budget))

    return on_token


def extract(
    engine: Engine,
    words: str,
    patient: PatientContext,
    photos: Sequence[PhotoInput] = (),
    *,
    typed: bool = False,
    max_tokens: int | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> TriageDraft | ExtractionFailed:
    """Draft a triage record from the patient's words; never raises for bad model output.
    `on_progress`: the fraction of the token budget generated so far (an upper bound on the
    work left: the record usually ends before the budget does)."""
    cfg = engine.config
    started = time.perf_counter()
    request = build_request(engine, words, patient, photos, typed=typed, max_tokens=max_tokens)
    timings: dict[str, float] = {"load_s": engine.load_seconds, "attempts": 0}
    grammar = grammar_for(cfg.bounds)
    messages = request.messages
    result: TriageRecord | ExtractionFailed = ExtractionFailed.of("empty")
    budget = max_tokens or cfg.max_tokens
    on_token = None if on_progress is None else _budget_fraction(on_progress, budget)
    for attempt in (1, 2):
        timings["attempts"] = attempt
        try:
            generation = engine.generate(
                messages,
                grammar=grammar,
                max_tokens=budget,
                temperature=cfg.temperature if attempt == 1 else cfg.retry_temperature,
                seed=cfg.seed + attempt - 1,
                on_token=on_token,
            )
        except (ValueError, RuntimeError) as exc:
            # llama-cpp-python raises ValueError for a prompt longer than the context and
            # RuntimeError when llama.cpp fails to decode; neither is worth a retry.
            code = "prompt_too_long" if "context" in str(exc) or "n_ctx" in str(exc) else ""
            result = ExtractionFailed.of(code or "model_error", detail=type(exc).__name__)
            break
        _add(timings, generation)
        result = parse_record(generation.text, generation.finish_reason)
        if isinstance(result, TriageRecord):
            break
        messages = _with_repair(request.messages, result.code)
    timings["extract_s"] = time.perf_counter() - started
    if isinstance(result, ExtractionFailed):
        return ExtractionFailed(
            code=result.code,
            user_message=result.user_message,
            raw_output_excerpt=result.raw_output_excerpt,
            detail=result.detail,
            attempts=int(timings["attempts"]),
            model_id=engine.model_id,
            prompt_version=PROMPT_VERSION,
            timings=timings,
            notes=request.notes,
        )
    return TriageDraft(
        record=result,
        model_id=engine.model_id,
        photos_analysed=request.photos_included > 0,
        notes=request.notes,
        timings=timings,
    )


def _with_repair(messages: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    problem = code.replace("_", " ")
    first = dict(messages[0])
    content = first["content"]
    if isinstance(content, str):
        first["content"] = content + repair_suffix(problem)
    else:
        parts = [dict(p) for p in content]
        parts[0]["text"] = parts[0]["text"] + repair_suffix(problem)
        first["content"] = parts
    return [first, *messages[1:]]
