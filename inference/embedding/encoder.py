"""`SentenceEncoder`: text -> all-MiniLM-L6-v2 sentence vectors, with no PyTorch.

Same result as sentence-transformers' `SentenceTransformer("all-MiniLM-L6-v2").encode(...,
normalize_embeddings=True)`: WordPiece tokens from the model's own tokenizer.json, the BERT
forward pass in numpy (inference.embedding.bert), mean pooling over real tokens, L2 norm.

Sentences are sorted by token count and batched, so a batch pads to a similar length and
little work is wasted on padding; results come back in the caller's order.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Encoding, Tokenizer

from inference.embedding.bert import (
    BertWeights,
    FloatArray,
    IntArray,
    encode_tokens,
    load_weights,
    mean_pool_normalise,
)
from inference.embedding.blas_threads import limit_blas_threads
from inference.embedding.model_files import (
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    bundled_model_dir,
    check_mean_pooling,
    check_model_dir,
    read_bert_config,
)

# [CLS] + [SEP]: fewer tokens than this leaves no room for any text.
_MIN_TOKENS = 2


@dataclass(frozen=True)
class _Loaded:
    tokenizer: Tokenizer
    weights: BertWeights


def _load_tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """The model's tokenizer, truncating at `max_tokens` and not padding.

    tokenizer.json pads every text to 128 tokens; the encoder pads each batch itself, only to
    the batch's longest text.
    """
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _padded(encodings: Sequence[Encoding]) -> tuple[IntArray, IntArray]:
    """Right-padded (ids, mask) arrays for one batch; pad id 0 is masked out anyway."""
    width = max(len(encoding.ids) for encoding in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.attention_mask)] = encoding.attention_mask
    return ids, mask


def _length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar token count (stable, so ties keep input order)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


class SentenceEncoder:
    """all-MiniLM-L6-v2 (or a BERT model with the same file layout) as a numpy encoder.

    Load once per process and reuse: `load()` reads ~90 MB of weights; `encode()` is
    thread-safe (it only reads the weights) and may be called any number of times.
    `threads` caps numpy's BLAS threads during `encode` (None: numpy's default, all cores).
    """

    def __init__(self, model_dir: Path, *, max_tokens: int = 128, threads: int | None = None):
        if max_tokens < _MIN_TOKENS:
            raise ValueError(f"max_tokens must be at least {_MIN_TOKENS}, got {max_tokens}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be a positive number or None, got {threads}")
        self.model_dir = Path(model_dir)
        self.max_tokens = max_tokens
        self.threads = threads
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    @property
    def dim(self) -> int:
        """Embedding width (384 for MiniLM-L6); loads the model if needed."""
        return self._ensure_loaded().weights.config.hidden_size

    def load(self) -> None:
        """Read config, pooling config, weights and tokenizer; a second call does nothing.

        Raises EncoderModelMissing for absent files and UnsupportedModel for a model this
        encoder would compute wrongly (e.g. a pooling other than mean).
        """
        self._ensure_loaded()

    def _ensure_loaded(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._read_model()
            return self._loaded

    def _read_model(self) -> _Loaded:
        check_model_dir(self.model_dir)
        config = read_bert_config(self.model_dir)
        check_mean_pooling(self.model_dir, config.hidden_size)
        if self.max_tokens > config.max_positions:
            raise ValueError(
                f"max_tokens {self.max_tokens} exceeds the model's {config.max_positions}"
            )
        weights = load_weights(self.model_dir / WEIGHTS_FILE, config)
        tokenizer = _load_tokenizer(self.model_dir / TOKENIZER_FILE, self.max_tokens)
        return _Loaded(tokenizer=tokenizer, weights=weights)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray:
        """(len(texts), dim) float32 L2-normalised sentence vectors, in input order.

        Texts longer than `max_tokens` word pieces are truncated (as sentence-transformers
        does at its own max_seq_length).
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        model = self._ensure_loaded()
        dim = model.weights.config.hidden_size
        result = np.zeros((len(texts), dim), dtype=np.float32)
        if not texts:
            return result
        encodings = model.tokenizer.encode_batch(list(texts))
        batches = _length_batches([len(encoding.ids) for encoding in encodings], batch_size)
        with limit_blas_threads(self.threads):
            for batch in batches:
                ids, mask = _padded([encodings[i] for i in batch])
                hidden = encode_tokens(model.weights, ids, mask)
                result[batch] = mean_pool_normalise(hidden, mask)
        return result


@functools.cache
def shared_encoder() -> SentenceEncoder:
    """The process-wide encoder on the bundled model (loaded on first use, then reused)."""
    return SentenceEncoder(bundled_model_dir())
