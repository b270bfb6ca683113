"""One table of malformed uploads, photos and audio chunks alike: each is refused with its own
code and status, and leaves nothing behind (no new row, no new file under MEDIA_ROOT)."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image
from pytest_django.fixtures import Settings as SettingsWrapper

from intake.models import Photo, Recording, RecordingChunk, Visit
from intake.states import VisitStatus
from intake.uploads.chunks import append_chunk, discard_recording
from intake.uploads.errors import UploadRefused
from intake.uploads.photos import save_photo
from tests.factories import consenting_visit

pytestmark = pytest.mark.django_db

EBML = b"\x1a\x45\xdf\xa3"


# --- inputs ----------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def picture(size: tuple[int, int] = (64, 48)) -> Image.Image:
    image = Image.new("RGB", size, (180, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 2))
    return image


JPEG = encode(picture(), "JPEG")
PNG = encode(picture(), "PNG")
WEBP = encode(picture(), "WEBP")
GIF = encode(picture(), "GIF")
TIFF = encode(picture(), "TIFF")
AVIF = encode(picture(), "AVIF")  # Pillow could decode it, but only JPEG/PNG/WebP are taken


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb() -> bytes:
    """A valid-looking 100000 x 100000 PNG of a few hundred bytes."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + png_chunk(b"IEND", b"")
    )


def noise_jpeg(size: tuple[int, int]) -> bytes:
    image = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    return encode(image, "JPEG", quality=95)


def animated_png() -> bytes:
    frames = [picture(), Image.new("RGB", (64, 48), (0, 255, 0))]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script/></svg>'


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    visit: Visit
    user: User


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    status: int
    call: Callable[[Ctx], object]
    setup: Callable[[Ctx], object] | None = None
    settings: dict[str, int] = field(default_factory=dict)


def photo(data: bytes, kind: str = "wound") -> Callable[[Ctx], object]:
    return lambda ctx: save_photo(ctx.visit.pk, io.BytesIO(data), kind, ctx.user)


def chunk(
    data: bytes,
    *,
    seq: int = 0,
    recording: int = 0,
    sha256: str | None = None,
    mime: str = "audio/webm;codecs=opus",
) -> Callable[[Ctx], object]:
    digest = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
    return lambda ctx: append_chunk(
        ctx.visit.pk,
        recording,
        seq,
        io.BytesIO(data),
        sha256=digest,
        mime_type=mime,
        actor=ctx.user,
    )


FIRST_CHUNK = EBML + b"\x42\x86\x81\x01" + bytes(range(256)) * 8


def stored_first_chunk(ctx: Ctx) -> object:
    return chunk(FIRST_CHUNK)(ctx)


def stored_then_discarded(ctx: Ctx) -> None:
    stored_first_chunk(ctx)
    discard_recording(ctx.visit.pk, 0, actor=ctx.user)


def set_status(status: VisitStatus) -> Callable[[Ctx], object]:
    return lambda ctx: Visit.objects.filter(pk=ctx.visit.pk).update(status=status.value)


CASES = [
    # photos: not an image at all
    Case("photo-empty", "photo_empty", 400, photo(b"")),
    Case("photo-text", "photo_unsupported", 415, photo(b"chest pain since this morning\n")),
    Case("photo-html", "photo_unsupported", 415, photo(HTML)),
    Case("photo-html-then-jpeg", "photo_unsupported", 415, photo(HTML + JPEG)),
    Case("photo-svg", "photo_unsupported", 415, photo(SVG)),
    Case("photo-pdf", "photo_unsupported", 415, photo(PDF)),
    Case("photo-zip", "photo_unsupported", 415, photo(zip_bytes())),
    Case("photo-gif", "photo_unsupported", 415, photo(GIF)),
    Case("photo-gifar", "photo_unsupported", 415, photo(GIF + zip_bytes())),
    Case("photo-heic", "photo_heic", 415, photo(HEIC)),
    Case("photo-avif", "photo_unsupported", 415, photo(AVIF)),
    Case("photo-tiff", "photo_unsupported", 415, photo(TIFF)),
    # photos: damaged
    Case("photo-truncated-jpeg", "photo_corrupt", 400, photo(JPEG[: len(JPEG) // 2])),
    Case("photo-jpeg-without-eoi", "photo_corrupt", 400, photo(JPEG[:-2])),
    Case("photo-truncated-png", "photo_corrupt", 400, photo(PNG[: len(PNG) - 30])),
    Case("photo-truncated-webp", "photo_corrupt", 400, photo(WEBP[: len(WEBP) - 10])),
    # photos: polyglots and hidden data
    Case("photo-jpeg+zip", "photo_trailing_data", 400, photo(JPEG + zip_bytes())),
    Case("photo-jpeg+html", "photo_trailing_data", 400, photo(JPEG + HTML)),
    Case("photo-png+pdf", "photo_trailing_data", 400, photo(PNG + PDF)),
    Case("photo-webp+script", "photo_trailing_data", 400, photo(WEBP + b"<script>x</script>")),
    Case("photo-animated-png", "photo_animated", 415, photo(animated_png())),
    # photos: limits
    Case("photo-png-bomb", "photo_too_many_pixels", 413, photo(png_bomb())),
    Case(
        "photo-over-pixel-limit",
        "photo_too_many_pixels",
        413,
        photo(encode(Image.new("RGB", (1200, 1000)), "PNG")),
        settings={"PHOTO_MAX_PIXELS": 1_000_000},
    ),
    Case(
        "photo-too-large",
        "photo_too_large",
        413,
        photo(noise_jpeg((200, 200))),
        settings={"PHOTO_MAX_BYTES": 20_000},
    ),
    Case("photo-wrong-kind", "photo_kind", 400, photo(JPEG, kind="selfie")),
    Case(
        "photo-visit-reviewed",
        "visit_locked",
        409,
        photo(JPEG),
        setup=set_status(VisitStatus.REVIEWED),
    ),
    # audio chunks: not audio
    Case("chunk-jpeg", "audio_unsupported", 415, chunk(JPEG)),
    Case("chunk-pdf", "audio_unsupported", 415, chunk(PDF)),
    Case("chunk-text", "audio_unsupported", 415, chunk(b"hello, this is not audio at all\n")),
    Case("chunk-heic", "audio_unsupported", 415, chunk(HEIC)),
    Case("chunk-random", "audio_corrupt", 400, chunk(bytes(range(1, 200)))),
    Case("chunk-empty", "chunk_empty", 400, chunk(b"")),
    # audio chunks: bad envelope
    Case("chunk-bad-sha256", "bad_checksum", 400, chunk(FIRST_CHUNK, sha256="xyz")),
    Case(
        "chunk-sha256-mismatch",
        "chunk_checksum",
        400,
        chunk(FIRST_CHUNK, sha256=hashlib.sha256(b"else").hexdigest()),
    ),
    Case("chunk-mime-image", "audio_type", 415, chunk(FIRST_CHUNK, mime="image/jpeg")),
    Case("chunk-mime-too-long", "audio_type", 415, chunk(FIRST_CHUNK, mime="audio/" + "x" * 95)),
    Case("chunk-mime-empty", "audio_type", 415, chunk(FIRST_CHUNK, mime="")),
    Case("chunk-negative-seq", "bad_chunk_number", 400, chunk(FIRST_CHUNK, seq=-1)),
    # audio chunks: limits and order
    Case(
        "chunk-oversize",
        "chunk_too_large",
        413,
        chunk(EBML + bytes(70_000)),
        settings={"AUDIO_CHUNK_MAX_BYTES": 64 * 1024},
    ),
    Case(
        "chunk-over-recording-limit",
        "recording_too_large",
        413,
        chunk(bytes(3000), seq=1),
        setup=stored_first_chunk,
        settings={"AUDIO_RECORDING_MAX_BYTES": len(FIRST_CHUNK) + 1000},
    ),
    Case("chunk-gap", "chunk_gap", 409, chunk(bytes(100), seq=2), setup=stored_first_chunk),
    Case(
        "chunk-conflict", "chunk_conflict", 409, chunk(EBML + bytes(50)), setup=stored_first_chunk
    ),
    Case(
        "chunk-discarded",
        "recording_discarded",
        409,
        chunk(bytes(100), seq=1),
        setup=stored_then_discarded,
    ),
    Case(
        "chunk-visit-cancelled",
        "visit_locked",
        409,
        chunk(FIRST_CHUNK),
        setup=set_status(VisitStatus.CANCELLED),
    ),
]


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def front_desk(db: None) -> User:
    # No password: hashing one costs half a second per test and these tests never log in.
    return User.objects.create(username="desk-malformed")


def files_under(root: Path) -> set[Path]:
    # rglob("*") includes dot files: a leftover ".tmp-*.part" from an aborted write counts too.
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot(root: Path) -> tuple[int, int, int, set[Path]]:
    return (
        Photo.objects.count(),
        Recording.objects.count(),
        RecordingChunk.objects.count(),
        files_under(root),
    )


def test_the_table_covers_enough_cases() -> None:
    assert len(CASES) >= 20
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_it_refuses_malformed_uploads_and_keeps_nothing(
    case: Case, media: Path, front_desk: User, settings: SettingsWrapper
) -> None:
    ctx = Ctx(consenting_visit("Malformed"), front_desk)
    if case.setup is not None:
        case.setup(ctx)
    for name, value in case.settings.items():
        setattr(settings, name, value)
    before = snapshot(media)

    with pytest.raises(UploadRefused) as raised:
        case.call(ctx)

    refused = raised.value
    assert (refused.code, refused.status) == (case.code, case.status)
    assert refused.message.strip() and refused.message[0].isupper()
    assert snapshot(media) == before
