"""The meaning-match layer: each sentence (or a window of a long run-on sentence) is embedded
with all-MiniLM-L6-v2 and compared with exemplars of each rule.

Exemplars: phrases written for each rule (inference.safety.exemplars) and the windows of the
dev splits' red flags that hold the word rules' evidence (learned_exemplars.json, built by
`python -m bench.build_exemplars` from the dev splits only, never the test split). The
contrast set: written ordinary complaints and every window of the dev splits' benign lines.

A window fires a rule, as "possible", when
- its cosine similarity to one of the rule's exemplars is at least `threshold`, and
- that beats its similarity to every ordinary exemplar by at least `margin`, and
- it has at least `min_words` words and no negation, hypothetical, someone-else or past cue
  (embeddings cannot tell "I have chest pain" from "I have no chest pain"; scope cues can).
Threshold and margin: leave-one-dev-split-out, the most recall with the layer's own false
alarms at most 2.5% (docs/RED_FLAGS.md). Exemplar vectors are cached (`cache_dir`): embedding
~2,000 of them takes ~8 s on two cores, loading the cache well under one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.embedding import SentenceEncoder
from inference.safety.document import Document
from inference.safety.exemplars import EXEMPLARS, ORDINARY
from inference.safety.lexicon.scopes import WEAK_NEGATIONS
from inference.safety.limits import INFANT_BELOW_YEARS
from inference.safety.match import Cue
from inference.safety.report import Firing, make_firing
from inference.safety.rules import RULES_BY_ID, Rule
from inference.safety.text import sentence_spans

log = logging.getLogger(__name__)
LEARNED_EXEMPLARS = Path(__file__).with_name("learned_exemplars.json")


@dataclass(frozen=True)
class SemanticConfig:
    threshold: float = 0.55
    margin: float = 0.06
    window: int = 14  # words per window of a long sentence
    stride: int = 7
    min_words: int = 4  # "blood." alone says too little to mean anything


@dataclass(frozen=True)
class ExemplarSet:
    red_flags: tuple[tuple[str, str], ...]  # (rule id, phrase)
    ordinary: tuple[str, ...]

    @classmethod
    def written(cls) -> ExemplarSet:
        red = tuple((rule_id, p) for rule_id, ps in EXEMPLARS.items() for p in ps)
        return cls(red, tuple(ORDINARY))

    def plus(self, other: ExemplarSet) -> ExemplarSet:
        return ExemplarSet(self.red_flags + other.red_flags, self.ordinary + other.ordinary)

    def as_json(self) -> dict[str, object]:
        return {"red_flags": [list(p) for p in self.red_flags], "ordinary": list(self.ordinary)}


def default_exemplars() -> ExemplarSet:
    """The written exemplars plus those learned from the dev splits (learned_exemplars.json)."""
    written = ExemplarSet.written()
    if not LEARNED_EXEMPLARS.is_file():
        return written
    data = json.loads(LEARNED_EXEMPLARS.read_text(encoding="utf-8"))
    learned = ExemplarSet(
        tuple((str(r), str(t)) for r, t in data["red_flags"] if r in RULES_BY_ID),
        tuple(str(t) for t in data["ordinary"]),
    )
    return written.plus(learned)


@dataclass(frozen=True)
class WindowScore:
    first: int  # word indices of the window, inclusive
    last: int
    rule_id: str
    score: float  # best similarity to that rule's exemplars
    ordinary: float  # best similarity to an ordinary complaint
    out_of_scope: bool


def windows(doc: Document, size: int, stride: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for lo, hi in sentence_spans(doc.words):
        if hi - lo + 1 <= size:
            spans.append((lo, hi))
            continue
        start = lo
        while True:
            end = min(start + size - 1, hi)
            spans.append((start, end))
            if end == hi:
                break
            start += stride
    return spans


def _inside(cues: list[Cue], lo: int, hi: int) -> bool:
    return any(lo <= c.first <= hi for c in cues)


def out_of_scope(doc: Document, lo: int, hi: int) -> bool:
    s = doc.scopes
    negations = [c for c in s.negations if doc.words[c.first].norm not in WEAK_NEGATIONS]
    if _inside(negations, lo, hi) or _inside(s.hypotheticals, lo, hi):
        return True
    if _inside(s.others, lo, hi) or (_inside(s.histories, lo, hi) and _inside(s.people, lo, hi)):
        return True
    if _inside(s.pasts, lo, hi) and not _inside(s.recents, lo, hi):
        return True
    # A window cut from a sentence that asks "what would I do if...": never a present danger,
    # even where the window holds no cue itself. (Carrying a denial or an "if" in from before
    # the window's first word cost more emergencies than it saved false alarms.)
    return s.strongly_hypothetical_at(lo)


class SemanticLayer:
    """Loaded once per process (the exemplars are embedded at load)."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        config: SemanticConfig | None = None,
        cache_dir: Path | None = None,
        exemplar_set: ExemplarSet | None = None,
    ) -> None:
        self.encoder = encoder
        self.config = config or SemanticConfig()
        self.cache_dir = cache_dir
        self.exemplar_set = exemplar_set
        self._labels: list[str] = []
        self._vectors: np.ndarray | None = None
        self._ordinary: np.ndarray | None = None

    def load(self) -> None:
        if self._vectors is not None:
            return
        self.encoder.load()
        chosen = self.exemplar_set or default_exemplars()
        red, ordinary = list(chosen.red_flags), list(chosen.ordinary)
        self._labels = [rule_id for rule_id, _ in red]
        texts = [t for _, t in red] + ordinary
        vectors = self._cached_vectors(texts)
        self._vectors, self._ordinary = vectors[: len(red)], vectors[len(red) :]

    def _cached_vectors(self, texts: list[str]) -> np.ndarray:
        """The exemplars' vectors, from the cache when it was made from the same texts and
        model files; a missing or unwritable cache only costs time."""
        key = hashlib.sha256(json.dumps([self._model_key(), texts]).encode()).hexdigest()[:16]
        path = self.cache_dir / f"red-flag-exemplars-{key}.npy" if self.cache_dir else None
        if path is not None and path.is_file():
            try:
                cached: np.ndarray = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached.astype(np.float32)
            except (OSError, ValueError):
                log.warning("red-flag exemplar cache %s unreadable; embedding again", path)
        vectors = self.encoder.encode(texts)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors.astype(np.float16))
            except OSError:
                log.warning("cannot write the red-flag exemplar cache %s", path)
        return vectors

    def _model_key(self) -> list[object]:
        files = sorted(p for p in self.encoder.model_dir.glob("*") if p.is_file())
        return [(p.name, p.stat().st_size) for p in files]

    def score(self, docs: Sequence[Document]) -> list[list[WindowScore]]:
        """Every window of every document with its best rule (one encode call for all)."""
        self.load()
        assert self._vectors is not None and self._ordinary is not None
        spans = [windows(d, self.config.window, self.config.stride) for d in docs]
        texts = [
            d.text_of(lo, hi)
            for d, doc_spans in zip(docs, spans, strict=True)
            for lo, hi in doc_spans
        ]
        vectors = self.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        rule_sims = vectors @ self._vectors.T if texts else np.zeros((0, 0))
        ordinary = (vectors @ self._ordinary.T).max(axis=1) if texts else np.zeros(0)
        out: list[list[WindowScore]] = []
        row = 0
        for doc, doc_spans in zip(docs, spans, strict=True):
            scores = []
            for lo, hi in doc_spans:
                best = int(np.argmax(rule_sims[row]))
                scores.append(
                    WindowScore(
                        lo,
                        hi,
                        self._labels[best],
                        float(rule_sims[row, best]),
                        float(ordinary[row]),
                        out_of_scope(doc, lo, hi),
                    )
                )
                row += 1
            out.append(scores)
        return out

    def firings(
        self, doc: Document, scores: list[WindowScore], age: float | None, source: str
    ) -> list[Firing]:
        fired: dict[str, Firing] = {}
        for w in sorted(scores, key=lambda w: -w.score):
            if w.rule_id in fired or not self.fires(w, age):
                continue
            if w.rule_id == "danger_zone_vitals" and _has_reading(doc, w):
                continue  # numbers were read and judged by the word rules; the encoder
                # cannot tell a pulse of 72 from one of 172
            rule = RULES_BY_ID[w.rule_id]
            fired[w.rule_id] = make_firing(
                rule,
                doc,
                [(w.first, w.last)],
                source=source,
                level="possible",
                reason=f"sounds like: {rule.category.replace('_', ' ')} (similarity {w.score:.2f})",
                floor=_floor(rule),
                layer="semantic",
            )
        return list(fired.values())

    def fires(self, w: WindowScore, age: float | None) -> bool:
        if w.out_of_scope or w.score < self.config.threshold:
            return False
        if w.last - w.first + 1 < self.config.min_words:
            return False
        if w.score - w.ordinary < self.config.margin:
            return False
        # The infant rule is about age: a known older patient cannot have it.
        return not (w.rule_id == "infant_fever" and age is not None and age >= INFANT_BELOW_YEARS)


def _floor(rule: Rule) -> int:
    return rule.possible_floor if rule.possible_floor is not None else rule.esi_floor


def _has_reading(doc: Document, w: WindowScore) -> bool:
    return any(r.first <= w.last and w.first <= r.last for r in doc.readings)
