"""Read a whisper.cpp ggml model's header without loading the model.

Cheap (48 bytes), so the web process can ask "is this model multilingual?" at intake time
without loading whisper.cpp.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from inference.asr.errors import AsrError, ModelMissing

GGML_MAGIC = (0x67676D6C).to_bytes(4, "little")  # b"lmgg": whisper.cpp's legacy container
# English-only Whisper models have 51864 tokens; multilingual ones 51865 (large-v3: 51866,
# one more language token: Cantonese).
N_VOCAB_ENGLISH_ONLY = 51864
N_VOCAB_WITH_CANTONESE = 51866
_HEADER = struct.Struct("<4s11i")
_SIZES = {4: "tiny", 6: "base", 12: "small", 24: "medium", 32: "large"}


@dataclass(frozen=True)
class GgmlHeader:
    n_vocab: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int
    n_mels: int
    ftype: int  # 1 = f16; quantized files add 1000 * the quantization version

    @property
    def multilingual(self) -> bool:
        return self.n_vocab > N_VOCAB_ENGLISH_ONLY

    @property
    def size_name(self) -> str:
        """ "tiny", "base", ... ("large" with 4 decoder layers is large-v3-turbo)."""
        name = _SIZES.get(self.n_audio_layer, f"{self.n_audio_layer}-layer")
        if name == "large" and self.n_text_layer == 4:
            return "large-v3-turbo"
        return name if self.multilingual else f"{name}.en"


def read_ggml_header(path: Path) -> GgmlHeader:
    path = Path(path)
    if not path.is_file():
        raise ModelMissing(
            f"whisper model {path} does not exist; run `manage.py prepare_models` or set "
            "ASR_MODEL_PATH (models are never downloaded at run time)"
        )
    with path.open("rb") as fh:
        raw = fh.read(_HEADER.size)
    if len(raw) < _HEADER.size or raw[:4] != GGML_MAGIC:
        raise AsrError(f"{path} is not a whisper.cpp ggml model (magic {raw[:4]!r})")
    _magic, *fields = _HEADER.unpack(raw)
    return GgmlHeader(*fields)


def model_fingerprint(path: Path) -> str:
    """`<file name>@<first 12 hex digits of its sha256>`: which exact model made a transcript.

    The full hash is what IT compares with SHA256SUMS; 12 digits identify it in the UI. Hashing
    reads the file once (a 1.6 GB large model: a few seconds, once per worker process; the
    model load that follows then reads it from the page cache).
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return f"{Path(path).name}@{digest.hexdigest()[:12]}"
