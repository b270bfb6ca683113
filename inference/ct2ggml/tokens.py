"""Vocabulary: CTranslate2 stores GPT-2 byte-level BPE tokens as printable unicode strings."""

from __future__ import annotations

import json
from pathlib import Path

from inference.ct2ggml.errors import ConversionError


def _unicode_to_byte_table() -> dict[str, int]:
    """Inverse of GPT-2's byte->unicode table.

    GPT-2 maps each of the 256 byte values to a printable code point so that BPE merges work on
    text: printable Latin-1 bytes map to themselves, the remaining 68 bytes (controls, space,
    ...) are assigned code points 256, 257, ... in increasing byte order.
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("\N{INVERTED EXCLAMATION MARK}"), ord("\N{NOT SIGN}") + 1),
        *range(ord("\N{REGISTERED SIGN}"), ord("\N{LATIN SMALL LETTER Y WITH DIAERESIS}") + 1),
    ]
    table = {chr(b): b for b in printable}
    extra = 0
    for b in range(256):
        if b not in table.values():
            table[chr(256 + extra)] = b
            extra += 1
    return table


def read_vocabulary(ct2_dir: Path) -> list[str]:
    json_path = ct2_dir / "vocabulary.json"
    txt_path = ct2_dir / "vocabulary.txt"
    if json_path.is_file():
        tokens = json.loads(json_path.read_text(encoding="utf-8"))
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ConversionError(f"{json_path} should be a JSON list of token strings")
        return list(tokens)
    if txt_path.is_file():
        # Split on b"\n" only: str.splitlines() would also split on U+2028, U+0085 and friends,
        # which can legitimately appear inside a token.
        raw = txt_path.read_bytes()
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return [line.removesuffix(b"\r").decode("utf-8") for line in lines]
    raise ConversionError(f"{ct2_dir} has neither vocabulary.json nor vocabulary.txt")


def vocabulary_bytes(tokens: list[str]) -> list[bytes]:
    """Raw byte strings of the BPE tokens, i.e. everything before `<|endoftext|>`.

    whisper.cpp names the special tokens itself ("[_EOT_]", "[_TT_42]", ...) when the file
    has fewer tokens than n_vocab, exactly like its reference converter, which only writes the
    tiktoken ranks. Writing "<|endoftext|>" etc. as text would make them reachable from
    ordinary prompt text through whisper.cpp's greedy tokenizer.
    """
    try:
        n_text = tokens.index("<|endoftext|>")
    except ValueError:
        raise ConversionError(
            "vocabulary has no <|endoftext|> token; not a Whisper vocabulary"
        ) from None
    table = _unicode_to_byte_table()
    out: list[bytes] = []
    for i, token in enumerate(tokens[:n_text]):
        try:
            out.append(bytes(table[ch] for ch in token))
        except KeyError as exc:
            raise ConversionError(
                f"vocabulary token {i} {token!r} is not GPT-2 byte-level BPE (char {exc})"
            ) from None
    return out
