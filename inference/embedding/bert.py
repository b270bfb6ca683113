"""A pure-numpy BERT encoder forward pass (inference only, float32), as HF `BertModel` computes it.

Why numpy: the red-flag net needs a 6-layer, 384-wide encoder for a few hundred short sentences
per visit. PyTorch (CPU build: ~750 MB installed) is too much for that; float32 numpy matmuls
(OpenBLAS) give the same numbers to ~1e-6 in well under a second.

Layout choices, all for speed:
- weights are stored transposed and contiguous (`x @ w`, no per-call transpose);
- query/key/value are one fused (hidden, 3*hidden) matrix, and the query part is pre-scaled by
  1/sqrt(head_dim) so the attention scores need no extra pass;
- dense layers run on the flattened (batch*tokens, hidden) matrix; padded positions are masked
  out of attention (an additive -1e9 bias, so their softmax weight is exactly 0) and out of the
  mean pooling, so they never influence a real token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file

from inference.embedding.gelu import gelu_inplace
from inference.embedding.model_files import BertConfig, UnsupportedModel

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# exp(-1e9 - max) underflows to exactly 0.0 in float32: padded keys get no attention at all.
_MASKED = np.float32(-1e9)


@dataclass(frozen=True)
class LayerWeights:
    """One transformer layer; matrices are (in_features, out_features), contiguous."""

    qkv_w: FloatArray
    qkv_b: FloatArray
    attn_out_w: FloatArray
    attn_out_b: FloatArray
    attn_norm_w: FloatArray
    attn_norm_b: FloatArray
    ff_in_w: FloatArray
    ff_in_b: FloatArray
    ff_out_w: FloatArray
    ff_out_b: FloatArray
    ff_norm_w: FloatArray
    ff_norm_b: FloatArray


@dataclass(frozen=True)
class BertWeights:
    """Embedding tables and layers. Token type is always 0 (single sentences)."""

    config: BertConfig
    word: FloatArray
    position: FloatArray
    token_type: FloatArray
    emb_norm_w: FloatArray
    emb_norm_b: FloatArray
    layers: tuple[LayerWeights, ...]


class _TensorReader:
    """Named tensors as float32, tolerating the optional `bert.` prefix of some exports."""

    def __init__(self, path: Path) -> None:
        self._tensors = load_file(path)
        has_prefix = "bert.embeddings.word_embeddings.weight" in self._tensors
        self._prefix = "bert." if has_prefix else ""

    def get(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        key = self._prefix + name
        if key not in self._tensors:
            raise UnsupportedModel(f"weights lack tensor {key}")
        tensor = np.asarray(self._tensors[key], dtype=np.float32)
        if tensor.shape != shape:
            raise UnsupportedModel(f"tensor {key} has shape {tensor.shape}, expected {shape}")
        return tensor

    def linear(self, name: str, n_in: int, n_out: int) -> tuple[FloatArray, FloatArray]:
        """A torch Linear (weight is (out, in)) as a contiguous (in, out) matrix and its bias."""
        weight = self.get(f"{name}.weight", (n_out, n_in))
        return np.ascontiguousarray(weight.T), self.get(f"{name}.bias", (n_out,))


def _load_layer(reader: _TensorReader, index: int, config: BertConfig) -> LayerWeights:
    hidden, inner = config.hidden_size, config.intermediate_size
    base = f"encoder.layer.{index}"
    q_w, q_b = reader.linear(f"{base}.attention.self.query", hidden, hidden)
    k_w, k_b = reader.linear(f"{base}.attention.self.key", hidden, hidden)
    v_w, v_b = reader.linear(f"{base}.attention.self.value", hidden, hidden)
    scale = np.float32(1.0 / math.sqrt(config.head_dim))
    out_w, out_b = reader.linear(f"{base}.attention.output.dense", hidden, hidden)
    in_w, in_b = reader.linear(f"{base}.intermediate.dense", hidden, inner)
    ff_w, ff_b = reader.linear(f"{base}.output.dense", inner, hidden)
    return LayerWeights(
        qkv_w=np.ascontiguousarray(np.concatenate([q_w * scale, k_w, v_w], axis=1)),
        qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
        attn_out_w=out_w,
        attn_out_b=out_b,
        attn_norm_w=reader.get(f"{base}.attention.output.LayerNorm.weight", (hidden,)),
        attn_norm_b=reader.get(f"{base}.attention.output.LayerNorm.bias", (hidden,)),
        ff_in_w=in_w,
        ff_in_b=in_b,
        ff_out_w=ff_w,
        ff_out_b=ff_b,
        ff_norm_w=reader.get(f"{base}.output.LayerNorm.weight", (hidden,)),
        ff_norm_b=reader.get(f"{base}.output.LayerNorm.bias", (hidden,)),
    )


def load_weights(path: Path, config: BertConfig) -> BertWeights:
    """Read only the tensors the encoder uses (the pooler head is not part of the embedding)."""
    reader = _TensorReader(path)
    hidden = config.hidden_size
    return BertWeights(
        config=config,
        word=reader.get("embeddings.word_embeddings.weight", (config.vocab_size, hidden)),
        position=reader.get(
            "embeddings.position_embeddings.weight", (config.max_positions, hidden)
        ),
        token_type=reader.get("embeddings.token_type_embeddings.weight", (2, hidden))[0].copy(),
        emb_norm_w=reader.get("embeddings.LayerNorm.weight", (hidden,)),
        emb_norm_b=reader.get("embeddings.LayerNorm.bias", (hidden,)),
        layers=tuple(_load_layer(reader, i, config) for i in range(config.num_layers)),
    )


def layer_norm_inplace(x: FloatArray, weight: FloatArray, bias: FloatArray, eps: float) -> None:
    """LayerNorm over the last axis (biased variance, as torch), overwriting `x`."""
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("...i,...i->...", x, x)[..., None]
    variance /= np.float32(x.shape[-1])
    variance += np.float32(eps)
    np.sqrt(variance, out=variance)
    x /= variance
    x *= weight
    x += bias


def _linear(x: FloatArray, weight: FloatArray, bias: FloatArray) -> FloatArray:
    """x @ weight + bias, adding the bias in place (no second (tokens, out) temporary)."""
    out: FloatArray = np.matmul(x, weight)
    out += bias
    return out


def _embed(weights: BertWeights, ids: IntArray) -> FloatArray:
    """Word + absolute position + token-type-0 embeddings, then LayerNorm.

    Returns (batch, tokens, hidden).
    """
    x: FloatArray = weights.word[ids]
    x += weights.position[: ids.shape[1]]
    x += weights.token_type
    config = weights.config
    layer_norm_inplace(x, weights.emb_norm_w, weights.emb_norm_b, config.layer_norm_eps)
    return x


def _softmax_inplace(scores: FloatArray) -> None:
    """Softmax over the last axis; subtracting the row max keeps exp() in range."""
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)


def _attention(
    x: FloatArray, layer: LayerWeights, mask_bias: FloatArray, config: BertConfig
) -> FloatArray:
    """Multi-head self-attention on (batch*tokens, hidden); returns the output projection."""
    batch, tokens = mask_bias.shape[0], mask_bias.shape[-1]
    heads, head_dim = config.num_heads, config.head_dim
    qkv = _linear(x, layer.qkv_w, layer.qkv_b)
    # (batch, tokens, 3, heads, head_dim) -> (3, batch, heads, tokens, head_dim)
    q, k, v = qkv.reshape(batch, tokens, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
    scores: FloatArray = q @ k.transpose(0, 1, 3, 2)
    scores += mask_bias
    _softmax_inplace(scores)
    context: FloatArray = scores @ v
    merged = context.transpose(0, 2, 1, 3).reshape(batch * tokens, config.hidden_size)
    return _linear(merged, layer.attn_out_w, layer.attn_out_b)


def _layer(
    x: FloatArray, layer: LayerWeights, mask_bias: FloatArray, config: BertConfig
) -> FloatArray:
    """One post-LayerNorm transformer layer on (batch*tokens, hidden); returns the new states."""
    eps = config.layer_norm_eps
    attended = _attention(x, layer, mask_bias, config)
    attended += x
    layer_norm_inplace(attended, layer.attn_norm_w, layer.attn_norm_b, eps)
    inner = _linear(attended, layer.ff_in_w, layer.ff_in_b)
    gelu_inplace(inner)
    out = _linear(inner, layer.ff_out_w, layer.ff_out_b)
    out += attended
    layer_norm_inplace(out, layer.ff_norm_w, layer.ff_norm_b, eps)
    return out


def encode_tokens(weights: BertWeights, ids: IntArray, mask: IntArray) -> FloatArray:
    """Last hidden states (batch, tokens, hidden) for padded `ids` with 1/0 attention `mask`."""
    if ids.shape != mask.shape or ids.ndim != 2:
        raise ValueError(f"ids {ids.shape} and mask {mask.shape} must be equal 2-D shapes")
    config = weights.config
    if ids.shape[1] > config.max_positions:
        raise ValueError(f"{ids.shape[1]} tokens exceed the {config.max_positions} positions")
    batch, tokens = ids.shape
    mask_bias = np.where(mask == 0, _MASKED, np.float32(0.0)).astype(np.float32)
    mask_bias = mask_bias.reshape(batch, 1, 1, tokens)
    x = _embed(weights, ids).reshape(batch * tokens, config.hidden_size)
    for layer in weights.layers:
        x = _layer(x, layer, mask_bias, config)
    return x.reshape(batch, tokens, config.hidden_size)


def mean_pool_normalise(hidden: FloatArray, mask: IntArray) -> FloatArray:
    """Masked mean over tokens, then L2 normalisation (sentence-transformers' Pooling+Normalize).

    The clamps match theirs (1e-9 token count, 1e-12 norm), so degenerate rows stay finite.
    """
    weights = mask.astype(np.float32)
    summed: FloatArray = np.einsum("btd,bt->bd", hidden, weights)
    counts = np.maximum(weights.sum(axis=1, keepdims=True), np.float32(1e-9))
    pooled = summed / counts
    norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
    result: FloatArray = (pooled / norms).astype(np.float32, copy=False)
    return result
