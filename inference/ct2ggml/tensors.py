"""Which CTranslate2 variable becomes which whisper.cpp tensor, and in which on-disk type.

whisper.cpp does not check the per-tensor ftype against what it expects: it reads
`ggml_nbytes` of the tensor it allocated. So every tensor must be written in exactly the type
whisper.cpp allocates (f16 for matrices and conv kernels, f32 for everything else) or the file
is silently misread. `iter_tensors` names that type for every tensor it yields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from inference.ct2ggml.ct2_reader import Array, Ct2Model
from inference.ct2ggml.errors import ConversionError

# On-disk tensor types (ggml_type ids).
TENSOR_F32 = 0
TENSOR_F16 = 1

# CTranslate2's common_spec.Activation.GELU; whisper.cpp hard-codes exact (erf) GELU.
_CT2_ACTIVATION_GELU = 3

_LAYER_RE = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


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


def _float_view(arr: Array, name: str) -> Array:
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


def check_supported_flags(model: Ct2Model) -> None:
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
Tensor = tuple[str, Array, int]


def iter_tensors(model: Ct2Model, hp: WhisperHParams) -> Iterator[Tensor]:
    d = hp.n_audio_state

    def var(ct2: str, shape: tuple[int, ...]) -> Array:
        arr = _float_view(model.get(ct2), ct2)
        if arr.shape != shape:
            raise ConversionError(
                f"CTranslate2 variable {ct2!r}: shape {arr.shape}, expected {shape}"
            )
        return arr

    def linear(prefix: str, ct2: str, rows: int, cols: int) -> Iterator[Tensor]:
        yield f"{prefix}.weight", var(f"{ct2}/weight", (rows, cols)), TENSOR_F16
        yield f"{prefix}.bias", var(f"{ct2}/bias", (rows,)), TENSOR_F32

    def norm(prefix: str, ct2: str) -> Iterator[Tensor]:
        yield f"{prefix}.weight", var(f"{ct2}/gamma", (d,)), TENSOR_F32
        yield f"{prefix}.bias", var(f"{ct2}/beta", (d,)), TENSOR_F32

    def fused(prefix: str, ct2: str, parts: tuple[str, ...]) -> Iterator[Tensor]:
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
            yield f"{prefix}.{part}.weight", weight[rows], TENSOR_F16
            if part != "key":
                yield f"{prefix}.{part}.bias", bias[rows], TENSOR_F32

    def mlp(prefix: str, ct2: str) -> Iterator[Tensor]:
        yield from norm(f"{prefix}.mlp_ln", f"{ct2}/ffn/layer_norm")
        yield from linear(f"{prefix}.mlp.0", f"{ct2}/ffn/linear_0", 4 * d, d)
        yield from linear(f"{prefix}.mlp.2", f"{ct2}/ffn/linear_1", d, 4 * d)

    # ---- encoder ----
    enc_pos = var("encoder/position_encodings/encodings", (hp.n_audio_ctx, d))
    yield "encoder.positional_embedding", enc_pos, TENSOR_F32
    for i, in_ch in ((1, hp.n_mels), (2, d)):
        # CT2 keeps PyTorch's Conv1d layout (out, in, kernel) = ggml ne (kernel, in, out),
        # which is what whisper.cpp's im2col conv expects. Kernels are f16 like matrices.
        yield f"encoder.conv{i}.weight", var(f"encoder/conv{i}/weight", (d, in_ch, 3)), TENSOR_F16
        # whisper.cpp allocates conv biases as 2-D ne (1, d) so they broadcast over time.
        bias = var(f"encoder/conv{i}/bias", (d,)).reshape(d, 1)
        yield f"encoder.conv{i}.bias", bias, TENSOR_F32
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
    yield "decoder.positional_embedding", dec_pos, TENSOR_F32
    emb = var("decoder/embeddings/weight", (hp.n_vocab, d))
    yield "decoder.token_embedding.weight", emb, TENSOR_F16
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
