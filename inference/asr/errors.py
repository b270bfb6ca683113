"""Errors of the speech engine itself (the model), as opposed to the audio (inference.audio)."""

from __future__ import annotations


class AsrError(RuntimeError):
    pass


class ModelMissing(AsrError):
    """The configured ggml model file does not exist (we never fall back to downloading)."""
