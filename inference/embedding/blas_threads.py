"""Optionally cap the BLAS thread count while the encoder runs.

numpy has no API for this, and setting OPENBLAS_NUM_THREADS only works before numpy is
imported. The OpenBLAS that numpy wheels bundle exports `*_set_num_threads`, so we call it
through ctypes (as threadpoolctl does, without adding that dependency). When no OpenBLAS is
found (another BLAS, another platform) the cap is silently not applied: it only affects speed.

The setting is process-wide; it is restored after each encode call.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads",
)
_GETTERS = (
    "scipy_openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads",
    "openblas_get_num_threads",
)


def _candidate_libraries() -> list[Path]:
    """numpy's bundled OpenBLAS (manylinux wheels keep it in site-packages/numpy.libs)."""
    numpy_dir = Path(np.__file__).resolve().parent
    folders = (numpy_dir.parent / "numpy.libs", numpy_dir / ".libs")
    return [
        lib for folder in folders if folder.is_dir() for lib in sorted(folder.glob("*openblas*"))
    ]


def _first_symbol(lib: ctypes.CDLL, names: tuple[str, ...]) -> Any:
    """The first exported function among `names` (ctypes function pointers are untyped)."""
    for name in names:
        func = getattr(lib, name, None)
        if func is not None:
            return func
    return None


@dataclass(frozen=True)
class _OpenBlas:
    """Typed wrappers around OpenBLAS's get/set_num_threads (plain C `int` in every build)."""

    getter: Any
    setter: Any

    def threads(self) -> int:
        return int(self.getter())

    def set_threads(self, threads: int) -> None:
        self.setter(threads)


@functools.cache
def _openblas() -> _OpenBlas | None:
    """numpy's loaded OpenBLAS, or None when there is none to control."""
    for path in _candidate_libraries():
        try:
            lib = ctypes.CDLL(str(path))  # already loaded by numpy: the same handle comes back
        except OSError:
            continue
        getter, setter = _first_symbol(lib, _GETTERS), _first_symbol(lib, _SETTERS)
        if getter is not None and setter is not None:
            getter.restype = ctypes.c_int
            getter.argtypes = []
            setter.restype = None
            setter.argtypes = [ctypes.c_int]
            return _OpenBlas(getter=getter, setter=setter)
    return None


def blas_threads_available() -> bool:
    """Whether `limit_blas_threads` can actually change anything here."""
    return _openblas() is not None


def current_blas_threads() -> int | None:
    """OpenBLAS's current thread count (None when it cannot be read)."""
    blas = _openblas()
    return blas.threads() if blas is not None else None


@contextmanager
def limit_blas_threads(threads: int | None) -> Iterator[None]:
    """Run the block with `threads` BLAS threads (None: leave the current setting alone)."""
    blas = _openblas() if threads is not None else None
    if blas is None or threads is None:
        yield
        return
    previous = blas.threads()
    blas.set_threads(threads)
    try:
        yield
    finally:
        blas.set_threads(previous)
