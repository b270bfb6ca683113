"""Which patient languages a speech model understands, and what staff are told when not.

Languages come in as BCP 47 tags from intake ("en", "es-MX", "zh-Hant"); Whisper knows
ISO 639-1 codes (plus a few of its own: "jw", "haw", "yue").
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from inference.asr.ggml_header import N_VOCAB_WITH_CANTONESE, GgmlHeader, read_ggml_header

# Whisper's language table, in its token order (openai/whisper tokenizer.py; whisper.cpp has
# the same). English names are what staff read in warnings.
WHISPER_LANGUAGES: dict[str, str] = {
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "ru": "Russian",
    "ko": "Korean", "fr": "French", "ja": "Japanese", "pt": "Portuguese", "tr": "Turkish",
    "pl": "Polish", "ca": "Catalan", "nl": "Dutch", "ar": "Arabic", "sv": "Swedish",
    "it": "Italian", "id": "Indonesian", "hi": "Hindi", "fi": "Finnish", "vi": "Vietnamese",
    "he": "Hebrew", "uk": "Ukrainian", "el": "Greek", "ms": "Malay", "cs": "Czech",
    "ro": "Romanian", "da": "Danish", "hu": "Hungarian", "ta": "Tamil", "no": "Norwegian",
    "th": "Thai", "ur": "Urdu", "hr": "Croatian", "bg": "Bulgarian", "lt": "Lithuanian",
    "la": "Latin", "mi": "Maori", "ml": "Malayalam", "cy": "Welsh", "sk": "Slovak",
    "te": "Telugu", "fa": "Persian", "lv": "Latvian", "bn": "Bengali", "sr": "Serbian",
    "az": "Azerbaijani", "sl": "Slovenian", "kn": "Kannada", "et": "Estonian",
    "mk": "Macedonian", "br": "Breton", "eu": "Basque", "is": "Icelandic", "hy": "Armenian",
    "ne": "Nepali", "mn": "Mongolian", "bs": "Bosnian", "kk": "Kazakh", "sq": "Albanian",
    "sw": "Swahili", "gl": "Galician", "mr": "Marathi", "pa": "Punjabi", "si": "Sinhala",
    "km": "Khmer", "sn": "Shona", "yo": "Yoruba", "so": "Somali", "af": "Afrikaans",
    "oc": "Occitan", "ka": "Georgian", "be": "Belarusian", "tg": "Tajik", "sd": "Sindhi",
    "gu": "Gujarati", "am": "Amharic", "yi": "Yiddish", "lo": "Lao", "uz": "Uzbek",
    "fo": "Faroese", "ht": "Haitian Creole", "ps": "Pashto", "tk": "Turkmen",
    "nn": "Nynorsk", "mt": "Maltese", "sa": "Sanskrit", "lb": "Luxembourgish",
    "my": "Burmese", "bo": "Tibetan", "tl": "Tagalog", "mg": "Malagasy", "as": "Assamese",
    "tt": "Tatar", "haw": "Hawaiian", "ln": "Lingala", "ha": "Hausa", "ba": "Bashkir",
    "jw": "Javanese", "su": "Sundanese", "yue": "Cantonese",
}  # fmt: skip

# BCP 47 / ISO 639 spellings that Whisper writes differently.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jv": "jw", "fil": "tl", "nb": "no"}


class _HasHeader(Protocol):
    @property
    def header(self) -> GgmlHeader: ...


def whisper_code(language: str) -> str:
    """The Whisper code for a BCP 47 tag: primary subtag, lower case, aliases resolved."""
    primary = language.strip().replace("_", "-").split("-")[0].lower()
    return _ALIASES.get(primary, primary)


def language_name(language: str) -> str:
    """English name for staff ("Spanish"); the tag itself when Whisper does not know it."""
    return WHISPER_LANGUAGES.get(whisper_code(language)) or language


def supports_language(model: _HasHeader | GgmlHeader | Path, language: str) -> bool:
    """Can this model transcribe `language`? Takes an engine, a header, or a model path.

    Cheap for a path (reads 48 bytes), so the front desk can warn at intake time.
    """
    header = _header_of(model)
    code = whisper_code(language)
    if not header.multilingual:
        return code == "en"
    if code == "yue":
        return header.n_vocab >= N_VOCAB_WITH_CANTONESE
    return code in WHISPER_LANGUAGES


def language_warning(model: _HasHeader | GgmlHeader | Path, language: str) -> str:
    """What staff read when the model cannot handle the patient's language ("" when it can)."""
    if supports_language(model, language):
        return ""
    name = language_name(language)
    if not _header_of(model).multilingual:
        understands = "The speech model only understands English"
    else:
        understands = f"The speech model does not understand {name}"
    return (
        f"{understands}; this patient prefers {name}. "
        "Check the transcript with the patient or type the complaint."
    )


def _header_of(model: _HasHeader | GgmlHeader | Path) -> GgmlHeader:
    if isinstance(model, GgmlHeader):
        return model
    if isinstance(model, Path):
        return read_ggml_header(model)
    return model.header
