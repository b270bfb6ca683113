"""Speech recognition benchmark: our transcribe() vs faster-whisper on the same audio.

    OMP_WAIT_POLICY is set per configuration; do not set it yourself.
    .venv/bin/python -m bench.bench_asr [--repeat 3] [--quick]

Makes ~40 s of espeak-ng speech, then runs every configuration in its own subprocess (one
engine per process, so peak memory - VmHWM from /proc/self/status, which counts C/C++
allocations that tracemalloc cannot see - belongs to that engine alone). Each subprocess
loads its engine, does one untimed warm-up run and `--repeat` timed runs; the table shows the
median. Prints a markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from inference.asr.wer import wer

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "ggml-tiny.en.bin"

SCRIPT = (
    "I have had chest pain since this morning and it spreads to my left arm. "
    "It started when I was climbing the stairs at work, about three hours ago. "
    "I also feel short of breath and a little dizzy, and I was sweating a lot. "
    "The pain is about seven out of ten and it does not go away when I rest. "
    "I have high blood pressure and diabetes, and I take my tablets every morning. "
    "My father had a heart attack when he was fifty two. "
    "I smoke about ten cigarettes a day. I am allergic to penicillin, it gives me a rash. "
    "I have not eaten anything since breakfast, and I feel sick in my stomach. "
    "I also have a headache, and my left hand feels weak and numb. "
    "My wife wanted to call an ambulance, but my son drove me here instead."
)


@dataclass(frozen=True)
class Config:
    engine: str  # "whisper.cpp" (our transcribe()) or "faster-whisper"
    compute: str  # "f16", "q8_0" (ggml) / "int8", "float32" (CTranslate2)
    threads: int
    wait_policy: str  # OMP_WAIT_POLICY
    word_timestamps: bool = True

    @property
    def label(self) -> str:
        words = "" if self.word_timestamps or self.engine != "whisper.cpp" else ", no words"
        return f"{self.engine} {self.compute}{words}"


def configs(quick: bool) -> list[Config]:
    threads_and_policies = [(2, "PASSIVE"), (1, "PASSIVE"), (2, "ACTIVE"), (1, "ACTIVE")]
    if quick:
        threads_and_policies = [(2, "PASSIVE")]
    out: list[Config] = []
    for threads, policy in threads_and_policies:
        out.append(Config("whisper.cpp", "f16", threads, policy))
        out.append(Config("faster-whisper", "int8", threads, policy))
    out.append(Config("whisper.cpp", "f16", 2, "PASSIVE", word_timestamps=False))
    out.append(Config("whisper.cpp", "q8_0", 2, "PASSIVE"))
    out.append(Config("whisper.cpp", "q8_0", 1, "PASSIVE"))
    out.append(Config("faster-whisper", "float32", 2, "PASSIVE"))
    if not quick:
        out.append(Config("faster-whisper", "float32", 2, "ACTIVE"))
    return out


# --------------------------------------------------------------------------------------------
# worker side (one engine per process)
# --------------------------------------------------------------------------------------------


def _proc_status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run_whisper_cpp(cfg: Config, wav: Path, model: Path, repeat: int) -> dict[str, Any]:
    from inference.asr import AsrConfig, WhisperEngine, transcribe

    rss_before = _proc_status_mb("VmRSS")
    started = time.perf_counter()
    engine = WhisperEngine(
        AsrConfig(model_path=model, threads=cfg.threads, word_timestamps=cfg.word_timestamps)
    )
    engine.load()
    load_s = time.perf_counter() - started
    transcribe(engine, [wav], language="en")  # warm-up: first call allocates compute buffers
    walls, overhead, text = [], [], ""
    for _ in range(repeat):
        t = transcribe(engine, [wav], language="en")
        walls.append(t.wall_seconds)
        overhead.append(1000 * (t.timings["decode"] + t.timings["trim"] + t.timings["map"]))
        text = t.text
        timings = {k: round(v * 1000, 1) for k, v in t.timings.items()}
    return {
        "load_s": load_s,
        "walls": walls,
        "overhead_ms": statistics.median(overhead),
        "timings_ms": timings,
        "speech_s": t.speech_seconds,
        "text": text,
        "rss_before_mb": rss_before,
    }


def _run_faster_whisper(cfg: Config, wav: Path, repeat: int) -> dict[str, Any]:
    from faster_whisper import WhisperModel

    from inference.audio import decode_to_16k_mono
    from inference.bundled import find_asr_ct2_dir

    audio = decode_to_16k_mono(wav)  # same samples as ours; its own decode is not timed
    rss_before = _proc_status_mb("VmRSS")
    started = time.perf_counter()
    model = WhisperModel(
        str(find_asr_ct2_dir()), device="cpu", compute_type=cfg.compute, cpu_threads=cfg.threads
    )
    load_s = time.perf_counter() - started

    def once() -> tuple[float, str]:
        t0 = time.perf_counter()
        segments, _info = model.transcribe(audio, beam_size=1, language="en", vad_filter=False)
        text = " ".join(s.text.strip() for s in segments)  # the generator does the work
        return time.perf_counter() - t0, text

    once()
    runs = [once() for _ in range(repeat)]
    return {
        "load_s": load_s,
        "walls": [w for w, _ in runs],
        "overhead_ms": None,
        "timings_ms": {},
        "speech_s": None,
        "text": runs[-1][1],
        "rss_before_mb": rss_before,
    }


def worker(cfg: Config, wav: Path, model: Path, repeat: int) -> None:
    if cfg.engine == "whisper.cpp":
        result = _run_whisper_cpp(cfg, wav, model, repeat)
    else:
        result = _run_faster_whisper(cfg, wav, repeat)
    result["peak_mb"] = _proc_status_mb("VmHWM")
    print(json.dumps(result))


# --------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------


def make_audio(out_dir: Path) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is required")
    wav = out_dir / "speech.wav"
    subprocess.run([espeak, "-w", str(wav), SCRIPT], check=True, capture_output=True)
    return wav


def make_q8_model(out_dir: Path) -> Path:
    from inference.bundled import find_asr_ct2_dir
    from inference.ct2ggml import convert

    out = out_dir / "ggml-tiny.en-q8_0.bin"
    convert(find_asr_ct2_dir(), out, quantize="q8_0")
    return out


def run_config(cfg: Config, wav: Path, model: Path, repeat: int) -> dict[str, Any]:
    env = {**os.environ, "OMP_WAIT_POLICY": cfg.wait_policy, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "bench.bench_asr", "--worker", json.dumps(asdict(cfg))]
    cmd += ["--wav", str(wav), "--model", str(model), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cfg.label} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def table(rows: list[tuple[Config, dict[str, Any]]], audio_s: float) -> str:
    lines = [
        "| engine | threads | OMP_WAIT_POLICY | load s | wall s (median) | RTF x | "
        "peak RSS MB | RSS delta MB | WER | our overhead ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cfg, r in rows:
        wall = statistics.median(r["walls"])
        overhead = "-" if r["overhead_ms"] is None else f"{r['overhead_ms']:.0f}"
        lines.append(
            f"| {cfg.label} | {cfg.threads} | {cfg.wait_policy} | {r['load_s']:.2f} | "
            f"{wall:.2f} | {audio_s / wall:.1f} | {r['peak_mb']:.0f} | "
            f"{r['peak_mb'] - r['rss_before_mb']:.0f} | {r['wer']:.3f} | {overhead} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_asr", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per configuration")
    parser.add_argument("--quick", action="store_true", help="2 threads, PASSIVE only")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--wav", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, default=MODEL, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(Config(**json.loads(args.worker)), args.wav, args.model, args.repeat)
        return 0

    from inference.audio import decode_to_16k_mono

    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        wav = make_audio(Path(tmp))
        q8 = make_q8_model(Path(tmp))
        audio_s = decode_to_16k_mono(wav).size / 16_000
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        rows = []
        for cfg in configs(args.quick):
            model = q8 if cfg.compute == "q8_0" else MODEL
            result = run_config(cfg, wav, model, args.repeat)
            result["wer"] = wer(SCRIPT, result["text"])
            rows.append((cfg, result))
            print(f"done: {cfg.label} t{cfg.threads} {cfg.wait_policy}", file=sys.stderr)
        load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"audio: {audio_s:.1f} s of espeak-ng speech; {os.cpu_count()} CPUs; "
        f"load average before {' '.join(load_before)}, after {' '.join(load_after)}\n"
    )
    print(table(rows, audio_s))
    ours = next(r for c, r in rows if c.engine == "whisper.cpp")
    print(f"\nour steps around the engine (ms, last run): {ours['timings_ms']}")
    print(f"speech kept after trimming: {ours['speech_s']:.1f} of {audio_s:.1f} s")
    for cfg, r in rows:
        if cfg.threads == 2 and cfg.wait_policy == "PASSIVE":
            print(f"\n{cfg.label}: {r['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
