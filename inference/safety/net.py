"""The red-flag net: its layers run together wherever text enters (transcript, typed
complaint, the AI's record) and combined as a union, one firing per rule.

    net = RedFlagNet.load()                       # once per process (loads the encoder)
    report = net.screen(index, age_years=58)      # SafetyReport: firings + ESI floor

When both layers fire the same rule, the word rules' firing is kept: it names the exact
words and can be "definite"; the meaning match only ever says "possible".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from inference.embedding import shared_encoder
from inference.evidence import TranscriptIndex
from inference.safety.check import run_rules, transcript_document
from inference.safety.document import Document
from inference.safety.report import Firing, SafetyReport
from inference.safety.semantic import SemanticConfig, SemanticLayer
from inference.transcript import Segment, Transcript

LAYERS = ("rules", "semantic")


def union(firings: Iterable[Firing]) -> list[Firing]:
    """One firing per rule: word rules before the meaning match, then the most urgent."""
    order = {"rules": 0, "model": 1, "semantic": 2}
    best: dict[str, Firing] = {}
    for f in firings:
        kept = best.get(f.rule_id)
        if kept is None or (order[f.layer], f.esi_floor) < (order[kept.layer], kept.esi_floor):
            best[f.rule_id] = f
    return list(best.values())


class RedFlagNet:
    def __init__(self, semantic: SemanticLayer | None, layers: Sequence[str] = LAYERS) -> None:
        unknown = set(layers) - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown layers {sorted(unknown)}; choose from {LAYERS}")
        if "semantic" in layers and semantic is None:
            raise ValueError("the semantic layer needs a SemanticLayer")
        self.semantic = semantic
        self.layers = tuple(layers)

    @classmethod
    def load(
        cls,
        *,
        layers: Sequence[str] = LAYERS,
        config: SemanticConfig | None = None,
        cache_dir: Path | None = None,
    ) -> RedFlagNet:
        """Load what the layers need: the sentence encoder and its exemplars (~1 s with the
        exemplar cache in `cache_dir`, ~9 s without)."""
        semantic = None
        if "semantic" in layers:
            semantic = SemanticLayer(shared_encoder(), config, cache_dir)
            semantic.load()
        return cls(semantic, layers)

    def screen(
        self,
        transcript: Transcript | TranscriptIndex,
        *,
        age_years: float | None = None,
        source: str = "transcript",
    ) -> SafetyReport:
        index = (
            transcript if isinstance(transcript, TranscriptIndex) else TranscriptIndex(transcript)
        )
        return self.screen_documents([transcript_document(index)], [age_years], source)[0]

    def screen_texts(
        self, texts: Sequence[str], ages: Sequence[float | None], source: str = "typed"
    ) -> list[SafetyReport]:
        """Many texts at once (one encoder call): the `red_flags` command and benchmarks."""
        docs = [transcript_document(TranscriptIndex(text_transcript(t))) for t in texts]
        return self.screen_documents(docs, ages, source)

    def screen_documents(
        self, docs: Sequence[Document], ages: Sequence[float | None], source: str
    ) -> list[SafetyReport]:
        found: list[list[Firing]] = [[] for _ in docs]
        if "rules" in self.layers:
            for i, (doc, age) in enumerate(zip(docs, ages, strict=True)):
                found[i] += run_rules(doc, age, source).firings
        if "semantic" in self.layers and self.semantic is not None:
            scores = self.semantic.score(docs)
            for i, (doc, age) in enumerate(zip(docs, ages, strict=True)):
                # Words the word rules already explained are not read again for a meaning:
                # "my six week old is burning up" is an infant fever, not also confusion.
                explained = _explained(doc, found[i])
                unexplained = [
                    w for w in scores[i] if not explained & set(range(w.first, w.last + 1))
                ]
                found[i] += self.semantic.firings(doc, unexplained, age, source)
        return [SafetyReport.of(union(f)) for f in found]


def _explained(doc: Document, firings: list[Firing]) -> set[int]:
    """Word indices inside the evidence of the word rules' firings."""
    spans = [
        (e.text_start, e.text_end)
        for f in firings
        for e in f.evidence
        if e.text_start is not None and e.text_end is not None
    ]
    return {i for i, w in enumerate(doc.words) if any(lo <= w.start < hi for lo, hi in spans)}


def text_transcript(text: str) -> Transcript:
    return Transcript(
        segments=(Segment(0, 0.0, 0.0, text.strip()),), model_id="text", language="en"
    )
