"""The one exception the converter raises for input it cannot convert faithfully."""

from __future__ import annotations


class ConversionError(RuntimeError):
    """The CTranslate2 directory does not look like a Whisper model we know how to convert."""
