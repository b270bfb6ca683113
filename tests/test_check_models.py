"""`manage.py check_models` on the bundled (good) setup and on broken ones made of tmp files.

No database marker: pytest-django would fail any query, so these also show the command
never touches the database."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.management.commands.check_models import gguf_metadata, projector_matches
from tests.tools import missing


def _gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(value: object) -> bytes:
    if isinstance(value, bool):
        return struct.pack("<I?", 7, value)
    if isinstance(value, int):
        return struct.pack("<Ii", 5, value)
    if isinstance(value, str):
        return struct.pack("<I", 8) + _gguf_string(value)
    if isinstance(value, list):
        items = b"".join(_gguf_string(v) for v in value)
        return struct.pack("<IIQ", 9, 8, len(value)) + items
    raise TypeError(value)


def write_gguf(path: Path, metadata: dict[str, object]) -> Path:
    """A GGUF header with metadata and no tensors: enough for the header checks."""
    body = b"".join(_gguf_string(k) + _gguf_value(v) for k, v in metadata.items())
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata)) + body)
    return path


def mmproj(path: Path, projector: str = "gemma3") -> Path:
    return write_gguf(
        path,
        {
            "general.architecture": "clip",
            "clip.projector_type": projector,
            "clip.has_vision_encoder": True,
            "clip.vision.image_size": 896,
            "tokenizer.ggml.tokens": ["a", "b"],
        },
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_models", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("check_models", *args, stdout=out)
    return f"{out.getvalue()}\n{info.value}"


@pytest.fixture
def real_models() -> tuple[Path, Path]:
    llm, asr = Path(settings.LLM_MODEL_PATH), Path(settings.ASR_MODEL_PATH)
    if not (llm.is_file() and asr.is_file()):
        missing("the bundled models", "run `make models`")
    return llm, asr


def test_it_accepts_the_bundled_models_with_their_checksums(real_models):
    llm, asr = real_models
    output = run("--llm", str(llm), "--asr", str(asr))
    assert "architecture gemma3" in output and "file type Q4_K_M" in output
    assert "context length 32768" in output
    assert "whisper tiny.en (English-only, n_vocab 51864)" in output
    assert output.count("sha256: matches SHA256SUMS") == 2
    assert "Projector: not configured" in output
    assert "All model files OK." in output


def test_it_accepts_a_projector_of_the_same_family(real_models, tmp_path):
    llm, asr = real_models
    projector = mmproj(tmp_path / "mmproj-gemma3.gguf", "gemma3")
    output = run("--llm", str(llm), "--asr", str(asr), "--mmproj", str(projector))
    assert "projector type gemma3" in output and "All model files OK." in output


def test_it_refuses_a_projector_for_another_model(real_models, tmp_path):
    llm, asr = real_models
    projector = mmproj(tmp_path / "mmproj-gemma4.gguf", "gemma4v")
    message = fails("--llm", str(llm), "--asr", str(asr), "--mmproj", str(projector))
    assert "projector gemma4v does not belong to a gemma3 model" in message


def test_it_refuses_a_projector_that_is_not_one(real_models, tmp_path):
    llm, asr = real_models
    fake = write_gguf(tmp_path / "mmproj.gguf", {"general.architecture": "llama"})
    message = fails("--llm", str(llm), "--asr", str(asr), "--mmproj", str(fake))
    assert "not a vision projector" in message


def test_it_reports_every_missing_file(tmp_path):
    message = fails(
        "--llm",
        str(tmp_path / "gemma.gguf"),
        "--asr",
        str(tmp_path / "whisper.bin"),
        "--mmproj",
        str(tmp_path / "mmproj.gguf"),
    )
    assert "3 problem(s)" in message
    assert f"file not found: {tmp_path / 'gemma.gguf'}" in message
    assert f"file not found: {tmp_path / 'whisper.bin'}" in message


def test_it_reports_files_that_are_not_models(tmp_path):
    llm = tmp_path / "gemma.gguf"
    llm.write_bytes(b"this is not a model" * 100)
    asr = tmp_path / "whisper.bin"
    asr.write_bytes(b"GGUF" + bytes(200))
    message = fails("--llm", str(llm), "--asr", str(asr))
    assert "LLM model:" in message and "not a GGUF model this llama.cpp can load" in message
    assert "not a whisper.cpp ggml model" in message


def test_it_catches_a_checksum_mismatch(real_models, tmp_path):
    llm, asr = real_models
    (tmp_path / llm.name).symlink_to(llm)
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  {llm.name}\n")
    message = fails("--llm", str(tmp_path / llm.name), "--asr", str(asr))
    assert "sha256 does not match SHA256SUMS" in message
    # IT can skip hashing (a 7 GB model) and still check everything else.
    assert "All model files OK." in run(
        "--llm", str(tmp_path / llm.name), "--asr", str(asr), "--skip-checksums"
    )


@pytest.mark.parametrize(
    ("architecture", "projector", "ok"),
    [
        ("gemma3", "gemma3", True),
        ("gemma3", "gemma3nv", False),
        ("gemma3n", "gemma3nv", True),
        ("gemma4", "gemma4v", True),
        ("gemma4", "gemma4uv", True),
        ("gemma4", "gemma3", False),
        ("gemma3", "gemma4v", False),
    ],
)
def test_it_matches_projectors_to_their_model_family(architecture, projector, ok):
    assert projector_matches(architecture, projector) is ok


def test_it_reads_gguf_headers_without_loading_tensors(tmp_path):
    meta = gguf_metadata(mmproj(tmp_path / "p.gguf", "gemma4v"))
    assert meta["clip.projector_type"] == "gemma4v"
    assert meta["clip.vision.image_size"] == 896 and meta["clip.has_vision_encoder"] is True
    assert meta["tokenizer.ggml.tokens"] == ["a", "b"]
