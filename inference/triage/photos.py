"""Photos for the vision model: bytes in, bounded JPEG data: URIs out.

The library is only ever handed `data:` URIs built here from bytes: an http(s) URL would be
fetched by llama-cpp-python and a file path would let a request name any file on the server.
Images are decoded with Pillow (size-checked first), turned upright by their EXIF orientation,
stripped of metadata (EXIF GPS, camera serials) by re-encoding, and downscaled so the longest
side is at most `max_side` pixels: the vision encoder works at 896x896 anyway and a 12 MP photo
as base64 would be ~5 MB of prompt plumbing.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Refuse decompression bombs before decoding: a 16k x 16k image is already absurd for a tablet.
MAX_PIXELS = 16_384 * 16_384


class PhotoError(ValueError):
    def __init__(self, code: str, user_message: str) -> None:
        super().__init__(user_message)
        self.code = code
        self.user_message = user_message


@dataclass(frozen=True)
class PhotoInput:
    data: bytes
    name: str = "photo"  # for messages only; never opened as a path by the library


def to_data_uri(photo: PhotoInput, max_side: int = 896, quality: int = 85) -> str:
    try:
        with Image.open(io.BytesIO(photo.data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise PhotoError("photo_too_large", f"{photo.name}: image is too large")
            upright = ImageOps.exif_transpose(img)
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoError("photo_unreadable", f"{photo.name}: not a readable image") from exc
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
