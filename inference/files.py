"""Atomic file writes: a reader, or the next boot after a power cut, finds the old file or the
new one, never half of either.

The data goes to a temporary file in the destination's own directory (the same filesystem, so
the rename is atomic), is fsynced, gets its final mode and is renamed over the destination; the
directory is fsynced too, so the rename itself is durable. On any error the temporary file is
removed and the destination is left as it was.

Plain Python (no Django) so the web app, the media store, the model tools, scripts and benches
all share it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# The mode the finished file gets unless the caller says otherwise: private, so that forgetting
# to choose never exposes a key or patient media. Shared artefacts (models, certificates) pass
# 0o644 themselves.
PRIVATE = 0o600


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str],
    *,
    mode: int = PRIVATE,
    prefix: str | None = None,
    suffix: str = ".tmp",
) -> Iterator[BinaryIO]:
    """A binary file to stream into that replaces `path` when the block ends without error.

    The temporary file is named `prefix` + random + `suffix` (default ".NAME.<random>.tmp",
    hidden, so nothing that lists the directory mistakes it for the real file).
    """
    target = Path(path)
    fd, tmp = _temp_next_to(target, prefix, suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        _commit(tmp, target, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    *,
    mode: int = PRIVATE,
    prefix: str | None = None,
    suffix: str = ".tmp",
) -> Iterator[Path]:
    """Like atomic_file, for a writer that needs a file name rather than a file object (a
    library that writes to a path): yields an empty temporary file next to `path`."""
    target = Path(path)
    fd, tmp = _temp_next_to(target, prefix, suffix)
    os.close(fd)
    try:
        yield tmp
        _fsync_file(tmp)
        _commit(tmp, target, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int = PRIVATE) -> None:
    """Replace `path` with `data` atomically (see the module docstring)."""
    with atomic_file(path, mode=mode) as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, mode: int = PRIVATE) -> None:
    """atomic_write for text, as UTF-8."""
    atomic_write(path, text.encode("utf-8"), mode=mode)


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (the directory entry, not just the data)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some platforms/filesystems cannot open directories; best effort
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _temp_next_to(target: Path, prefix: str | None, suffix: str) -> tuple[int, Path]:
    # mkstemp: unique, created 0600, and in the target's directory so the rename is atomic.
    fd, name = tempfile.mkstemp(
        dir=target.parent,
        prefix=f".{target.name}." if prefix is None else prefix,
        suffix=suffix,
    )
    return fd, Path(name)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(tmp: Path, target: Path, mode: int) -> None:
    # The mode is set only now, on the complete file: until here it is mkstemp's 0600, so a
    # private key is never readable by others, not even for a moment.
    tmp.chmod(mode)
    tmp.replace(target)
    fsync_dir(target.parent)


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
