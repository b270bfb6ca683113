"""Where recordings come from: paths, bytes, file objects, or ordered upload chunks.

A MediaRecorder recording arrives as several upload chunks; only the first carries the
container header, so the chunks decode only when read back to back, in order. `ConcatReader`
presents them as one seekable, read-only file without copying them into memory or onto disk
(the media store's decrypting readers stay decrypting readers; no plaintext is written).
"""

from __future__ import annotations

import bisect
import io
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeAlias, cast

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# One piece of a recording: a path, the bytes themselves, or a readable binary file object.
ChunkSource: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
# A whole recording: one source (already joined, e.g. store.open_concat(names)) or its chunks
# in recording order.
RecordingSource: TypeAlias = ChunkSource | Sequence[ChunkSource]


def chunks_of(source: RecordingSource) -> list[ChunkSource]:
    """The chunks of a recording: one source is one chunk.

    str and bytes are sequences too, so they are tested before the sequence case.
    """
    if isinstance(source, str | bytes | bytearray | memoryview | os.PathLike):
        return [source]
    if isinstance(source, Sequence):
        return [cast(ChunkSource, chunk) for chunk in source]
    return [source]


class ConcatReader(io.RawIOBase):
    """Several binary file objects read as one seekable stream (read-only).

    Each part is read from its own position 0 to its end. Parts must be seekable; the sizes are
    taken once, at construction. The reader does not close the parts: whoever opened them does
    (see `open_recording`).
    """

    def __init__(self, parts: Sequence[BinaryIO]) -> None:
        super().__init__()
        self._parts = list(parts)
        sizes = [_size_of(part) for part in self._parts]
        self._starts: list[int] = []
        total = 0
        for size in sizes:
            self._starts.append(total)
            total += size
        self._sizes = sizes
        self.size = total
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}.get(whence)
        if base is None:
            raise ValueError(f"invalid whence ({whence})")
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        out = memoryview(buffer).cast("B")
        written = 0
        while written < len(out) and self._pos < self.size:
            # The last part starting at or before pos; empty parts lose to the next one.
            index = bisect.bisect_right(self._starts, self._pos) - 1
            offset = self._pos - self._starts[index]
            want = min(len(out) - written, self._sizes[index] - offset)
            part = self._parts[index]
            part.seek(offset)
            data = part.read(want)
            if not data:
                raise OSError(f"recording chunk {index} is shorter than when it was opened")
            out[written : written + len(data)] = data
            written += len(data)
            self._pos += len(data)
        return written


def _size_of(fh: BinaryIO) -> int:
    end = fh.seek(0, io.SEEK_END)
    fh.seek(0)
    return end


@contextmanager
def open_chunk(source: ChunkSource) -> Iterator[BinaryIO]:
    """A seekable binary file object for one chunk; closes only what it opened itself."""
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as fh:
            yield fh
    elif _seekable(source):
        yield source
    else:
        # A pipe or a non-seekable upload stream: containers need seeking, so buffer it in
        # memory (a 15-minute opus recording is a few MB). Never spooled to disk: plaintext.
        yield io.BytesIO(source.read())


def _seekable(fh: BinaryIO) -> bool:
    try:
        return bool(fh.seekable())
    except (AttributeError, ValueError):
        return False


@contextmanager
def open_recording(source: RecordingSource) -> Iterator[BinaryIO]:
    """One seekable binary file object for a recording given as a source or ordered chunks."""
    chunks = chunks_of(source)
    if len(chunks) == 1:
        with open_chunk(chunks[0]) as fh:
            yield fh
        return
    with ExitStack() as stack:
        parts = [stack.enter_context(open_chunk(chunk)) for chunk in chunks]
        # BufferedReader: PyAV reads in small pieces; buffering saves a part seek per read.
        # Closing it closes the ConcatReader, not the parts (the stack closes those).
        buffered = io.BufferedReader(ConcatReader(parts), buffer_size=64 * 1024)
        stack.callback(buffered.close)
        yield buffered
