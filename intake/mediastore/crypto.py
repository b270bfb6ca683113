"""Encryption at rest for recordings and photos: the keyring and the on-disk file format.

Plain Python on purpose (no Django): web views, Celery workers and command-line tools all use it.

Key file
--------
UTF-8 text, one key per line ``key_id:base64(32 random bytes)``; blank lines and lines starting
with ``#`` are ignored. The LAST key is the active one (new files are written with it); earlier
keys are kept only to read older files. Rotation is therefore "append a line" (``add_key``).
Key ids match ``[A-Za-z0-9_-]{1,32}``. The file should be mode 0600 and owned by the service user.

File format, version 2 (``.cims``; version 1 is still read)
-----------------------------------------------------------
All integers big-endian.

Header (34 + len(key id) bytes)::

    magic         4 bytes   b"CIMS"
    version       1 byte    1
    key id len    1 byte    1..32
    key id        n bytes   ASCII, which keyring key encrypted the file
    block size    u32       plaintext bytes per block (the last block may be shorter)
    nonce prefix  8 bytes   random per file
    file id       16 bytes  random per file

Body: the plaintext cut into blocks of ``block size`` bytes. Block ``i`` is stored as
``AES-256-GCM(ciphertext || 16-byte tag)`` with

- key   = HKDF-SHA256(keyring key, salt=file id, info=b"CIMS v1 block key"): a key per file, so
          two files never share a (key, nonce) pair even if their random nonce prefixes collide
          (8 random bytes alone would hit the birthday bound after a few million files);
- nonce = nonce prefix (8) || i (u32);
- AAD   = the header bytes || len(name) (u16) || name (ASCII) || i (u32) || final flag (1 byte,
          1 on the last block, else 0), where name is the file's name in the store.

Binding the whole header into every block detects header edits (key id, block size). Binding the
index detects reordered or swapped blocks; the per-file key detects blocks moved between files.
Binding the name detects a file renamed onto another's name: files swapped between two visits
(or a patient's file copied over another's) fail authentication instead of showing the wrong
patient's recording. Version 1 files (no name in the AAD) stay readable; new files are v2.
The last block is always present and flagged final (an empty file is one empty final block), so a
file cut at a block boundary fails authentication instead of silently reading shorter.

Because every block but the last is full, the plaintext size follows from the file length alone:
``file length = header length + n_blocks * 16 + plaintext size`` with
``n_blocks = max(1, ceil(plaintext size / block size))``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import re
import secrets
import stat
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from inference.files import atomic_write_text

logger = logging.getLogger(__name__)

MAGIC = b"CIMS"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
KEY_LEN = 32  # AES-256
TAG_LEN = 16  # GCM tag appended to each block
NONCE_PREFIX_LEN = 8
FILE_ID_LEN = 16
MAX_KEY_ID_LEN = 32
# Bounds on the block size read from a header: a forged header must not make a reader allocate
# gigabytes, and 0 would divide by zero.
MIN_BLOCK_SIZE = 16
MAX_BLOCK_SIZE = 16 * 1024 * 1024
# The block index is a u32 inside the nonce; never let it wrap (64 KiB blocks: 256 TiB files).
MAX_BLOCKS = 2**32

KEY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_FIXED_HEAD = struct.Struct(">4sBB")  # magic, version, key id length
_HEAD_TAIL = struct.Struct(f">I{NONCE_PREFIX_LEN}s{FILE_ID_LEN}s")  # block size, prefix, id
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_HKDF_INFO = b"CIMS v1 block key"


class MediaError(Exception):
    """Base class of everything the media store raises on purpose."""


class MediaTooLarge(MediaError):
    """An upload went over its size limit; the message can be shown to staff as is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"The file is larger than the {human_size(limit)} limit.")


class MediaNotFound(MediaError):
    """No stored file has that name (deleted by retention, or never written)."""


class MediaCorrupt(MediaError):
    """A stored file failed authentication, is truncated, has a bad header or an unknown key."""


class InvalidMediaName(MediaError, ValueError):
    """A name that the store could not have generated (path traversal, client file names)."""


class KeyringError(MediaError):
    """The key file is missing, unreadable or malformed; the message says which and where."""


def human_size(n: int) -> str:
    """A byte count as staff read it: 26214400 -> "25 MB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            text = f"{n / scale:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{n} bytes"


# --- Keyring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyring:
    """Named AES-256 keys; `active_key_id` encrypts new files, every key can decrypt."""

    active_key_id: str
    # repr=False: a keyring printed in a traceback or log must not show key material.
    keys: dict[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        for key_id, key in self.keys.items():
            if not KEY_ID_RE.fullmatch(key_id):
                raise KeyringError(f"Invalid key id {key_id!r}: use 1-32 of A-Z a-z 0-9 _ -.")
            if len(key) != KEY_LEN:
                raise KeyringError(
                    f"Key {key_id!r} is {len(key)} bytes; AES-256 keys are {KEY_LEN} bytes."
                )
        if self.active_key_id not in self.keys:
            raise KeyringError(f"The active key {self.active_key_id!r} is not in the keyring.")

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            # A file written with a key that has since been removed from the key file (or a
            # forged header): unreadable either way.
            raise MediaCorrupt(f"Unknown encryption key id {key_id!r}.") from None


def load_keyring(path: Path) -> Keyring:
    """Read a key file (format in the module docstring); raise KeyringError saying what is wrong.

    Error messages name the file and line but never echo key material.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(
            f"Media encryption key file {path} does not exist. Create one with "
            "`python manage.py generate_media_key FILE` (intake.mediastore.generate_key_file)."
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise KeyringError(f"Media encryption key file {path} cannot be read: {e}") from None
    _warn_if_readable_by_others(path)
    keys: dict[str, bytes] = {}
    last_id: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        key_id, key = _parse_key_line(path, lineno, line)
        if not key_id:
            continue
        if key_id in keys:
            raise KeyringError(f"{path}, line {lineno}: key id {key_id!r} appears twice.")
        keys[key_id] = key
        last_id = key_id
    if last_id is None:
        raise KeyringError(f"Media encryption key file {path} contains no keys.")
    return Keyring(active_key_id=last_id, keys=keys)


def _parse_key_line(path: Path, lineno: int, line: str) -> tuple[str, bytes]:
    """One key file line -> (key id, key); ("", b"") for blank and comment lines."""
    line = line.strip()
    if not line or line.startswith("#"):
        return "", b""
    where = f"{path}, line {lineno}"
    key_id, sep, encoded = line.partition(":")
    key_id, encoded = key_id.strip(), encoded.strip()
    if not sep:
        raise KeyringError(f"{where}: expected `key_id:base64key`.")
    if not KEY_ID_RE.fullmatch(key_id):
        raise KeyringError(f"{where}: invalid key id {key_id!r} (1-32 of A-Z a-z 0-9 _ -).")
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{where}: key {key_id!r} is not valid base64.") from None
    if len(key) != KEY_LEN:
        raise KeyringError(
            f"{where}: key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_LEN} bytes "
            f"({len(base64.b64encode(bytes(KEY_LEN)))} base64 characters)."
        )
    return key_id, key


def _warn_if_readable_by_others(path: Path) -> None:
    # Only a warning: Docker secrets and some volume drivers cannot chmod, and refusing to start
    # would take the clinic down over a permission bit.
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            logger.warning(
                "Media encryption key file %s is accessible by group/others (mode %o); "
                "run `chmod 600 %s`.",
                path,
                stat.S_IMODE(mode),
                path,
            )


def new_key_id() -> str:
    """A readable, sortable, practically unique key id, e.g. "k20250101-3fa2c1"."""
    return f"k{time.strftime('%Y%m%d', time.gmtime())}-{secrets.token_hex(3)}"


def _key_line(key_id: str) -> str:
    if not KEY_ID_RE.fullmatch(key_id):
        raise KeyringError(f"Invalid key id {key_id!r}: use 1-32 of A-Z a-z 0-9 _ -.")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_LEN)).decode('ascii')}\n"


_KEY_FILE_HEADER = (
    "# Clinic Intake media encryption keys. The LAST key encrypts new files; keep every older\n"
    "# key: files written with it are unreadable without it. Back this file up separately from\n"
    "# the media (and keep it mode 0600).\n"
)


def generate_key_file(path: Path, key_id: str | None = None) -> None:
    """Create a new key file (mode 0600) with one fresh key; refuse to overwrite an existing one.

    Overwriting would make every stored recording and photo unreadable, so it is never done
    here; use `add_key` to rotate.
    """
    content = _KEY_FILE_HEADER + _key_line(key_id or new_key_id())
    # O_EXCL: fail instead of replacing an existing key file, even if one appears concurrently.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyringError(
            f"{path} already exists; refusing to overwrite it (stored media would become "
            "unreadable). Use add_key to rotate."
        ) from None
    try:
        os.fchmod(fd, 0o600)  # regardless of the umask
        os.write(fd, content.encode("ascii"))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def add_key(path: Path, key_id: str | None = None) -> str:
    """Append a fresh key to an existing key file and make it active (rotation); return its id.

    Old keys stay so older files remain readable. The file is rewritten to a temp file and
    renamed into place, so a crash never leaves a half-written key line. Running processes pick
    the new key up when they reload the keyring (intake.mediastore.django.get_store does this when
    the file changes).
    """
    keyring = load_keyring(path)  # validates the existing file first
    new_id = key_id or new_key_id()
    if new_id in keyring.keys:
        raise KeyringError(f"{path} already has a key {new_id!r}.")
    old = path.read_text(encoding="utf-8")
    if old and not old.endswith("\n"):
        old += "\n"
    atomic_write_text(path, old + _key_line(new_id), mode=0o600)
    return new_id


def retire_key(path: Path, key_id: str) -> None:
    """Remove a key that no stored file uses any more (the caller checks that) from the key
    file; never the active one. Rewritten atomically, like add_key."""
    keyring = load_keyring(path)
    if key_id == keyring.active_key_id:
        raise KeyringError(f"{key_id!r} is the active key; add a new key before retiring it.")
    if key_id not in keyring.keys:
        raise KeyringError(f"{path} has no key {key_id!r}.")
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.partition(":")[0].strip() != key_id
    ]
    atomic_write_text(path, "".join(kept), mode=0o600)


# --- File header and blocks ----------------------------------------------------------------


@dataclass(frozen=True)
class FileHeader:
    key_id: str
    block_size: int
    nonce_prefix: bytes
    file_id: bytes
    raw: bytes = field(repr=False)  # the exact header bytes, bound into every block's AAD

    @property
    def version(self) -> int:
        return self.raw[len(MAGIC)]

    @classmethod
    def new(cls, key_id: str, block_size: int, version: int = FORMAT_VERSION) -> FileHeader:
        check_block_size(block_size)
        key_id_bytes = key_id.encode("ascii")
        prefix = secrets.token_bytes(NONCE_PREFIX_LEN)
        file_id = secrets.token_bytes(FILE_ID_LEN)
        raw = (
            _FIXED_HEAD.pack(MAGIC, version, len(key_id_bytes))
            + key_id_bytes
            + _HEAD_TAIL.pack(block_size, prefix, file_id)
        )
        return cls(key_id, block_size, prefix, file_id, raw)

    @property
    def size(self) -> int:
        return len(self.raw)


def check_block_size(block_size: int) -> None:
    if not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"block size must be {MIN_BLOCK_SIZE}..{MAX_BLOCK_SIZE} bytes")


class _Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


def read_header(fp: _Readable) -> FileHeader:
    """Parse the header at the start of `fp`; MediaCorrupt if it is not a valid header."""
    head = _read_exact(fp, _FIXED_HEAD.size, "header")
    magic, version, key_id_len = _FIXED_HEAD.unpack(head)
    if magic != MAGIC:
        raise MediaCorrupt("Not an encrypted media file (bad magic).")
    if version not in READABLE_VERSIONS:
        raise MediaCorrupt(f"Unsupported media file format version {version}.")
    if not 1 <= key_id_len <= MAX_KEY_ID_LEN:
        raise MediaCorrupt("Bad key id length in media file header.")
    key_id_bytes = _read_exact(fp, key_id_len, "header")
    tail = _read_exact(fp, _HEAD_TAIL.size, "header")
    block_size, prefix, file_id = _HEAD_TAIL.unpack(tail)
    key_id = key_id_bytes.decode("ascii", errors="replace")
    if not KEY_ID_RE.fullmatch(key_id):
        raise MediaCorrupt("Bad key id in media file header.")
    if not MIN_BLOCK_SIZE <= block_size <= MAX_BLOCK_SIZE:
        raise MediaCorrupt("Bad block size in media file header.")
    return FileHeader(key_id, block_size, prefix, file_id, head + key_id_bytes + tail)


def _read_exact(fp: _Readable, n: int, what: str) -> bytes:
    data = fp.read(n)
    if len(data) != n:
        raise MediaCorrupt(f"Media file is truncated (short {what}).")
    return data


def block_count(plaintext_size: int, block_size: int) -> int:
    # Always at least one block: an empty file is a single empty final block.
    return max(1, -(-plaintext_size // block_size))


def plaintext_size(file_size: int, header: FileHeader) -> int:
    """The plaintext size implied by a file's length; MediaCorrupt if no plaintext fits it."""
    body = file_size - header.size
    stride = header.block_size + TAG_LEN
    n_blocks = max(1, -(-body // stride))
    size = body - n_blocks * TAG_LEN
    # Every block but the last is full and the last holds at least one byte (unless it is the
    # only one), so exactly one plaintext size maps to each valid length; anything else was cut.
    if size < 0 or block_count(size, header.block_size) != n_blocks:
        raise MediaCorrupt("Media file is truncated (length does not match its blocks).")
    return size


class BlockCipher:
    """Encrypts/decrypts the blocks of one file (one header, one derived key, its name)."""

    def __init__(self, header: FileHeader, master_key: bytes, name: str) -> None:
        self.header = header
        name_bytes = name.encode("ascii")
        # v1 files were written before names were bound; they are read as they were written.
        self._bound = _U16.pack(len(name_bytes)) + name_bytes if header.version >= 2 else b""
        file_key = HKDF(
            algorithm=hashes.SHA256(), length=KEY_LEN, salt=header.file_id, info=_HKDF_INFO
        ).derive(master_key)
        self._aead = AESGCM(file_key)

    def _nonce_aad(self, index: int, final: bool) -> tuple[bytes, bytes]:
        if not 0 <= index < MAX_BLOCKS:
            raise MediaError("File has too many blocks for the nonce counter.")
        counter = _U32.pack(index)
        aad = self.header.raw + self._bound + counter + bytes([final])
        return self.header.nonce_prefix + counter, aad

    def encrypt(self, index: int, plaintext: bytes, *, final: bool) -> bytes:
        nonce, aad = self._nonce_aad(index, final)
        return self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, index: int, ciphertext: bytes, *, final: bool) -> bytes:
        nonce, aad = self._nonce_aad(index, final)
        try:
            return self._aead.decrypt(nonce, ciphertext, aad)
        except InvalidTag:
            raise MediaCorrupt(
                f"Media file block {index} failed authentication (tampered, truncated, "
                "reordered, renamed or wrong key)."
            ) from None
