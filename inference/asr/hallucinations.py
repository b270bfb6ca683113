"""Drop what Whisper says when nobody speaks.

Whisper was trained on subtitles; over silence and noise it produces the phrases subtitle
files are full of. A segment is dropped when its text is one of those phrases AND it lies
mostly outside detected speech (so a patient who really says "thank you" keeps it), or when
it is only a non-speech annotation ("[BLANK_AUDIO]", "(music)", "*coughs*"), which never
carries the patient's words. The list is deliberately small: every entry can hide speech.
"""

from __future__ import annotations

import re

# Normalised (lower case, no punctuation) full-segment texts.
SILENCE_PHRASES = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "you",
        "bye",
        "please subscribe",
        "subtitles by the amara org community",
    }
)
# A segment that is nothing but bracketed/starred/music-note annotations.
_ANNOTATION_ONLY = re.compile(r"^(?:\s*(?:\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]+))+\s*$")
# whisper.cpp's own marker for silence, which it can also emit inside a segment.
_BLANK_MARKER = re.compile(r"\s*\[BLANK_AUDIO\]\s*")
# Below this share of detected speech a segment counts as "over silence".
MIN_SPEECH_FRACTION = 0.5


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def strip_markers(text: str) -> str:
    return _BLANK_MARKER.sub(" ", text).strip()


def is_hallucination(text: str, speech_fraction: float) -> bool:
    """True for annotation-only text, or a silence phrase over mostly non-speech audio."""
    if not text.strip() or _ANNOTATION_ONLY.match(text):
        return True
    return normalise(text) in SILENCE_PHRASES and speech_fraction < MIN_SPEECH_FRACTION
