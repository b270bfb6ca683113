"""The numpy all-MiniLM-L6-v2 encoder (inference.embedding) against PyTorch reference vectors.

tests/data/minilm_reference.json was produced by scripts/minilm_reference.py with transformers'
BertModel on the same bundled files (mean pooling + L2 norm, as sentence-transformers does).
No database is used; the model loads once for the module (~0.2 s).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import inference.embedding.model_files as model_files
from inference.embedding import (
    MODEL_DISTRIBUTION,
    EncoderModelMissing,
    SentenceEncoder,
    UnsupportedModel,
    bundled_model_dir,
)
from inference.embedding.gelu import gelu

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"
DIM = 384


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    model = SentenceEncoder(bundled_model_dir())
    model.load()
    return model


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def test_it_matches_the_pytorch_reference_vectors(
    encoder: SentenceEncoder, reference: dict[str, Any]
) -> None:
    rows = reference["sentences"]
    assert reference["package_version"] == "0.1.0"
    assert len(rows) >= 6
    vectors = encoder.encode([row["text"] for row in rows])
    for row, vector in zip(rows, vectors, strict=True):
        expected = np.array(row["embedding"], dtype=np.float64)
        assert expected.shape == (DIM,)
        cosine = float(vector @ expected / np.linalg.norm(expected))
        max_diff = float(np.abs(vector - expected).max())
        assert cosine > 0.9999, (row["text"], cosine)
        assert max_diff < 1e-4, (row["text"], max_diff)


def test_it_is_deterministic_and_independent_of_batching(encoder: SentenceEncoder) -> None:
    short = "I can't catch my breath"
    long = (
        "The pain started in the middle of my chest about an hour ago while I was carrying "
        "the shopping up the stairs, it feels like a heavy weight pressing down, it spreads "
        "into my left arm and my jaw, I feel sick and sweaty and a bit light-headed, and "
        "resting for twenty minutes has not made it any better at all."
    )
    alone = encoder.encode([short])
    # In one batch the short sentence is padded to the long one's length: only masking
    # keeps the padding out of its vector.
    padded = encoder.encode([long, short, long.upper()], batch_size=8)
    one_by_one = encoder.encode([long, short, long.upper()], batch_size=1)
    assert float(np.abs(padded[1] - alone[0]).max()) < 1e-5
    assert float(np.abs(padded - one_by_one).max()) < 1e-5
    assert np.array_equal(encoder.encode([short]), alone)


def test_it_returns_an_empty_matrix_for_no_texts(encoder: SentenceEncoder) -> None:
    empty = encoder.encode([])
    assert empty.shape == (0, DIM)
    assert empty.dtype == np.float32


def test_it_returns_unit_rows_in_input_order(encoder: SentenceEncoder) -> None:
    texts = ["", "ok", "My 3-year-old has had a fever of 39.5 since Tuesday!", "ok"]
    vectors = encoder.encode(texts, batch_size=2)
    assert vectors.shape == (len(texts), DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(vectors[1] - vectors[3]).max()) < 1e-6


def test_it_ranks_a_paraphrase_above_an_unrelated_sentence(encoder: SentenceEncoder) -> None:
    anchor, paraphrase, unrelated = encoder.encode(
        ["I can't catch my breath", "I am short of breath", "my ankle is sprained"]
    )
    assert float(anchor @ paraphrase) > float(anchor @ unrelated) + 0.2


def test_it_truncates_texts_longer_than_max_tokens(encoder: SentenceEncoder) -> None:
    very_long = " ".join(["wheezing"] * 1000)  # ~3000 word pieces, past the 512 positions
    vector = encoder.encode([very_long])
    assert vector.shape == (1, DIM)
    assert np.isfinite(vector).all()


def test_it_raises_a_typed_error_for_a_missing_model_dir(tmp_path: Path) -> None:
    with pytest.raises(EncoderModelMissing, match=MODEL_DISTRIBUTION):
        SentenceEncoder(tmp_path / "no-such-model").load()


def test_it_raises_a_typed_error_when_the_package_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(model_files, "MODEL_PACKAGE", "no_such_minilm_package_xyz")
    with pytest.raises(EncoderModelMissing, match=MODEL_DISTRIBUTION):
        bundled_model_dir()


def test_it_finds_the_model_without_importing_its_package() -> None:
    sys.modules.pop(model_files.MODEL_PACKAGE, None)
    model_dir = bundled_model_dir()
    assert (model_dir / "model.safetensors").is_file()
    assert model_files.MODEL_PACKAGE not in sys.modules


def test_it_refuses_a_pooling_other_than_mean(tmp_path: Path) -> None:
    source = bundled_model_dir()
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        (tmp_path / name).symlink_to(source / name)
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    with pytest.raises(UnsupportedModel, match="mean pooling"):
        SentenceEncoder(tmp_path).load()


def test_it_computes_exact_erf_gelu() -> None:
    grid = np.linspace(-10.0, 10.0, 20001)
    exact = np.array([x * 0.5 * (1.0 + math.erf(x / math.sqrt(2.0))) for x in grid])
    approx = gelu(grid.astype(np.float32))
    assert float(np.abs(approx - exact).max()) < 1e-6
