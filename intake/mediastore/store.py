"""The encrypted media store: recordings and photos on disk, never in plaintext.

Plain Python on purpose (no Django): Celery workers and tools use it directly. Files are named by
the store (uuid4, sharded: ``subdir/ab/ab12....cims``), never after anything a client sent, and
every name given back to the store is checked against that pattern before it touches the disk.
See intake.mediastore.crypto for the file format.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from inference.files import atomic_file
from intake.mediastore.crypto import (
    FORMAT_VERSION,
    TAG_LEN,
    BlockCipher,
    FileHeader,
    InvalidMediaName,
    Keyring,
    MediaCorrupt,
    MediaNotFound,
    MediaTooLarge,
    block_count,
    check_block_size,
    plaintext_size,
    read_header,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

DEFAULT_BLOCK_SIZE = 64 * 1024
SUFFIX = ".cims"
# Fits the CharField(max_length=200) that models keep names in.
MAX_NAME_LEN = 200
_SEGMENT = r"[A-Za-z0-9_-]{1,64}"
_SUBDIR_RE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT}){{0,3}}")
# The shard directory must be the first two hex digits of the file's own id (\1).
_NAME_RE = re.compile(rf"(?:{_SEGMENT}/){{0,4}}([0-9a-f]{{2}})/\1[0-9a-f]{{30}}\.cims")
# What save() accepts as a piece of upload (Django's UploadedFile.chunks() yields bytes).
Chunk = bytes | bytearray | memoryview
_MAX_SUBDIR_LEN = MAX_NAME_LEN - len("ab/") - 32 - len(SUFFIX) - 1


@dataclass(frozen=True)
class StoredFile:
    """What `save` wrote: the store name to keep, and the size/sha256 of the plaintext."""

    name: str
    size: int
    sha256: str


class MediaStore:
    """Encrypted files under `root`, written with the keyring's active key."""

    def __init__(self, root: Path, keyring: Keyring, block_size: int = DEFAULT_BLOCK_SIZE) -> None:
        check_block_size(block_size)
        self.root = Path(root)
        self.keyring = keyring
        self.block_size = block_size

    # --- writing ---------------------------------------------------------------------------

    def save(
        self,
        source: BinaryIO | Iterable[Chunk] | Chunk,
        *,
        max_bytes: int | None = None,
        subdir: str = "",
    ) -> StoredFile:
        """Encrypt `source` (a binary file object, an iterable of byte chunks, or bytes) into a
        new file; raise MediaTooLarge as soon as more than `max_bytes` arrive.

        Streams block by block: neither the whole upload nor any plaintext is ever on disk or
        in memory at once. The file appears under its final name only when complete (temp file
        in the same directory, fsync, rename), so readers never see half a file.
        """
        name = _new_name(subdir)
        final_path = self.root / name
        final_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        header = FileHeader.new(self.keyring.active_key_id, self.block_size)
        cipher = BlockCipher(header, self.keyring.key(header.key_id), name)
        # The ".tmp-" prefix never matches _NAME_RE, so a leftover can never be opened as media.
        with atomic_file(final_path, mode=0o600, prefix=".tmp-", suffix=".part") as out:
            out.write(header.raw)
            size, sha256 = _write_blocks(_chunks(source, self.block_size), out, cipher, max_bytes)
        return StoredFile(name=name, size=size, sha256=sha256)

    # --- reading ---------------------------------------------------------------------------

    def open(self, name: str) -> BinaryIO:
        """A read-only, seekable plaintext view of a stored file, decrypted block by block."""
        return cast(BinaryIO, self._open_reader(name))

    def open_concat(self, names: Sequence[str]) -> BinaryIO:
        """The stored files joined in order as one seekable stream (MediaRecorder chunks only
        decode as a whole). At most one part is open at a time, however many chunks there are."""
        sizes = [self.size(name) for name in names]  # validates names and existence up front
        return cast(BinaryIO, _ConcatReader(list(names), sizes, self._open_reader))

    def size(self, name: str) -> int:
        """The plaintext size, from the header and file length alone (nothing is decrypted)."""
        with self._open_raw(name) as fp:
            header = read_header(fp)
            return plaintext_size(os.fstat(fp.fileno()).st_size, header)

    def header(self, name: str) -> FileHeader:
        """The header of a stored file: which key wrote it, in which format version."""
        with self._open_raw(name) as fp:
            return read_header(fp)

    def reencrypt(self, name: str) -> bool:
        """Rewrite a stored file under its own name with the active key and the current
        format; False when it already uses both. The new file replaces the old one atomically
        (rename), so a reader that has the old one open keeps reading it."""
        old = self.header(name)
        if old.key_id == self.keyring.active_key_id and old.version == FORMAT_VERSION:
            return False
        header = FileHeader.new(self.keyring.active_key_id, self.block_size)
        cipher = BlockCipher(header, self.keyring.key(header.key_id), name)
        with (
            self.open(name) as source,
            atomic_file(self._path(name), mode=0o600, prefix=".tmp-", suffix=".part") as out,
        ):
            out.write(header.raw)
            _write_blocks(_chunks(source, self.block_size), out, cipher, None)
        return True

    def walk(self) -> Iterator[tuple[str, Path, float]]:
        """Every file under the root as (relative name, path, mtime): stored media and the
        ".tmp-*.part" files an interrupted save left behind (the orphan sweep sorts them)."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            try:
                if path.is_file():
                    yield path.relative_to(self.root).as_posix(), path, path.stat().st_mtime
            except FileNotFoundError:
                continue  # removed meanwhile (a purge or another sweep)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def delete(self, name: str) -> None:
        """Remove a stored file; a missing one is fine (retention and retries may race)."""
        self._path(name).unlink(missing_ok=True)

    def _path(self, name: str) -> Path:
        return self.root / validate_name(name)

    def _open_raw(self, name: str) -> io.FileIO:
        path = self._path(name)
        try:
            return io.FileIO(path, "r")
        except FileNotFoundError:
            raise MediaNotFound(f"Stored media file {name} does not exist.") from None

    def _open_reader(self, name: str) -> _DecryptingReader:
        fp = self._open_raw(name)
        try:
            return _DecryptingReader(fp, self.keyring, name)
        except BaseException:
            fp.close()
            raise


def validate_name(name: str) -> str:
    """Return `name` if the store could have generated it, else raise InvalidMediaName.

    Names come from the database, but a bug or a tampered row must not reach outside the media
    root ("../", absolute paths) or open a file the store did not write.
    """
    if not isinstance(name, str) or len(name) > MAX_NAME_LEN or not _NAME_RE.fullmatch(name):
        raise InvalidMediaName(f"Not a media store file name: {name!r}")
    return name


def _new_name(subdir: str) -> str:
    if subdir and (len(subdir) > _MAX_SUBDIR_LEN or not _SUBDIR_RE.fullmatch(subdir)):
        raise InvalidMediaName(
            f"Invalid media subdirectory {subdir!r}: up to 4 segments of A-Z a-z 0-9 _ -."
        )
    file_id = uuid.uuid4().hex
    name = f"{file_id[:2]}/{file_id}{SUFFIX}"
    return validate_name(f"{subdir}/{name}" if subdir else name)


def _chunks(source: BinaryIO | Iterable[Chunk] | Chunk, read_size: int) -> Iterator[bytes]:
    """Byte chunks from any supported source, without reading a file object all at once."""
    if isinstance(source, bytes | bytearray | memoryview):
        # Iterating bytes would yield ints; treat it as a single chunk instead.
        yield bytes(source)
        return
    read = getattr(source, "read", None)
    if read is not None:
        while chunk := read(read_size):
            yield _as_bytes(chunk)
        return
    for chunk in source:
        yield _as_bytes(chunk)


def _as_bytes(chunk: object) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, bytearray | memoryview):
        return bytes(chunk)
    # A text-mode file or a str iterable: refuse rather than guess an encoding.
    raise TypeError(f"media sources must yield bytes, not {type(chunk).__name__}")


def _write_blocks(
    chunks: Iterable[bytes], out: BinaryIO, cipher: BlockCipher, max_bytes: int | None
) -> tuple[int, str]:
    """Encrypt `chunks` into `out` block by block; return (plaintext size, sha256 hex)."""
    block_size = cipher.header.block_size
    digest = hashlib.sha256()
    total = 0
    index = 0
    pending = bytearray()
    for chunk in chunks:
        total += len(chunk)
        # Checked before encrypting anything more: an oversized upload stops at the first
        # chunk past the limit instead of being written out first.
        if max_bytes is not None and total > max_bytes:
            raise MediaTooLarge(max_bytes)
        digest.update(chunk)
        pending += chunk
        # Only the last block is flagged final, and a block is known not to be last only once
        # at least one more byte has arrived: so keep up to a full block back.
        start = 0
        while len(pending) - start > block_size:
            out.write(
                cipher.encrypt(index, bytes(pending[start : start + block_size]), final=False)
            )
            index += 1
            start += block_size
        del pending[:start]
    out.write(cipher.encrypt(index, bytes(pending), final=True))
    return total, digest.hexdigest()


class _PlaintextStream(io.RawIOBase):
    """Read-only seekable stream over `size` plaintext bytes served by `_chunk_at`."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._pos = 0

    def _chunk_at(self, pos: int, limit: int) -> memoryview:
        """1..limit plaintext bytes starting at `pos` (0 <= pos < size)."""
        raise NotImplementedError

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        self._check_open()
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos  # past the end is allowed (reads return b""), as with real files
        return pos

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        self._check_open()
        out = memoryview(buffer).cast("B")
        written = 0
        while written < len(out) and self._pos < self.size:
            chunk = self._chunk_at(self._pos, len(out) - written)
            out[written : written + len(chunk)] = chunk
            written += len(chunk)
            self._pos += len(chunk)
        return written

    def read(self, size: int | None = -1, /) -> bytes:
        self._check_open()
        remaining = max(0, self.size - self._pos)
        # Never allocate more than what is left: read(2**31) on a small file must stay small.
        want = remaining if size is None or size < 0 else min(size, remaining)
        parts = []
        while want > 0:
            chunk = self._chunk_at(self._pos, want)
            parts.append(bytes(chunk))
            want -= len(chunk)
            self._pos += len(chunk)
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")


class _DecryptingReader(_PlaintextStream):
    """One stored file; keeps only the most recently decrypted block in memory."""

    def __init__(self, fp: io.FileIO, keyring: Keyring, name: str) -> None:
        # Initialise the stream and keep fp before anything can raise: a half-built reader is
        # still closed (by the garbage collector) and close() must find its file.
        super().__init__(0)
        self._fp = fp
        self._block_index = -1
        self._block = b""
        header = read_header(fp)
        self.size = plaintext_size(os.fstat(fp.fileno()).st_size, header)
        self._header = header
        self._cipher = BlockCipher(header, keyring.key(header.key_id), name)
        self._n_blocks = block_count(self.size, header.block_size)
        # Authenticate the final block now: a truncated file, a wrong key or an edited header
        # fails at open() rather than after a caller has consumed (and maybe acted on) a
        # prefix. It costs one block, which readers of short files need anyway.
        self._load_block(self._n_blocks - 1)

    def _load_block(self, index: int) -> bytes:
        if index != self._block_index:
            block_size = self._header.block_size
            plain_len = min(block_size, self.size - index * block_size)
            self._fp.seek(self._header.size + index * (block_size + TAG_LEN))
            ciphertext = self._fp.read(plain_len + TAG_LEN) or b""
            if len(ciphertext) != plain_len + TAG_LEN:
                raise MediaCorrupt("Media file is truncated (changed while open?).")
            final = index == self._n_blocks - 1
            self._block = self._cipher.decrypt(index, ciphertext, final=final)
            self._block_index = index
        return self._block

    def _chunk_at(self, pos: int, limit: int) -> memoryview:
        index, offset = divmod(pos, self._header.block_size)
        block = self._load_block(index)
        return memoryview(block)[offset : offset + limit]

    def close(self) -> None:
        if not self.closed:
            self._fp.close()
            self._block = b""
        super().close()


class _ConcatReader(_PlaintextStream):
    """Several stored files read as one, opening one part at a time."""

    def __init__(
        self, names: list[str], sizes: list[int], opener: Callable[[str], _DecryptingReader]
    ) -> None:
        super().__init__(sum(sizes))
        self._names = names
        self._sizes = sizes
        self._starts = list(itertools.accumulate(sizes, initial=0))[:-1]
        self._opener = opener
        self._part_index = -1
        self._part: _DecryptingReader | None = None

    def _open_part(self, index: int) -> _DecryptingReader:
        if self._part is None or index != self._part_index:
            self._close_part()
            part = self._opener(self._names[index])
            if part.size != self._sizes[index]:
                part.close()
                raise MediaCorrupt(f"Stored media file {self._names[index]} changed size.")
            self._part, self._part_index = part, index
        return self._part

    def _chunk_at(self, pos: int, limit: int) -> memoryview:
        # The last part starting at or before pos; empty parts are skipped because a later
        # part with the same start wins.
        index = bisect.bisect_right(self._starts, pos) - 1
        start = self._starts[index]
        part = self._open_part(index)
        return part._chunk_at(pos - start, min(limit, self._sizes[index] - (pos - start)))

    def _close_part(self) -> None:
        if self._part is not None:
            self._part.close()
            self._part, self._part_index = None, -1

    def close(self) -> None:
        self._close_part()
        super().close()
