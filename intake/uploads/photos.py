"""Photos from the tablet: checked by decoding, re-encoded without metadata, stored encrypted.

What is stored is never the uploaded file: it is a fresh JPEG re-encoded from the decoded
pixels, so nothing hidden in the upload (GPS position, camera serial, XMP, comments, a ZIP or a
script appended after the image) can reach the disk, a nurse's browser or the LLM.

Decisions:
- Output is always JPEG (quality 85), documents included. Camera photos of documents are
  already lossy and noisy; as PNG they would be 5-10x larger for no legible gain, and one
  output type keeps serving and the LLM input simple.
- Multi-frame images (animated PNG/WebP, MPO) are refused, not cut to their first frame: a
  tablet camera never produces them, so the file did not come from the camera and the clerk
  should take the photo again rather than have the server guess which frame matters.
- Accepted inputs: JPEG, PNG, WebP. HEIC (iPad "High Efficiency") cannot be decoded here; the
  clerk is told to switch the camera to "Most Compatible".
- Bytes after the image's end marker are refused (polyglots: JPEG+ZIP, JPEG+HTML, "motion
  photos" with a video appended), even though re-encoding would drop them: such a file was not
  produced by the tablet's camera in capture mode and may be an attempt to smuggle content.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from intake.mediastore.django import get_store
from intake.models import Photo, PhotoKind
from intake.uploads.common import Readable, lock_accepting_visit, require_accepting_visit, user_id
from intake.uploads.errors import BadUpload, UnsupportedUpload, UploadConflict, UploadTooLarge
from intake.uploads.image_checks import check_structure, corrupt, too_large, unsupported

if TYPE_CHECKING:
    from intake.roles import Actor

log = logging.getLogger(__name__)

JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"
PHOTO_SUBDIR = "photos"
# Pillow plugins allowed to open an upload; everything else is refused before decoding.
_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


# --- reading -----------------------------------------------------------------------------------


def read_limited(source: Readable, max_bytes: int) -> bytes:
    """All of `source`, or "photo_too_large" as soon as more than `max_bytes` arrive (reads at
    most max_bytes + 1 bytes, whatever the source claims about itself)."""
    # Django's UploadedFile knows its size already; a handler's too-large placeholder has no
    # content at all (intake.uploads.handlers), so trust a size that refuses, never one that
    # accepts.
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise too_large(max_bytes)
    parts: list[bytes] = []
    total = 0
    while total <= max_bytes:
        # A raw stream may return fewer bytes than asked for: loop until EOF.
        part = source.read(max_bytes + 1 - total)
        if not part:
            break
        parts.append(part)
        total += len(part)
    if total > max_bytes:
        raise too_large(max_bytes)
    return b"".join(parts)


# --- decoding and re-encoding ------------------------------------------------------------------


def _pixel_limit(max_pixels: int) -> int:
    # Per call, never by changing Image.MAX_IMAGE_PIXELS (global, shared by every thread). Pillow
    # warns (DecompressionBombWarning) only above its own global limit; keeping ours at or below
    # it means every image Pillow would warn about is refused here: the warning is never the
    # only thing standing between a bomb and a decode.
    ceiling = Image.MAX_IMAGE_PIXELS
    return max_pixels if ceiling is None else min(max_pixels, ceiling)


def _too_many_pixels(width: int, height: int, limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        "photo_too_many_pixels",
        f"The photo has too many pixels (over {limit / 1_000_000:g} megapixels); take it "
        "again with the tablet's normal camera setting.",
        detail=f"{width}x{height}",
    )


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open (header only, nothing decoded yet) and check format, frame count and pixel count."""
    limit = _pixel_limit(max_pixels)
    try:
        image = Image.open(io.BytesIO(data), formats=_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(0, 0, limit) from exc
    except UnidentifiedImageError as exc:
        raise unsupported("Pillow cannot identify it") from exc
    except Exception as exc:  # any parser failure on untrusted bytes means a damaged file
        raise corrupt(f"open failed: {type(exc).__name__}") from exc
    try:
        _check_opened(image, limit)
    except BaseException:
        image.close()
        raise
    return image


def _check_opened(image: Image.Image, limit: int) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise corrupt(f"{width}x{height}")
    if width * height > limit:
        raise _too_many_pixels(width, height, limit)
    frames = getattr(image, "n_frames", 1)
    if frames > 1 or getattr(image, "is_animated", False):
        raise UnsupportedUpload(
            "photo_animated",
            "This file holds several pictures (an animation or a multi-picture file); take "
            "a single photo with the tablet's camera.",
            detail=f"{image.format} with {frames} frames",
        )


# Modes littleCMS can convert from with the matching embedded profile.
_ICC_MODES = frozenset({"RGB", "RGBA", "L", "CMYK"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "La", "RGBa", "PA"})


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: 16-bit grey scaled down, colour profile applied, alpha on white."""
    if image.mode.startswith("I;16") or image.mode == "I":
        # convert("RGB") would clip 16-bit values to white; scale them to 8 bits instead.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    has_alpha = image.mode in _ALPHA_MODES or (image.mode == "P" and "transparency" in image.info)
    icc = image.info.get("icc_profile")
    if icc and image.mode in _ICC_MODES:
        # Before any other conversion: the profile describes the pixels as stored (a CMYK
        # profile only applies to CMYK pixels).
        image = _to_srgb(image, icc, "RGBA" if has_alpha else "RGB")
    image = image.convert("RGBA" if has_alpha else "RGB")
    if has_alpha:
        # White, not black: a transparent screenshot of a document stays readable.
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return image


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """Apply the embedded colour profile (iPads shoot Display P3) so colours survive dropping
    it: a wound's redness must look the same to the nurse."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        # A fresh sRGB profile per call (microseconds): littleCMS handles are not meant to be
        # shared between threads.
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        # A broken or mismatched profile is not worth refusing the photo over: the colours
        # may be slightly off, the picture is still useful.
        log.warning("photo colour profile ignored: %s", type(exc).__name__)
        return image
    return converted if converted is not None else image


def _decode(image: Image.Image, max_edge: int) -> Image.Image:
    width, height = image.size
    scale = max_edge / max(width, height)
    if scale < 1 and image.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves at least the
        # target size: far less memory and time for a large camera photo.
        image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
    image.load()
    # Orientation from EXIF first (the camera stores portraits sideways), metadata after.
    transposed = ImageOps.exif_transpose(image)
    rgb = _to_rgb(transposed)
    if max(rgb.size) > max_edge:
        rgb.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return rgb


def _encode(image: Image.Image) -> bytes:
    # A fresh JPEG with no metadata at all: no EXIF, XMP, ICC or comment is passed to save(),
    # and info is cleared so no Pillow version can carry any over.
    image.info.clear()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def clean_photo(
    source: Readable, *, max_bytes: int, max_pixels: int, max_edge: int | None = None
) -> CleanPhoto:
    """Read, check and re-encode an uploaded photo; UploadRefused says why it cannot be used.

    Reads at most max_bytes + 1 bytes. The type is decided by decoding the content (JPEG, PNG
    or WebP), never by the file name or the declared content type. The result's longest edge
    is at most `max_edge` (default settings.PHOTO_MAX_EDGE).
    """
    data = read_limited(source, max_bytes)
    check_structure(data)
    if max_edge is None:
        max_edge = int(settings.PHOTO_MAX_EDGE)
    with _open(data, max_pixels) as image:
        try:
            clean = _decode(image, max_edge)
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(*image.size, _pixel_limit(max_pixels)) from exc
        except Exception as exc:
            # Truncated or damaged pixel data (LOAD_TRUNCATED_IMAGES stays off), or any other
            # decoder failure on untrusted bytes.
            raise corrupt(f"decode failed: {type(exc).__name__}") from exc
    encoded = _encode(clean)
    return CleanPhoto(encoded, CONTENT_TYPE, clean.width, clean.height)


# --- saving ------------------------------------------------------------------------------------


def _check_kind(kind: str) -> PhotoKind:
    try:
        return PhotoKind(kind)
    except ValueError:
        raise BadUpload(
            "photo_kind", "Pick what the photo shows (wound, rash, medication, document, other)."
        ) from None


def _check_room(visit_id: int) -> None:
    count = Photo.objects.filter(visit_id=visit_id, deleted_at__isnull=True).count()
    if count >= settings.PHOTO_MAX_PER_VISIT:
        raise UploadConflict(
            "photo_limit",
            f"This visit already has {settings.PHOTO_MAX_PER_VISIT} photos, the most it can "
            "hold; remove one before adding another.",
            detail=f"{count} photos",
        )


def save_photo(visit_id: int, source: Readable, kind: str, actor: Actor) -> Photo:
    """Clean `source` and store it as a photo of the visit; the new Photo row.

    The visit must still be open to the front desk (intake.states.EDITABLE) and below
    PHOTO_MAX_PER_VISIT photos. Decoding and encryption run before the visit row is locked (a
    large photo takes a second); the state and the count are checked again under the lock.
    Either the row and the file both exist afterwards, or neither does. Call it outside any
    transaction (views are not ATOMIC_REQUESTS): a rollback of an outer transaction after this
    returns would leave an orphaned (encrypted) file.
    """
    photo_kind = _check_kind(kind)
    require_accepting_visit(visit_id)
    _check_room(visit_id)
    clean = clean_photo(
        source, max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS
    )
    store = get_store()
    stored = store.save(clean.data, subdir=PHOTO_SUBDIR)
    try:
        with transaction.atomic():
            lock_accepting_visit(visit_id)
            _check_room(visit_id)
            photo = Photo.objects.create(
                visit_id=visit_id,
                kind=photo_kind.value,
                media_name=stored.name,
                content_type=clean.content_type,
                size=stored.size,
                sha256=stored.sha256,
                width=clean.width,
                height=clean.height,
                created_by_id=user_id(actor),
            )
    except BaseException:
        store.delete(stored.name)
        raise
    return photo
