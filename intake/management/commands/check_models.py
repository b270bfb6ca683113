"""`manage.py check_models`: are the model files IT placed usable, and the ones we expect?

Checks, without loading the models for inference (a few seconds, no database):
- each configured file exists;
- the LLM GGUF opens in this llama.cpp build (`Llama(vocab_only=True)`: architecture, file
  type, context length, chat template);
- the vision projector (mmproj) is a CLIP GGUF whose projector type belongs to the LLM's
  architecture family (a Gemma 3 projector cannot drive Gemma 4);
- the whisper.cpp model's header (English-only or multilingual, size);
- sha256 against a SHA256SUMS file next to each model, when one is there.
Exits non-zero with one readable line per problem.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.files import sha256_file

# llama.cpp's llama_ftype values (general.file_type) for the types a clinic may meet.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE",
}  # fmt: skip
PROJECTOR_KEYS = ("clip.projector_type", "clip.vision.projector_type", "clip.audio.projector_type")
SUMS_FILENAME = "SHA256SUMS"


class Problem(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints load diagnostics on fd 2 even with verbose=False."""
    saved = os.dup(2)
    try:
        with Path(os.devnull).open("wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def llm_metadata(path: Path) -> dict[str, str]:
    from llama_cpp import Llama

    try:
        with _quiet_stderr():
            llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise Problem(f"{path}: not a GGUF model this llama.cpp can load ({exc})") from exc
    metadata = dict(llm.metadata)
    llm.close()
    return metadata


_GGUF_SCALARS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
    11: "<q", 12: "<d",
}  # fmt: skip


def _read(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    raw = fh.read(size)
    if len(raw) != size:
        raise Problem("file ends inside its GGUF header")
    return struct.unpack(fmt, raw)[0]


def _gguf_value(fh: BinaryIO, kind: int) -> Any:
    if kind == 8:
        length = _read(fh, "<Q")
        if length > 1 << 20:
            raise Problem("implausible string length in GGUF header")
        return fh.read(length).decode("utf-8", errors="replace")
    if kind == 9:
        item_kind, count = _read(fh, "<I"), _read(fh, "<Q")
        return [_gguf_value(fh, item_kind) for _ in range(count)]
    if kind not in _GGUF_SCALARS:
        raise Problem(f"unknown GGUF value type {kind}")
    return _read(fh, _GGUF_SCALARS[kind])


def gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value header of a GGUF file (used for projectors: llama.cpp's model loader does
    not open CLIP files). Stops before the tensor data."""
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise Problem(f"{path}: not a GGUF file")
        version = _read(fh, "<I")
        if version < 2:
            raise Problem(f"{path}: GGUF version {version} is too old")
        _read(fh, "<Q")  # tensor count
        count = _read(fh, "<Q")
        if count > 100_000:
            raise Problem(f"{path}: implausible GGUF header")
        metadata: dict[str, Any] = {}
        for _ in range(count):
            key = _gguf_value(fh, 8)
            metadata[key] = _gguf_value(fh, _read(fh, "<I"))
    return metadata


def projector_matches(architecture: str, projector: str) -> bool:
    """gemma3 <- gemma3; gemma3n <- gemma3nv/gemma3na; gemma4 <- gemma4v/gemma4a/gemma4uv."""
    return re.fullmatch(re.escape(architecture) + r"(u?[va])?", projector) is not None


def expected_sha256(path: Path) -> str | None:
    sums = path.parent / SUMS_FILENAME
    if not sums.is_file():
        return None
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == path.name:
            return parts[0].lower()
    return None


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Check the configured model files (presence, GGUF/ggml headers, projector, sha256)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--llm", type=Path, help="default: settings.LLM_MODEL_PATH")
        parser.add_argument("--mmproj", type=Path, help="default: settings.LLM_MMPROJ_PATH")
        parser.add_argument("--asr", type=Path, help="default: settings.ASR_MODEL_PATH")
        parser.add_argument(
            "--skip-checksums", action="store_true", help="do not hash the files (large models)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        llm = options["llm"] or Path(settings.LLM_MODEL_PATH)
        mmproj = options["mmproj"] or getattr(settings, "LLM_MMPROJ_PATH", None)
        asr = options["asr"] or Path(settings.ASR_MODEL_PATH)
        self.hash = not options["skip_checksums"]
        problems: list[str] = []
        architecture = self._section("LLM model", llm, self._check_llm, problems)
        if mmproj:
            self._section(
                "Projector", Path(mmproj), lambda p: self._check_mmproj(p, architecture), problems
            )
        else:
            self.stdout.write("Projector: not configured (photos will not be analysed)")
        self._section("ASR model", asr, self._check_asr, problems)
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) with the model files:\n"
                + "\n".join(f"- {p}" for p in problems)
            )
        self.stdout.write(self.style.SUCCESS("All model files OK."))

    def _section(self, label: str, path: Path, check: Any, problems: list[str]) -> str:
        self.stdout.write(f"{label}: {path}")
        if not path.is_file():
            problems.append(f"{label}: file not found: {path}")
            self.stdout.write("  missing")
            return ""
        try:
            result: str = check(path)
            self._checksum(path)
        except Problem as exc:
            problems.append(f"{label}: {exc}")
            self.stdout.write(f"  PROBLEM: {exc}")
            return ""
        return result

    def _checksum(self, path: Path) -> None:
        expected = expected_sha256(path)
        if expected is None:
            self.stdout.write(f"  sha256: no entry in {path.parent / SUMS_FILENAME}")
        elif not self.hash:
            self.stdout.write("  sha256: not checked (--skip-checksums)")
        elif sha256_file(path) != expected:
            raise Problem(f"{path.name}: sha256 does not match {SUMS_FILENAME} (damaged or wrong)")
        else:
            self.stdout.write(f"  sha256: matches {SUMS_FILENAME}")

    def _check_llm(self, path: Path) -> str:
        meta = llm_metadata(path)
        arch = meta.get("general.architecture", "?")
        ftype = meta.get("general.file_type")
        file_type = FILE_TYPES.get(int(ftype), f"type {ftype}") if ftype is not None else "?"
        context = meta.get(f"{arch}.context_length", "?")
        template = "yes" if meta.get("tokenizer.chat_template") else "none (Gemma turn format)"
        self.stdout.write(
            f"  {meta.get('general.name', path.name)}: architecture {arch}, file type "
            f"{file_type}, context length {context}, chat template {template}"
        )
        if not arch.startswith("gemma"):
            raise Problem(f"architecture {arch}: the prompts are written for Gemma models")
        return arch

    def _check_mmproj(self, path: Path, architecture: str) -> str:
        meta = gguf_metadata(path)
        if meta.get("general.architecture") != "clip":
            raise Problem(
                f"not a vision projector (architecture {meta.get('general.architecture')})"
            )
        projectors = [str(meta[k]) for k in PROJECTOR_KEYS if k in meta]
        self.stdout.write(f"  projector type {', '.join(projectors) or '?'}")
        if not projectors:
            raise Problem("no projector type in the file")
        if architecture and not any(projector_matches(architecture, p) for p in projectors):
            raise Problem(
                f"projector {', '.join(projectors)} does not belong to a {architecture} model"
            )
        return projectors[0]

    def _check_asr(self, path: Path) -> str:
        from inference.asr import AsrError, read_ggml_header

        try:
            header = read_ggml_header(path)
        except AsrError as exc:
            raise Problem(str(exc)) from exc
        kind = "multilingual" if header.multilingual else "English-only"
        self.stdout.write(
            f"  whisper {header.size_name} ({kind}, n_vocab {header.n_vocab}), ftype {header.ftype}"
        )
        return header.size_name
