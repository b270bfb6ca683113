"""`python -m inference.asr MODEL_FILE [LANGUAGE ...]`: check a speech model without loading it.

For IT after placing a production model: prints what the file is (size class, multilingual,
quantisation), the id transcripts will carry, and whether it understands the given languages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inference.asr.errors import AsrError
from inference.asr.ggml_header import model_fingerprint, read_ggml_header
from inference.asr.languages import language_name, supports_language


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.asr", description=__doc__)
    parser.add_argument("model", type=Path, help="whisper.cpp ggml model file")
    parser.add_argument("languages", nargs="*", default=["en"], help="BCP 47 tags, e.g. es")
    args = parser.parse_args(argv)
    try:
        header = read_ggml_header(args.model)
    except AsrError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    kind = "multilingual" if header.multilingual else "English only"
    quant = header.ftype % 1000
    print(f"{model_fingerprint(args.model)}: {header.size_name}, {kind}, ggml ftype {quant}")
    for language in args.languages:
        ok = supports_language(header, language)
        print(f"  {language} ({language_name(language)}): {'yes' if ok else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
