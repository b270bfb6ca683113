"""The Django side of the media store: the per-process store and HTTP Range responses.

The only module of intake.mediastore that imports Django; crypto and store stay plain Python.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from intake.mediastore.crypto import MediaCorrupt, load_keyring
from intake.mediastore.store import MediaStore

STREAM_BLOCK_SIZE = 64 * 1024
CACHE_CONTROL = "private, no-store"  # PHI: no shared or disk caches, no back/forward reuse

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], MediaStore] | None = None


def get_store() -> MediaStore:
    """The process's MediaStore for settings.MEDIA_ROOT and settings.MEDIA_ENCRYPTION_KEY_FILE.

    Cached per process, but rebuilt when either setting or the key file itself changes, so a key
    rotated with add_key is used by long-running web and worker processes without a restart
    (otherwise a worker started before the rotation could not read files the web process wrote
    with the new key).
    """
    global _cached
    root = Path(settings.MEDIA_ROOT)
    key_file = Path(settings.MEDIA_ENCRYPTION_KEY_FILE)
    try:
        st = key_file.stat()
        stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None  # load_keyring below raises the clear error
    cache_key = (root, key_file, stamp)
    with _lock:
        if _cached is None or _cached[0] != cache_key:
            _cached = (cache_key, MediaStore(root, load_keyring(key_file)))
        return _cached[1]


def reset_store() -> None:
    """Forget the cached store (tests that swap keys within the same second and size)."""
    global _cached
    with _lock:
        _cached = None


# --- HTTP Range ------------------------------------------------------------------------------


class RangeNotSatisfiable(Exception):
    """The Range header asks only for bytes past the end (answered with 416)."""


# One range only; 18 digits keeps int() fast and far beyond any real file size.
_RANGE_RE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")


def parse_range(value: str, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions a Range header asks for, or None to ignore it
    and send the whole file (multiple ranges, other units, bad syntax: RFC 9110 allows a full
    200 for all of them). Raises RangeNotSatisfiable when nothing of the file is asked for."""
    match = _RANGE_RE.fullmatch(value.strip())
    if not match or match.group(1) + match.group(2) == "":
        return None
    first, last = match.groups()
    if not first:  # "-n": the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range-spec ("9-0") is ignored, not refused
    if start >= size:
        raise RangeNotSatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return start, end


def ranged_response(
    request: HttpRequest,
    fileobj: BinaryIO,
    size: int,
    content_type: str,
    *,
    block_size: int = STREAM_BLOCK_SIZE,
) -> HttpResponse | StreamingHttpResponse:
    """Serve `fileobj` (readable, seekable, `size` bytes) with single-range support.

    The response takes ownership of `fileobj` and closes it when Django closes the response.
    Content is streamed `block_size` bytes at a time; under ASGI through an async iterator,
    because Django would otherwise collect a sync iterator into one list in memory first.
    """
    span: tuple[int, int] | None = None
    range_header = request.headers.get("Range")
    # If-Range carries a validator we never issued (no ETag/Last-Modified), so per RFC 9110 the
    # condition is false and the whole file is sent. Ranges are only defined for GET.
    if range_header and request.method == "GET" and "If-Range" not in request.headers:
        try:
            span = parse_range(range_header, size)
        except RangeNotSatisfiable:
            fileobj.close()
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            refused["Cache-Control"] = CACHE_CONTROL
            return refused
    start, end = span if span is not None else (0, size - 1)
    length = end - start + 1
    body: _SyncRange | _AsyncRange
    if isinstance(request, ASGIRequest):
        body = _AsyncRange(fileobj, start, length, block_size)
    else:
        body = _SyncRange(fileobj, start, length, block_size)
    response = StreamingHttpResponse(body, status=206 if span else 200, content_type=content_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE_CONTROL
    if span:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


class _FileRange:
    """`length` bytes of `fileobj` from `start`, in blocks. Django calls close() when the
    response is closed (also when the client went away mid-stream), which closes the file."""

    def __init__(self, fileobj: BinaryIO, start: int, length: int, block_size: int) -> None:
        self._fileobj = fileobj
        self._start = start
        self._remaining = length
        self._block_size = block_size
        self._started = False

    def _next_block(self) -> bytes:
        if self._remaining <= 0:
            return b""
        if not self._started:
            self._fileobj.seek(self._start)
            self._started = True
        data = self._fileobj.read(min(self._block_size, self._remaining))
        if not data:
            # The file is shorter than the Content-Length already sent: abort the response
            # rather than end it early and look complete.
            raise MediaCorrupt("Media file ended before its stated size.")
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        self._fileobj.close()


class _SyncRange(_FileRange):
    def __iter__(self) -> Iterator[bytes]:
        while data := self._next_block():
            yield data


class _AsyncRange(_FileRange):
    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._blocks()

    async def _blocks(self) -> AsyncIterator[bytes]:
        # Decrypting and disk reads block: run them off the event loop, one block at a time.
        next_block = sync_to_async(self._next_block, thread_sensitive=False)
        while data := await next_block():
            yield data
