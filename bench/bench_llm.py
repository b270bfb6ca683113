"""Triage LLM benchmark: constrained (our grammar) vs free generation on the same prompt.

    .venv/bin/python -m bench.bench_llm [--runs 2] [--max-tokens 320] [--threads 2]
                                        [--model models/gemma3-270m-q4_k_m.gguf]

Runs in a subprocess (one model per process, so its peak memory - VmHWM from
/proc/self/status, which sees llama.cpp's own allocations - belongs to this model alone).
The subprocess loads the model, then for each mode does `--runs` generations from a cold KV
cache (so every run pays the full prompt) and reports the median. It also times what our
code adds around the engine calls: building the request (prompt + token counting), the
grammar, parsing/validating the output, locating evidence, and the safety rules. Prints
markdown tables for docs/performance-llm.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "gemma3-270m-q4_k_m.gguf"

SCRIPT = (
    "I have had chest pain since this morning and it spreads to my left arm.",
    "It started when I was climbing the stairs at work, about three hours ago.",
    "I also feel short of breath and a little dizzy, and I was sweating a lot.",
    "The pain is about seven out of ten and it does not go away when I rest.",
    "I have high blood pressure and diabetes, and I take metformin every morning.",
    "I am allergic to penicillin, it gives me a rash. My heart rate was 112.",
)


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def worker(model: Path, threads: int, max_tokens: int, runs: int) -> dict[str, Any]:
    from inference.evidence import TranscriptIndex, locate_items
    from inference.llm_engine import LlmConfig, LlmEngine
    from inference.safety import check_record, check_transcript
    from inference.transcript import Segment, Transcript
    from inference.triage import PatientContext, TriageRecord, build_request, parse_record
    from inference.triage.grammar import grammar_for

    engine = LlmEngine(
        LlmConfig(model_path=model, threads=threads, n_ctx=4096, max_tokens=max_tokens)
    )
    engine.load()
    transcript = Transcript(
        segments=tuple(Segment(i, 4.0 * i, 4.0 * i + 4.0, text) for i, text in enumerate(SCRIPT)),
        model_id="bench",
        language="en",
    )
    patient = PatientContext(age_years=58, sex="male")
    ours: dict[str, float] = {}

    started = time.perf_counter()
    grammar = grammar_for(engine.config.bounds)
    ours["grammar_build_ms"] = _ms(started)
    started = time.perf_counter()
    request = build_request(engine, transcript.text, patient)
    ours["request_build_ms"] = _ms(started)

    modes: dict[str, list[dict[str, Any]]] = {"constrained": [], "free": []}
    outputs: list[str] = []
    for _ in range(runs):
        for mode in modes:
            engine.llm.reset()  # cold KV cache: every run evaluates the whole prompt
            gen = engine.generate(
                request.messages,
                grammar=grammar if mode == "constrained" else None,
                max_tokens=max_tokens,
            )
            modes[mode].append(
                {
                    "prompt_tokens": gen.prompt_tokens,
                    "prompt_s": gen.prompt_seconds,
                    "generated_tokens": gen.generated_tokens,
                    "generation_s": gen.generation_seconds,
                    "finish": gen.finish_reason,
                }
            )
            if mode == "constrained":
                outputs.append(gen.text)

    started = time.perf_counter()
    parsed = [parse_record(text) for text in outputs]
    ours["parse_ms"] = _ms(started) / len(outputs)
    records = [p for p in parsed if isinstance(p, TriageRecord)]
    started = time.perf_counter()
    index = TranscriptIndex(transcript)
    report = check_transcript(index, age_years=patient.age_years)
    ours["safety_transcript_ms"] = _ms(started)
    if records:
        started = time.perf_counter()
        locate_items(records[0].quotes(), index)
        ours["evidence_ms"] = _ms(started)
        started = time.perf_counter()
        check_record(records[0], index, age_years=patient.age_years)
        ours["safety_record_ms"] = _ms(started)
    return {
        "model": model.name,
        "threads": threads,
        "max_tokens": max_tokens,
        "runs": runs,
        "load_s": engine.load_seconds,
        "modes": modes,
        "valid": len(records),
        "firings": [f.rule_id for f in report.firings],
        "ours": ours,
        "vm_hwm_mb": _vm_hwm_mb(),
    }


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in rows)


def table(result: dict[str, Any]) -> str:
    modes = result["modes"]
    lines = [
        f"Model `{result['model']}`, {result['threads']} threads, max_tokens "
        f"{result['max_tokens']}, median of {result['runs']} cold-cache runs per mode.",
        "",
        "| mode | prompt tokens | prompt tok/s | generated tokens | generation s | gen tok/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rates = {}
    for mode, rows in modes.items():
        prompt_rate = _median(rows, "prompt_tokens") / max(1e-9, _median(rows, "prompt_s"))
        gen_rate = statistics.median(
            r["generated_tokens"] / max(1e-9, r["generation_s"]) for r in rows
        )
        rates[mode] = gen_rate
        lines.append(
            f"| {mode} | {_median(rows, 'prompt_tokens'):.0f} | {prompt_rate:.0f} | "
            f"{_median(rows, 'generated_tokens'):.0f} | {_median(rows, 'generation_s'):.2f} | "
            f"{gen_rate:.1f} |"
        )
    ratio = rates["constrained"] / max(1e-9, rates["free"])
    ours = result["ours"]
    lines += [
        "",
        "| measure | value |",
        "|---|---:|",
        f"| constrained / free generation speed | {ratio:.2f}x |",
        f"| valid records (constrained) | {result['valid']}/{result['runs']} |",
        f"| model load | {result['load_s']:.2f} s |",
        f"| peak memory (VmHWM of the process) | {result['vm_hwm_mb']:.0f} MB |",
    ]
    labels = {
        "request_build_ms": "our code: build request (prompt + token count)",
        "grammar_build_ms": "our code: grammar from schema (once per process)",
        "parse_ms": "our code: parse + validate output",
        "evidence_ms": "our code: locate evidence (all quotes)",
        "safety_transcript_ms": "our code: safety rules on transcript",
        "safety_record_ms": "our code: safety rules on record",
    }
    for key, label in labels.items():
        if key in ours:
            lines.append(f"| {label} | {ours[key]:.1f} ms |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=320)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = worker(args.model, args.threads, args.max_tokens, args.runs)
        print(json.dumps(result))
        return
    if not args.model.is_file():
        sys.exit(f"model not found: {args.model} (make models)")
    command = [sys.executable, "-m", "bench.bench_llm", "--worker", "--model", str(args.model)]
    command += ["--threads", str(args.threads), "--max-tokens", str(args.max_tokens)]
    command += ["--runs", str(args.runs)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"benchmark worker failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(table(result))


if __name__ == "__main__":
    main()
