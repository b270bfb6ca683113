"""The triage record schema, its grammar schema, the output parser and the extraction loop,
all without a model (a scripted stub engine stands in for llama.cpp)."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inference.llm_engine import Generation, LlmConfig
from inference.triage import (
    PROMPT_VERSION,
    SCHEMA_VERSION,
    Bounds,
    ExtractionFailed,
    PatientContext,
    PhotoInput,
    TriageDraft,
    TriageRecord,
    build_request,
    extract,
    grammar_schema,
    parse_record,
)
from inference.triage.photos import PhotoError, to_data_uri
from inference.triage.schema import record_template

VALID = json.dumps(record_template())


# --------------------------------------------------------------------------------------------
# Parser / validator
# --------------------------------------------------------------------------------------------


def test_it_accepts_a_valid_record():
    record = parse_record(VALID)
    assert isinstance(record, TriageRecord)
    assert record.esi.level == 4
    assert record.hpi.quality is None
    assert ("hpi.onset", "yesterday at football") in record.quotes()
    assert all(isinstance(q, str) for _, q in record.quotes())


def test_it_fills_defaults_for_keys_a_lenient_decoder_left_out():
    minimal = {
        "chief_complaint": {"normalized": "cough", "quote": "I keep coughing"},
        "esi": {"level": 5, "rationale": "mild"},
    }
    record = parse_record(json.dumps(minimal))
    assert isinstance(record, TriageRecord)
    assert record.symptoms == [] and record.vitals.heart_rate is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("Sure! Here is the record you asked for.", "not_json"),
        ("[1, 2, 3]", "not_json"),
        ('{"chief_complaint": {"normalized": "cough", "quote": "I ke', "truncated"),
        ('{"chief_complaint": } oops {', "invalid_json"),
        (VALID + " trailing words", "invalid_json"),
    ],
)
def test_it_turns_garbage_into_a_typed_failure(raw, code):
    result = parse_record(raw)
    assert isinstance(result, ExtractionFailed)
    assert result.code == code
    assert "triage this visit manually" in result.user_message


def test_it_marks_output_cut_off_at_max_tokens_as_truncated():
    result = parse_record(VALID[:200], finish_reason="length")
    assert isinstance(result, ExtractionFailed) and result.code == "truncated"


def test_it_recognises_a_looping_model():
    looping = '{"chief_complaint": {"normalized": "pain pain' + " pain" * 80
    result = parse_record(looping, finish_reason="length")
    assert isinstance(result, ExtractionFailed) and result.code == "repetitive"
    items = '{"symptoms": [' + '{"name": "x", "quote": "x"}, ' * 30
    result = parse_record(items, finish_reason="length")
    assert isinstance(result, ExtractionFailed) and result.code == "repetitive"


def test_it_keeps_a_bounded_excerpt_of_the_raw_output():
    raw = "x" * 5000
    result = parse_record(raw)
    assert isinstance(result, ExtractionFailed)
    assert len(result.raw_output_excerpt) < 600
    assert result.raw_output_excerpt.startswith("xxx") and "[...]" in result.raw_output_excerpt


def _variant(**changes: Any) -> str:
    data = record_template()
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    "raw",
    [
        _variant(esi__level=7),  # out of range
        _variant(esi__level=0),
        _variant(esi__level="3"),  # wrong type: the grammar only emits integers
        _variant(esi__level=2.5),
        _variant(pain__score=11),
        _variant(hpi__severity={"value": "unbearable", "quote": "x"}),
        _variant(symptoms="fever"),  # a string where a list belongs
        _variant(chief_complaint__quote=["my", "words"]),
        _variant(chief_complaint__made_up="extra key"),  # extra keys
        _variant(surprise={"a": 1}),
        json.dumps({k: v for k, v in record_template().items() if k != "esi"}),  # missing
        _variant(chief_complaint__quote="x" * 500),  # over the hard cap
    ],
)
def test_it_rejects_invalid_fields(raw):
    result = parse_record(raw)
    assert isinstance(result, ExtractionFailed) and result.code == "schema_invalid"
    assert result.detail  # field paths for developers


def test_it_does_not_put_patient_words_in_the_failure_detail():
    result = parse_record(_variant(esi__level="very urgent patient John"))
    assert isinstance(result, ExtractionFailed)
    assert "John" not in result.detail and "esi.level" in result.detail


def test_it_drops_repeated_list_items():
    symptom = {"name": "cough", "quote": "I cough"}
    record = parse_record(_variant(symptoms=[symptom, symptom, symptom]))
    assert isinstance(record, TriageRecord) and len(record.symptoms) == 1


def test_it_accepts_severity_as_a_number_or_a_word():
    for value in (0, 10, "severe"):
        record = parse_record(_variant(hpi__severity={"value": value, "quote": "bad"}))
        assert isinstance(record, TriageRecord)


# --------------------------------------------------------------------------------------------
# Grammar schema
# --------------------------------------------------------------------------------------------


def _nodes(node: Any):
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _nodes(child)
    elif isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def test_it_bounds_every_string_and_array_in_the_grammar_schema():
    bounds = Bounds(max_string=50, max_quote=90, max_rationale=70, max_items=3)
    schema = grammar_schema(bounds)
    nodes = list(_nodes(schema))
    strings = [n for n in nodes if n.get("type") == "string" and "enum" not in n]
    arrays = [n for n in nodes if n.get("type") == "array"]
    assert strings and arrays
    assert all(n["maxLength"] in (50, 90, 70) for n in strings)
    assert all(n["maxItems"] == 3 for n in arrays)
    quotes = [n["properties"]["quote"] for n in nodes if "quote" in n.get("properties", {})]
    assert quotes and all(q["maxLength"] == 90 for q in quotes)
    for obj in (n for n in nodes if "properties" in n):
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])


def test_it_uses_enums_for_esi_and_severity():
    schema = grammar_schema(Bounds())
    assert schema["$defs"]["Esi"]["properties"]["level"]["enum"] == [1, 2, 3, 4, 5]
    assert schema["$defs"]["Pain"]["properties"]["score"]["enum"] == list(range(11))
    assert not any("minimum" in n or "maximum" in n for n in _nodes(schema))


def test_it_builds_a_llama_grammar_from_the_schema():
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    gbnf = json_schema_to_gbnf(json.dumps(grammar_schema(Bounds(max_items=2))))
    assert "root ::=" in gbnf and '"\\"chief_complaint\\""' in gbnf


def test_it_refuses_bounds_beyond_the_stored_schemas_caps():
    with pytest.raises(ValueError, match="max_items"):
        Bounds(max_items=50)
    with pytest.raises(ValueError, match="max_quote"):
        Bounds(max_quote=0)


# --------------------------------------------------------------------------------------------
# Extraction loop with a scripted engine
# --------------------------------------------------------------------------------------------


@dataclass
class StubEngine:
    outputs: list[tuple[str, str]]  # (text, finish_reason) per call
    vision: bool = False
    config: LlmConfig = field(default_factory=lambda: LlmConfig(model_path=Path("stub.gguf")))
    load_seconds: float = 0.5
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return "stub.gguf"

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def generate(
        self, messages, *, grammar=None, max_tokens=None, temperature=None, seed=None, on_token=None
    ):
        self.calls.append(
            {"messages": messages, "grammar": grammar, "temperature": temperature, "seed": seed}
        )
        text, finish = self.outputs.pop(0)
        return Generation(text, finish, 100, 50, 0.25, 1.5)


PATIENT = PatientContext(age_years=34, sex="female")


def test_it_returns_a_draft_with_model_prompt_and_timings():
    engine = StubEngine([(VALID, "stop")])
    draft = extract(engine, "I twisted my ankle", PATIENT)
    assert isinstance(draft, TriageDraft)
    assert (draft.model_id, draft.prompt_version, draft.schema_version) == (
        "stub.gguf",
        PROMPT_VERSION,
        SCHEMA_VERSION,
    )
    assert draft.timings["prompt_tokens"] == 100 and draft.timings["generated_tokens"] == 50
    assert draft.timings["load_s"] == 0.5 and draft.timings["attempts"] == 1
    assert draft.data()["esi"]["level"] == 4
    (call,) = engine.calls
    assert call["grammar"] is not None and call["temperature"] == 0.0


def test_it_retries_once_with_a_repair_note_and_a_new_seed():
    engine = StubEngine([('{"chief', "length"), (VALID, "stop")])
    draft = extract(engine, "I twisted my ankle", PATIENT)
    assert isinstance(draft, TriageDraft) and draft.timings["attempts"] == 2
    first, second = engine.calls
    assert second["seed"] == first["seed"] + 1 and second["temperature"] > 0
    assert "rejected: truncated" in second["messages"][0]["content"]
    assert draft.timings["generated_tokens"] == 100  # both attempts counted


def test_it_gives_up_after_the_retry_with_a_typed_failure():
    engine = StubEngine([("garbage", "stop"), (_variant(esi__level=9), "stop")])
    failed = extract(engine, "I twisted my ankle", PATIENT)
    assert isinstance(failed, ExtractionFailed)
    assert failed.code == "schema_invalid" and failed.attempts == 2
    assert failed.model_id == "stub.gguf" and failed.prompt_version == PROMPT_VERSION
    assert len(engine.calls) == 2


def test_it_reports_a_prompt_over_the_context_as_a_failure():
    class Overflow(StubEngine):
        def generate(self, messages, **kw):
            raise ValueError("Requested tokens (9000) exceed context window of 4096")

    failed = extract(Overflow([]), "words", PATIENT)
    assert isinstance(failed, ExtractionFailed) and failed.code == "prompt_too_long"


def test_it_shortens_a_transcript_that_does_not_fit_the_context():
    engine = StubEngine([(VALID, "stop")])
    engine.config = LlmConfig(model_path=Path("stub.gguf"), n_ctx=2048, max_tokens=256)
    words = "my knee hurts when I walk up the stairs. " * 400
    request = build_request(engine, words, PATIENT)
    assert 2048 - 256 - 200 < engine.count_tokens(request.prompt) <= 2048 - 256
    assert any("too long" in n for n in request.notes)
    assert request.prompt.count("my knee hurts") > 50


def _jpeg(size: tuple[int, int] = (3000, 2000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_it_sends_photos_only_as_downscaled_data_uris():
    engine = StubEngine([(VALID, "stop")], vision=True)
    photos = [PhotoInput(_jpeg(), "rash.jpg"), PhotoInput(_jpeg((400, 300)), "close.jpg")]
    request = build_request(engine, "I have a rash", PATIENT, photos)
    (message,) = request.messages
    parts = message["content"]
    assert parts[0]["type"] == "text"
    urls = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert len(urls) == 2 and all(u.startswith("data:image/jpeg;base64,") for u in urls)
    blob = json.dumps(request.messages)
    assert "http://" not in blob and "https://" not in blob and "file:" not in blob
    big = Image.open(io.BytesIO(base64.b64decode(urls[0].split(",", 1)[1])))
    assert max(big.size) == engine.config.image_max_side
    draft = extract(engine, "I have a rash", PATIENT, photos)
    assert isinstance(draft, TriageDraft) and draft.photos_analysed


def test_it_notes_photos_it_cannot_analyse_without_a_projector():
    engine = StubEngine([(VALID, "stop")], vision=False)
    draft = extract(engine, "I have a rash", PATIENT, [PhotoInput(_jpeg(), "rash.jpg")])
    assert isinstance(draft, TriageDraft)
    assert draft.photos_analysed is False
    assert any("not analysed" in note and "LLM_MMPROJ_PATH" in note for note in draft.notes)
    assert isinstance(engine.calls[0]["messages"][0]["content"], str)  # text only


def test_it_skips_an_unreadable_photo_with_a_note():
    engine = StubEngine([(VALID, "stop")], vision=True)
    request = build_request(
        engine, "rash", PATIENT, [PhotoInput(b"not an image", "x.jpg"), PhotoInput(_jpeg())]
    )
    assert request.photos_included == 1
    assert any("not a readable image" in n for n in request.notes)
    with pytest.raises(PhotoError):
        to_data_uri(PhotoInput(b"\x89PNG broken"))


def test_it_refuses_anything_but_data_uris_for_images():
    from inference.triage.prompt import build_messages

    with pytest.raises(ValueError, match="data:image"):
        build_messages("x", ["https://example.org/rash.jpg"])
    with pytest.raises(ValueError, match="data:image"):
        build_messages("x", ["/etc/passwd"])


def test_it_describes_infant_ages_in_weeks():
    assert "age 5 weeks" in PatientContext(age_years=0.1).describe()
    assert "age 18 months" in PatientContext(age_years=1.5).describe()
    with pytest.raises(ValueError):
        PatientContext(age_years=-1)
