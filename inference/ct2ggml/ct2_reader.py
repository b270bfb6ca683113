"""Reader for CTranslate2's `model.bin` (binary versions 4-6, little endian).

Layout::

    u32 binary_version
    str spec_name            # str = u16 length incl. trailing NUL, bytes, NUL
    u32 spec_revision
    u32 n_variables
    n_variables * (str name, u8 rank, u32 dims[rank], u8 dtype_id, u32 n_bytes, data)
    u32 n_aliases
    n_aliases * (str alias, str target)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from inference.ct2ggml.errors import ConversionError

# Order must match CTranslate2's DataType enum (include/ctranslate2/types.h).
_CT2_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SUPPORTED_BINARY_VERSIONS = range(4, 7)

Array = npt.NDArray[np.generic]


@dataclass(frozen=True)
class Ct2Model:
    spec_name: str
    spec_revision: int
    binary_version: int
    variables: dict[str, Array]
    # Names handed out by get(): lets convert() refuse weights it did not map (see there).
    used: set[str] = field(default_factory=set, compare=False)

    def get(self, name: str) -> Array:
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

    def array(self, dtype: np.dtype[np.generic], shape: tuple[int, ...], n_bytes: int) -> Array:
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
    variables: dict[str, Array] = {}
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


def _bf16_to_f32(raw: Array) -> Array:
    return (raw.astype(np.uint32) << 16).view(np.float32)
