"""The llama.cpp grammar that constrains the record's generation.

llama-cpp-python turns the JSON schema into GBNF with `char ::= [^"\\\\] | "\\\\" (...)`: any
character but a quote or backslash, raw control characters included. A model can then write a
real newline or tab inside a string, which strict JSON (`json.loads`) rejects ("Invalid
control character"): a "constrained" generation that still fails to parse (seen: a benign
visit's draft failed twice with invalid_json). We replace that rule with one that also excludes
U+0000-U+001F; escaped forms ("\\n") stay allowed, as JSON allows them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from inference.triage.schema import Bounds, grammar_schema

LIBRARY_CHAR_RULE = 'char ::= [^"\\\\] | "\\\\" '
STRICT_CHAR_RULE = 'char ::= [^"\\\\\\x00-\\x1F] | "\\\\" '


class GrammarError(RuntimeError):
    """The library's grammar text changed shape: fail loudly rather than constrain wrongly."""


def strict_json_gbnf(schema: dict[str, Any]) -> str:
    """GBNF for `schema` whose strings cannot hold raw control characters."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    text: str = json_schema_to_gbnf(json.dumps(schema))
    lines = text.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith(LIBRARY_CHAR_RULE)]
    if len(found) != 1:
        raise GrammarError(
            "llama-cpp-python's JSON grammar has no single 'char' rule of the expected form; "
            "re-check inference/triage/grammar.py against the installed version"
        )
    i = found[0]
    lines[i] = STRICT_CHAR_RULE + lines[i][len(LIBRARY_CHAR_RULE) :]
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=8)
def grammar_for(bounds: Bounds) -> Any:
    """The llama.cpp grammar for `bounds` (a few ms to build; cached per bounds)."""
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(strict_json_gbnf(grammar_schema(bounds)), verbose=False)
