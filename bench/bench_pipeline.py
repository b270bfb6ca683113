"""Pipeline benchmark: N visits with ~40 s of speech each, submitted at once, through real
`asr` and `llm` Celery worker subprocesses with the configured (bundled) models.

    .venv/bin/python -m bench.bench_pipeline [--visits 5] [--max-tokens 320]
                                             [--asr-threads 2] [--llm-threads 2]

Isolation: its own PostgreSQL database (`intake_bench` on the server of DATABASE_URL, created,
migrated and dropped here), its own Redis databases (broker 12, channels 13; flushed) and a
temporary encrypted media store, so the dev database's patients are never touched.

The audio is espeak-ng speech of bench_asr's chest-pain script (red flags: chest pain, short of
breath), encoded as a browser's MediaRecorder would (webm/opus 32 kbit/s) and stored as 5 s
upload chunks. The workers load their models before anything is submitted (their heartbeat rows
say so), so model loading is not timed.

Everything is measured from what the pipeline itself records: the visit's `status_changed_at`
(ready), ProcessingStep rows (queued = created -> started, run = started -> finished),
the Transcript's `wall_seconds` (ASR engine: decode + whisper.cpp), the draft's timings
(LLM engine: prompt + generation), SafetyFiring rows (first red flag) and the `queue` events as
a nurse's browser receives them from the channel layer. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bench_asr import SCRIPT
from bench.common import (
    Process,
    env_database_url,
    env_redis_url,
    isolated,
    load_average,
    server_url,
    setup_django,
    spawn,
)

CELERY = str(Path(sys.executable).parent / "celery")
BENCH_DB = "intake_bench"
BROKER_DB, CHANNELS_DB = 12, 13  # dev uses 0/1, the tests 10/11
CHUNK_SECONDS = 5  # RECORDING_CHUNK_SECONDS: what the tablet's recorder sends


# --- isolated services -------------------------------------------------------------------------


def bench_environment(tmp: Path, args: argparse.Namespace) -> dict[str, str]:
    """Environment for this process (set before Django starts) and for the workers."""
    from intake.mediastore import generate_key_file

    key = tmp / "media.key"
    generate_key_file(key)
    return {
        "DATABASE_URL": server_url(env_database_url(), BENCH_DB),
        "REDIS_BROKER_DB": str(BROKER_DB),
        "REDIS_CHANNELS_DB": str(CHANNELS_DB),
        "MEDIA_ROOT": str(tmp / "media"),
        "MEDIA_ENCRYPTION_KEY_FILE": str(key),
        # Bounded like the pipeline tests: the bundled base model fills whatever room it gets.
        "LLM_MAX_TOKENS": str(args.max_tokens),
        "ASR_THREADS": str(args.asr_threads),
        "LLM_THREADS": str(args.llm_threads),
        # whisper.cpp's threads busy-wait otherwise and starve the llm worker (FACTS.md).
        "OMP_WAIT_POLICY": "PASSIVE",
        "WORKER_HEARTBEAT_SECONDS": "2",
    }


# --- audio -------------------------------------------------------------------------------------


def browser_webm(out_dir: Path) -> bytes:
    """~40 s of speech as MediaRecorder records it: webm/opus at 32 kbit/s."""
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is required")
    wav, webm = out_dir / "speech.wav", out_dir / "speech.webm"
    subprocess.run(["espeak-ng", "-w", str(wav), SCRIPT], check=True, capture_output=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "libopus", "-b:a", "32k", str(webm)],
        check=True,
        capture_output=True,
    )
    return webm.read_bytes()


def audio_seconds(data: bytes) -> float:
    from inference.audio import decode_to_16k_mono

    return float(decode_to_16k_mono(data).size) / 16_000


# --- workers -----------------------------------------------------------------------------------


@dataclass
class Worker(Process):
    queue: str
    # stop() signals its process group: the pool child (which holds the model) goes too.
    stop_timeout = 20.0

    @property
    def node(self) -> str:
        return f"{self.queue}@bench"


def start_worker(queue: str, env: dict[str, str], log_dir: Path) -> Worker:
    log = log_dir / f"{queue}.log"
    argv = [CELERY, "-A", "intake", "worker", "-Q", queue, "-c", "1", "-n", f"{queue}@bench"]
    argv += ["--without-mingle", "--without-gossip", "--loglevel", "INFO"]
    return Worker(spawn(argv, env, log), log, queue)


def wait_for(
    predicate: Callable[[], bool], timeout: float, what: str, workers: list[Worker]
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        for worker in workers:
            if worker.popen.poll() is not None:
                sys.exit(f"the {worker.queue} worker exited:\n{worker.tail()}")
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {w.queue}\n{w.tail()}" for w in workers)
            sys.exit(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")
        time.sleep(0.25)


def models_loaded(workers: list[Worker]) -> bool:
    from intake.models import WorkerHeartbeat

    nodes = {w.node for w in workers}
    loaded = WorkerHeartbeat.objects.filter(hostname__in=nodes, model_loaded_at__isnull=False)
    return loaded.count() == len(nodes)


# --- events ------------------------------------------------------------------------------------


class EventListener:
    """Joins group "queue" like a nurse's socket and stamps each event on arrival; it drains
    continuously because channel-layer messages expire (30 s)."""

    def __init__(self) -> None:
        self.events: list[tuple[dt.datetime, dict[str, Any]]] = []
        self.ready, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        from channels.layers import get_channel_layer
        from django.utils import timezone

        layer: Any = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("queue", channel)
        self.ready.set()
        while not self.stop.is_set():
            try:
                event = await asyncio.wait_for(layer.receive(channel), 0.5)
            except TimeoutError:
                continue
            self.events.append((timezone.now(), event))

    @contextlib.contextmanager
    def running(self) -> Iterator[EventListener]:
        self.thread.start()
        if not self.ready.wait(10):
            sys.exit("the event listener could not join the queue group")
        try:
            yield self
        finally:
            self.stop.set()
            self.thread.join(10)

    def first(self, visit_id: int, status: str) -> dt.datetime | None:
        return next(
            (at for at, e in self.events if e["visit_id"] == visit_id and e["status"] == status),
            None,
        )

    def count(self, visit_id: int) -> int:
        return sum(1 for _, e in self.events if e["visit_id"] == visit_id)


# --- visits ------------------------------------------------------------------------------------


def make_visits(count: int, webm: bytes, seconds: float) -> list[int]:
    """`count` visits, each with the same recording in browser-sized upload chunks."""
    from tests.factories import add_recording, make_visit

    parts = max(1, math.ceil(seconds / CHUNK_SECONDS))
    ids = []
    for n in range(count):
        visit = make_visit(name=f"Bench Patient {n}")
        add_recording(visit, webm, parts=parts, mime="audio/webm;codecs=opus")
        ids.append(visit.pk)
    return ids


def submit_all(visit_ids: list[int]) -> dict[int, dt.datetime]:
    from django.utils import timezone

    from intake.pipeline.submit import submit_visit

    submitted = {}
    for visit_id in visit_ids:
        submitted[visit_id] = timezone.now()
        submit_visit(visit_id, None)
    return submitted


def all_finished(visit_ids: list[int]) -> bool:
    from intake.models import Visit

    done = Visit.objects.filter(pk__in=visit_ids, status__in=["ready", "failed"]).count()
    return done == len(visit_ids)


# --- measurements ------------------------------------------------------------------------------


@dataclass
class VisitTiming:
    visit_id: int
    status: str
    total_s: float  # submit -> ready
    first_flag_s: float | None  # submit -> first SafetyFiring row
    asr_queued_s: float
    asr_engine_s: float
    llm_queued_s: float
    llm_engine_s: float
    ready_event_lag_s: float | None  # ready committed -> event received
    events: int
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def outside_s(self) -> float:
        return self.total_s - self.asr_engine_s - self.llm_engine_s

    @property
    def queued_s(self) -> float:
        return self.asr_queued_s + self.llm_queued_s


def _seconds(later: dt.datetime | None, earlier: dt.datetime | None) -> float:
    if later is None or earlier is None:
        return float("nan")
    return (later - earlier).total_seconds()


def measure(visit_id: int, submitted: dt.datetime, events: EventListener) -> VisitTiming:
    from django.db.models import Min

    from intake.models import AIDraft, ProcessingStep, SafetyFiring, Transcript, Visit

    visit = Visit.objects.get(pk=visit_id)
    steps = {s.step: s for s in ProcessingStep.objects.filter(visit_id=visit_id, status="done")}
    asr, llm = steps.get("asr"), steps.get("llm")
    transcript = Transcript.objects.filter(visit_id=visit_id, is_current=True).first()
    draft = AIDraft.objects.filter(visit_id=visit_id, is_current=True).first()
    first_flag = SafetyFiring.objects.filter(visit_id=visit_id).aggregate(t=Min("created_at"))["t"]
    timings = draft.timings if draft is not None else {}
    ready_event = events.first(visit_id, "ready")
    return VisitTiming(
        visit_id=visit_id,
        status=visit.status,
        total_s=_seconds(visit.status_changed_at, submitted),
        first_flag_s=_seconds(first_flag, submitted) if first_flag is not None else None,
        asr_queued_s=_seconds(asr.started_at, asr.created_at) if asr else float("nan"),
        asr_engine_s=transcript.wall_seconds if transcript else float("nan"),
        llm_queued_s=_seconds(llm.started_at, llm.created_at) if llm else float("nan"),
        llm_engine_s=float(timings.get("prompt_s", 0.0)) + float(timings.get("generate_s", 0.0)),
        ready_event_lag_s=_seconds(ready_event, visit.status_changed_at) if ready_event else None,
        events=events.count(visit_id),
        extra={"generated_tokens": float(timings.get("generated_tokens", 0))},
    )


def percentile(values: list[float], p: int) -> float:
    """Linear interpolation between the nearest ranks (numpy's default)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- report ------------------------------------------------------------------------------------


def visit_table(rows: list[VisitTiming]) -> str:
    lines = [
        "| visit | status | submit->ready s | first red flag s | asr queued s | asr engine s | "
        "llm queued s | llm engine s | tokens | outside engines ms | of which queued ms | "
        "DB/events/code ms | events | ready event lag ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        flag = "-" if r.first_flag_s is None else f"{r.first_flag_s:.1f}"
        lag = "-" if r.ready_event_lag_s is None else f"{1000 * r.ready_event_lag_s:.0f}"
        lines.append(
            f"| {r.visit_id} | {r.status} | {r.total_s:.1f} | {flag} | {r.asr_queued_s:.1f} | "
            f"{r.asr_engine_s:.1f} | {r.llm_queued_s:.1f} | {r.llm_engine_s:.1f} | "
            f"{r.extra['generated_tokens']:.0f} | {1000 * r.outside_s:.0f} | "
            f"{1000 * r.queued_s:.0f} | {1000 * (r.outside_s - r.queued_s):.0f} | {r.events} | "
            f"{lag} |"
        )
    return "\n".join(lines)


def summary_table(rows: list[VisitTiming], window_s: float) -> str:
    ready = [r for r in rows if r.status == "ready"]
    totals = [r.total_s for r in ready] or [float("nan")]
    flags = [r.first_flag_s for r in rows if r.first_flag_s is not None] or [float("nan")]
    other = [1000 * (r.outside_s - r.queued_s) for r in ready] or [float("nan")]
    lags = [1000 * r.ready_event_lag_s for r in ready if r.ready_event_lag_s is not None]
    measures = [
        ("visits ready / submitted", f"{len(ready)} / {len(rows)}"),
        ("window (first submit -> last ready)", f"{window_s:.1f} s"),
        ("throughput", f"{60 * len(ready) / window_s:.2f} visits/min"),
        (
            "submit->ready p50 / p95",
            f"{percentile(totals, 50):.1f} / {percentile(totals, 95):.1f} s",
        ),
        (
            "time to first red flag p50 / min / max",
            f"{percentile(flags, 50):.1f} / {min(flags):.1f} / {max(flags):.1f} s",
        ),
        ("asr worker busy share (engine time / window)", _share(rows, "asr", window_s)),
        ("llm worker busy share (engine time / window)", _share(rows, "llm", window_s)),
        (
            "outside the engines per visit, mean (all of it)",
            f"{statistics.mean(1000 * r.outside_s for r in ready):.0f} ms" if ready else "-",
        ),
        (
            "  of which waiting in a queue, mean",
            f"{statistics.mean(1000 * r.queued_s for r in ready):.0f} ms" if ready else "-",
        ),
        (
            "  of which DB, events, our code, hand-offs: p50 / max",
            f"{percentile(other, 50):.0f} / {max(other):.0f} ms",
        ),
        (
            "ready event: status change -> received, p50 / max",
            f"{percentile(lags, 50):.0f} / {max(lags):.0f} ms" if lags else "-",
        ),
    ]
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in measures]
    return "\n".join(lines)


def _share(rows: list[VisitTiming], queue: str, window_s: float) -> str:
    busy = sum(r.asr_engine_s if queue == "asr" else r.llm_engine_s for r in rows)
    return f"{100 * busy / window_s:.0f}% ({busy:.1f} s)"


# --- main --------------------------------------------------------------------------------------


def run(args: argparse.Namespace, tmp: Path, env: dict[str, str]) -> None:
    setup_django(env)
    from django.conf import settings

    webm = browser_webm(tmp)
    seconds = audio_seconds(webm)
    workers = [start_worker(q, env, tmp) for q in ("asr", "llm")]
    try:
        wait_for(lambda: models_loaded(workers), 300, "the workers to load their models", workers)
        visit_ids = make_visits(args.visits, webm, seconds)
        with EventListener().running() as events:
            load_before = load_average()
            submitted = submit_all(visit_ids)
            wait_for(lambda: all_finished(visit_ids), args.timeout, "all visits", workers)
            time.sleep(1.0)  # let the last events arrive
            load_after = load_average()
    finally:
        for worker in workers:
            worker.stop()
    rows = [measure(v, submitted[v], events) for v in visit_ids]
    first = min(submitted.values())
    # First submit -> last visit finished.
    window = max(r.total_s + (submitted[r.visit_id] - first).total_seconds() for r in rows)
    spread = (max(submitted.values()) - first).total_seconds()
    print(
        f"{dt.date.today().isoformat()}: {args.visits} visits of {seconds:.1f} s webm/opus speech "
        f"({math.ceil(seconds / CHUNK_SECONDS)} upload chunks each), submitted within "
        f"{1000 * spread:.0f} ms; {os.cpu_count()} CPUs; load average (1/5/15 min) "
        f"{load_before} at submit, {load_after} at the end"
    )
    print(
        f"workers: asr ({settings.ASR_MODEL_PATH.name}, {args.asr_threads} threads) and llm "
        f"({settings.LLM_MODEL_PATH.name}, {args.llm_threads} threads, max_tokens "
        f"{args.max_tokens}), concurrency 1 each, OMP_WAIT_POLICY=PASSIVE\n"
    )
    print(visit_table(rows))
    print()
    print(summary_table(rows, window))
    failed = [r for r in rows if r.status != "ready"]
    if failed:
        from intake.models import Visit

        for r in failed:
            reason = Visit.objects.values_list("status_reason", flat=True).get(pk=r.visit_id)
            print(f"visit {r.visit_id}: {r.status}: {reason}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pipeline", description=__doc__)
    parser.add_argument("--visits", type=int, default=5, help="visits submitted at once")
    parser.add_argument("--max-tokens", type=int, default=320, help="LLM_MAX_TOKENS")
    parser.add_argument("--asr-threads", type=int, default=2, help="ASR_THREADS")
    parser.add_argument("--llm-threads", type=int, default=2, help="LLM_THREADS")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for all visits")
    args = parser.parse_args(argv)
    if args.visits < 1:
        parser.error("--visits must be at least 1")
    base_url, redis_url = env_database_url(), env_redis_url()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp_dir:
        tmp = Path(tmp_dir)
        env = bench_environment(tmp, args)
        with isolated(base_url, BENCH_DB, redis_url, (BROKER_DB, CHANNELS_DB)):
            run(args, tmp, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
