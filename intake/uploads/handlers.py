"""A multipart upload handler for photos: in memory only, never more than the photo limit.

Django's default handlers keep an upload in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE (2 MB here)
and then write it to a named temporary file - a plaintext patient photo in /tmp. This handler
replaces both for the photo view (install it with `request.upload_handlers =
photo_upload_handlers(request)` before anything reads request.POST or request.FILES).

Why it does not raise StopUpload or SkipFile on an oversized photo (after reading Django's
upload handler docs): both make the file vanish from request.FILES, so the view could only say
"no photo arrived" instead of "too large"; StopUpload(connection_reset=True) would even make
the tablet see a network error and retry the same photo forever. And it would save little:
under ASGI the whole request body has been received before the view runs. Instead the handler
stops *keeping* bytes the moment the limit is passed, consumes the rest, and hands the view a
placeholder that save_photo refuses with "photo_too_large" (413), so memory stays bounded by
PHOTO_MAX_BYTES per request and the clerk gets the right message.

What this handler cannot prevent (the servers' buffering, below Django): Daphne/Twisted spools
request bodies over 100 KB to an unnamed temporary file, and Django's ASGI handler spools bodies
over FILE_UPLOAD_MAX_MEMORY_SIZE to another one. Keep the web container's /tmp on tmpfs so those
never reach a disk.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest

if TYPE_CHECKING:
    _UploadedBytes = UploadedFile[bytes]
else:  # Django's classes are not subscriptable at run time
    _UploadedBytes = UploadedFile


class TooLargeUpload(_UploadedBytes):
    """Stands in for a file that went over the limit: its `size` is what arrived, it holds no
    content, and reading it is a mistake (save_photo refuses it from its size alone)."""

    def __init__(self, name: str | None, content_type: str | None, size: int, limit: int) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, None, None)
        self.limit = limit

    def read(self, size: int | None = -1, /) -> bytes:
        raise ValueError(f"upload over the {self.limit}-byte limit was not kept")


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps uploaded files in memory while all of them together stay within `max_bytes`; a
    file that passes the limit is dropped as it streams and becomes a TooLargeUpload."""

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.kept = 0  # bytes held in memory for this request, all files together
        self.file: io.BytesIO = io.BytesIO()
        self.over = False

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.file = io.BytesIO()
        # A declared part length (browsers rarely send one) already over the limit: keep nothing.
        self.over = content_length is not None and self.kept + content_length > self.max_bytes
        # This handler is the only one that sees the file: nothing may fall through to
        # TemporaryFileUploadHandler and its file in /tmp.
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.over:
            if self.kept + len(raw_data) > self.max_bytes:
                self._drop()
            else:
                self.file.write(raw_data)
                self.kept += len(raw_data)
        return None  # consumed: no later handler gets the data

    def file_complete(self, file_size: int) -> UploadedFile[Any] | None:
        if self.over:
            return TooLargeUpload(self.file_name, self.content_type, file_size, self.max_bytes)
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name or "photo",
            content_type=self.content_type or "application/octet-stream",
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        self._drop()

    def _drop(self) -> None:
        """Forget the file in progress (Django may already have closed it)."""
        self.over = True
        if not self.file.closed:
            self.kept -= self.file.tell()
            self.file.close()
        self.file = io.BytesIO()


def photo_upload_handlers(request: HttpRequest) -> list[FileUploadHandler]:
    """The handlers for a photo upload request (replacing Django's memory/temp-file pair)."""
    return [BoundedMemoryUploadHandler(request, max_bytes=settings.PHOTO_MAX_BYTES)]
