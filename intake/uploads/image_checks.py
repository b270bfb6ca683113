"""Refusals for photo uploads, and the container walk that finds where a JPEG, PNG or WebP
really ends: anything after it (a ZIP, HTML, a script, a "motion photo" video) is refused
before Pillow ever decodes the file (see intake.uploads.photos for why)."""

from __future__ import annotations

from intake.mediastore.crypto import human_size
from intake.uploads.errors import BadUpload, UnsupportedUpload, UploadTooLarge

# ISO-BMFF major brands of HEIF/HEIC still images (iPad camera "High Efficiency").
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
# Padding some encoders leave after the end marker; it cannot carry content.
_PADDING = b"\x00\xff"


# --- refusals ----------------------------------------------------------------------------------


def too_large(max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(
        "photo_too_large",
        f"The photo is larger than the {human_size(max_bytes)} limit; take it again with the "
        "tablet's normal camera setting.",
    )


def unsupported(detail: str) -> UnsupportedUpload:
    return UnsupportedUpload(
        "photo_unsupported",
        "This file is not a photo the intake can use (JPEG, PNG or WebP); take the photo "
        "with the tablet's camera.",
        detail=detail,
    )


def corrupt(detail: str) -> BadUpload:
    return BadUpload(
        "photo_corrupt",
        "The photo is damaged or incomplete (the upload may have been cut off); take it again.",
        detail=detail,
    )


def trailing(detail: str) -> BadUpload:
    return BadUpload(
        "photo_trailing_data",
        "This photo file carries extra data after the picture and was refused for safety; "
        "take the photo again with the tablet's camera (with 'motion photo' turned off).",
        detail=detail,
    )


# --- structure checks (before Pillow sees the bytes) -------------------------------------------


def check_structure(data: bytes) -> None:
    """Refuse empty files, HEIC, anything that is not JPEG/PNG/WebP by its signature, and
    JPEG/PNG/WebP files that are truncated or carry bytes after their end."""
    if not data:
        raise BadUpload("photo_empty", "The photo arrived empty; take it again.")
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise UnsupportedUpload(
            "photo_heic",
            "This photo is in the iPad's HEIC format, which the intake cannot read; set "
            "Settings > Camera > Formats to 'Most Compatible' and take the photo again.",
            detail=f"ISO-BMFF brand {data[8:12]!r}",
        )
    if data.startswith(b"\xff\xd8"):
        end = _jpeg_end(data)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        end = _png_end(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        end = _webp_end(data)
    else:
        raise unsupported(f"signature {data[:8].hex()}")
    rest = data[end:]
    if rest.translate(None, _PADDING):
        raise trailing(f"{len(rest)} bytes after the image end")


def _jpeg_end(data: bytes) -> int:
    """Offset just past the JPEG's EOI marker, walking the segment structure (so an EOI inside
    an EXIF thumbnail or the entropy-coded data is not mistaken for the end)."""
    n = len(data)
    i = 2
    while True:
        if i >= n:
            raise corrupt("JPEG ends without an end-of-image marker")
        if data[i] != 0xFF:
            raise corrupt(f"JPEG: no marker at offset {i}")
        while i < n and data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= n:
            raise corrupt("JPEG ends inside a marker")
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI
            return i
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # TEM, RSTn: no length
            continue
        if marker in (0x00, 0xD8):
            raise corrupt(f"JPEG: unexpected marker {marker:#04x}")
        if i + 2 > n:
            raise corrupt("JPEG ends inside a segment header")
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2:
            raise corrupt("JPEG: bad segment length")
        i += length
        if i > n:
            raise corrupt("JPEG ends inside a segment")
        if marker == 0xDA:  # SOS: entropy-coded data runs to the next real marker
            i = _scan_end(data, i)


def _scan_end(data: bytes, i: int) -> int:
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            raise corrupt("JPEG ends inside the image data")
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed 0xFF, restart marker
            i = j + 2
        elif following == 0xFF:  # fill byte: the marker starts at the next 0xFF
            i = j + 1
        else:
            return j


def _png_end(data: bytes) -> int:
    """Offset just past the IEND chunk."""
    n = len(data)
    i = 8
    while True:
        if i + 8 > n:
            raise corrupt("PNG ends without an IEND chunk")
        length = int.from_bytes(data[i : i + 4], "big")
        if length > 0x7FFFFFFF:
            raise corrupt("PNG: bad chunk length")
        chunk_type = data[i + 4 : i + 8]
        i += 12 + length
        if i > n:
            raise corrupt("PNG ends inside a chunk")
        if chunk_type == b"IEND":
            return i


def _webp_end(data: bytes) -> int:
    """Offset just past the RIFF container (its size field counts everything after byte 8)."""
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise corrupt("WebP ends before its RIFF size")
    return end
