"""Exact (erf) GELU in numpy, which has no erf.

BERT uses GELU(x) = x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, not the tanh
approximation (which differs by up to ~1e-3 and would move the embeddings). erf comes from
Abramowitz & Stegun 7.1.26: for a >= 0, erfc(a) ~= t*(a1 + t*(a2 + ... + t*a5)) * exp(-a^2),
t = 1 / (1 + p*a), absolute error <= 1.5e-7, i.e. below float32 resolution of Phi.

With h = erfc(|x| / sqrt 2) / 2, GELU(x) = max(x, 0) - |x| * h for either sign of x: no
branch, no copysign (slow in numpy), one exp, and small negative inputs keep their relative
accuracy. The ~20 elementwise passes run chunk by chunk on small scratch buffers, so the
intermediate values stay in the CPU cache instead of streaming the whole (tokens, 1536) matrix
through memory twenty times (that alone would cost more than the matrix products).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

_P = 0.3275911
# A&S 7.1.26 coefficients a5..a1, pre-halved: the polynomial gives erfc(a)/2 directly.
_HALF_COEFFS = tuple(
    np.float32(c / 2) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)
# t = 1 / (1 + p*|x|/sqrt 2): the 1/sqrt 2 of Phi's argument is folded into p.
_P_SCALED = np.float32(_P / math.sqrt(2.0))
_MINUS_HALF = np.float32(-0.5)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
# 32768 float32 = 128 KiB per buffer: x chunk + 3 scratch buffers stay in L2.
CHUNK = 32768


def _gelu_chunk(x: FloatArray, a: FloatArray, t: FloatArray, h: FloatArray) -> None:
    """x <- GELU(x) for one cache-sized chunk; a, t, h are scratch buffers of x's size."""
    np.abs(x, out=a)
    np.multiply(a, _P_SCALED, out=t)
    t += _ONE
    np.reciprocal(t, out=t)
    np.multiply(t, _HALF_COEFFS[0], out=h)
    for coeff in _HALF_COEFFS[1:]:
        h += coeff
        h *= t
    # t is free again: exp(-x^2 / 2) = exp(-(|x| / sqrt 2)^2)
    np.square(x, out=t)
    t *= _MINUS_HALF
    np.exp(t, out=t)
    h *= t  # h = erfc(|x| / sqrt 2) / 2
    h *= a
    np.maximum(x, _ZERO, out=x)
    x -= h


def gelu_inplace(x: FloatArray) -> None:
    """Apply exact GELU to a float32 array in place."""
    if x.dtype != np.float32:
        raise TypeError(f"gelu_inplace needs float32, got {x.dtype}")
    if not x.flags.c_contiguous:
        raise ValueError("gelu_inplace needs a C-contiguous array")
    flat = x.reshape(-1)
    size = min(CHUNK, flat.size)
    a, t, h = (np.empty(size, dtype=np.float32) for _ in range(3))
    for start in range(0, flat.size, CHUNK):
        chunk = flat[start : start + CHUNK]
        n = chunk.size
        _gelu_chunk(chunk, a[:n], t[:n], h[:n])


def gelu(x: FloatArray) -> FloatArray:
    """Exact GELU on a copy (for tests and one-off use)."""
    out = np.array(x, dtype=np.float32, order="C", copy=True)
    gelu_inplace(out)
    return out
