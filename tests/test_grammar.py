"""The record's grammar keeps raw control characters out of JSON strings.

llama-cpp-python's JSON-schema grammar allows any character but a quote or backslash inside
a string, so a constrained generation can still hold a raw newline, which strict JSON rejects.
The grammar we build excludes U+0000-U+001F. Shown on the grammar text and on a real
generation pushed towards newlines."""

from __future__ import annotations

import json

import pytest
from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

from inference.triage.grammar import STRICT_CHAR_RULE, GrammarError, strict_json_gbnf
from inference.triage.schema import Bounds, grammar_schema
from tests.fixtures_models import llm_engine  # noqa: F401

NOTE = {
    "type": "object",
    "properties": {"note": {"type": "string", "maxLength": 24}},
    "required": ["note"],
}


def test_it_excludes_control_characters_from_strings_in_the_grammar_text():
    library = json_schema_to_gbnf(json.dumps(grammar_schema(Bounds())))
    ours = strict_json_gbnf(grammar_schema(Bounds()))
    (library_char,) = [line for line in library.splitlines() if line.startswith("char ::=")]
    (our_char,) = [line for line in ours.splitlines() if line.startswith("char ::=")]
    assert "\\x00-\\x1F" not in library_char  # the library's rule lets a newline through
    assert our_char.startswith(STRICT_CHAR_RULE) and "\\x00-\\x1F" in our_char
    # Only that rule changed; escapes such as \\n stay allowed, as JSON allows them.
    assert [line for line in ours.splitlines() if not line.startswith("char ::=")] == [
        line for line in library.splitlines() if not line.startswith("char ::=")
    ]
    assert our_char.endswith(library_char.split('"\\\\" ', 1)[1])


def test_it_fails_loudly_when_the_library_grammar_changes_shape(monkeypatch):
    import llama_cpp.llama_grammar as grammar

    monkeypatch.setattr(grammar, "json_schema_to_gbnf", lambda schema: "root ::= object\n")
    with pytest.raises(GrammarError, match="char"):
        strict_json_gbnf(NOTE)


@pytest.mark.slow
def test_it_keeps_a_generation_pushed_towards_newlines_valid_json(llm_engine):  # noqa: F811
    llm = llm_engine.llm
    (newline,) = llm.tokenize(b"\n", add_bos=False, special=False)

    def generate(gbnf: str) -> str:
        out = llm.create_completion(
            "Write a short JSON note:\n",
            max_tokens=40,
            temperature=0.0,
            grammar=LlamaGrammar.from_string(gbnf, verbose=False),
            logit_bias={newline: 50.0},  # the model would love a newline here
        )
        return str(out["choices"][0]["text"])

    library = generate(json_schema_to_gbnf(json.dumps(NOTE)))
    with pytest.raises(json.JSONDecodeError, match="control character"):
        json.loads(library)  # the bug: "constrained" output that is not valid JSON
    ours = generate(strict_json_gbnf(NOTE))
    assert set(json.loads(ours)) == {"note"}
    assert "\n" not in json.loads(ours)["note"]
