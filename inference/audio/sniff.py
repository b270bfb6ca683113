"""Recognise the container from its first bytes, before FFmpeg sees the file.

FFmpeg's own probing is too generous for uploads: it opens a PNG or JPEG as a one-frame
"video", and random bytes now and then probe as MP3 and decode into noise. Naming the demuxer
from a short list of signatures makes the outcome predictable: a known audio container is
opened with exactly that demuxer; a known non-audio file or text is `UnsupportedAudio`;
anything else is damaged (`AudioCorrupt`).
"""

from __future__ import annotations

from inference.audio.errors import AudioCorrupt, UnsupportedAudio

HEAD_BYTES = 64

# ISO-BMFF brands that are still images, not recordings (iPad photos are HEIC).
_IMAGE_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
# First-box types of old QuickTime files that have no ftyp box.
_QUICKTIME_BOXES = (b"moov", b"mdat", b"free", b"wide", b"skip")

_NOT_AUDIO: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon"),
)


def sniff_container(head: bytes) -> str:
    """The PyAV demuxer name for a file starting with `head` (first 64 bytes or fewer).

    Raises UnsupportedAudio for recognisably non-audio files and AudioCorrupt otherwise.
    """
    fmt = _audio_container(head)
    if fmt is not None:
        return fmt
    for magic, what in _NOT_AUDIO:
        if head.startswith(magic):
            raise UnsupportedAudio(f"upload is {what}, not audio")
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"AVI "):
        raise UnsupportedAudio(f"upload is a RIFF {head[8:12]!r} file, not audio")
    if head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS:
        raise UnsupportedAudio(f"upload is an image (brand {head[8:12]!r}), not audio")
    if _looks_like_text(head):
        raise UnsupportedAudio("upload is a text file, not audio")
    raise AudioCorrupt(f"unrecognised file signature {head[:8].hex()}")


def _audio_container(head: bytes) -> str | None:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"  # EBML: WebM (Chrome/Android MediaRecorder) and Matroska
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        # mp4/m4a/3gp/mov all go through FFmpeg's one mov demuxer (iPad Safari: audio/mp4).
        return None if head[8:12] in _IMAGE_BRANDS else "mov"
    if head[4:8] in _QUICKTIME_BOXES:
        return "mov"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"caff"):
        return "caf"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 3 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:
            return "aac"  # ADTS: sync word, layer 00
        valid_layer = head[1] & 0x06 != 0
        valid_rates = head[2] >> 4 != 0x0F and (head[2] >> 2) & 0x03 != 0x03
        if head[1] & 0xE0 == 0xE0 and valid_layer and valid_rates:
            return "mp3"  # MPEG audio frame sync, valid layer, bitrate and sample rate
    return None


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sniffed bytes is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text) and all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
