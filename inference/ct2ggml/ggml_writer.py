"""whisper.cpp's legacy `ggml` container: header, mel filters, vocabulary, tensors.

Layout (whisper.cpp `whisper_model_load`)::

    i32 magic 0x67676d6c, 11 * i32 hparams
    i32 n_mel, i32 n_fft_bins, f32 filters[n_mel * n_fft_bins]
    i32 n_tokens, n_tokens * (u32 len, raw token bytes)
    per tensor: i32 n_dims, i32 name_len, i32 ftype (0=f32, 1=f16), i32 ne[n_dims] (reversed
    numpy shape), name bytes, data
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np

from inference.ct2ggml.ct2_reader import Array
from inference.ct2ggml.tensors import TENSOR_F16

GGML_MAGIC = 0x67676D6C
# whisper.cpp hparams.ftype: 1 = "mostly f16" (matrices f16, norms/biases f32).
GGML_FTYPE_MOSTLY_F16 = 1
# ggml_ftype GGML_FTYPE_MOSTLY_Q8_0, plus GGML_QNT_VERSION (2) * GGML_QNT_VERSION_FACTOR
# (1000): whisper.cpp's own `quantize` tool writes the quantisation format version there.
GGML_FTYPE_MOSTLY_Q8_0 = 7 + 2 * 1000
# ggml_type id of a Q8_0 tensor: blocks of 32 weights = one f16 scale + 32 int8.
TENSOR_Q8_0 = 8
_Q8_BLOCK = 32
_Q8_BLOCK_DTYPE = np.dtype([("d", "<f2"), ("qs", "i1", (_Q8_BLOCK,))])


class CountingWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.n = 0

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.n += len(data)

    def i32(self, *values: int) -> None:
        self.write(struct.pack(f"<{len(values)}i", *values))


def write_tensor(out: CountingWriter, name: str, arr: Array, ftype: int) -> None:
    encoded = name.encode("ascii")
    out.i32(arr.ndim, len(encoded), ftype)
    out.i32(*reversed(arr.shape))  # ggml's ne[0] is the fastest-varying (last numpy) axis
    out.write(encoded)
    if ftype == TENSOR_Q8_0:
        out.write(quantize_q8_0(arr))
        return
    dtype = "<f2" if ftype == TENSOR_F16 else "<f4"
    out.write(np.ascontiguousarray(arr, dtype=dtype).tobytes())


def quantize_q8_0(arr: Array) -> bytes:
    """ggml's reference Q8_0 (quantize_row_q8_0_ref): per 32 weights, d = max|x| / 127 and
    q = round(x / d), rounding half away from zero like C's roundf.

    Rows must be a multiple of 32 long; every Whisper matrix is (widths are multiples of 64).
    """
    if arr.shape[-1] % _Q8_BLOCK:
        raise ValueError(f"row length {arr.shape[-1]} is not a multiple of {_Q8_BLOCK}")
    x = np.ascontiguousarray(arr, dtype=np.float32).reshape(-1, _Q8_BLOCK)
    d = np.abs(x).max(axis=1, keepdims=True) / np.float32(127)
    inv_d = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d > 0)
    scaled = x * inv_d
    blocks = np.empty(x.shape[0], dtype=_Q8_BLOCK_DTYPE)
    blocks["d"] = d[:, 0]
    blocks["qs"] = np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))
    return blocks.tobytes()
