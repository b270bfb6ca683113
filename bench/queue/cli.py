"""Queue page and live updates benchmark: one daphne process, a day of 1,000 visits (~60 open).

    .venv/bin/python -m bench.bench_queue          # about 3.5 minutes on 2 cores
    options: --rate 20 --duration 30 --nurses 20 --extra-rates 5 --closed 1,4,16
             --closed-seconds 15 --clients 20 --changes 50 --spacing 0.2
             --refetch-changes 15 --refetch-spacing 2

Isolation: its own PostgreSQL database (`intake_bench_queue` on the server of DATABASE_URL,
created, migrated and dropped here) and its own Redis databases (broker 6, channels 7; flushed
before and after), so nobody else's data or channel groups are touched.

Seeds one clinic day: 1,000 patients and visits (60 open across submitted ... roomed, plus one
"needs a nurse now" visit still at the front desk, which the queue shows too; the rest
seen/discharged/cancelled/left), ESI values, urgent flags, SafetyFiring rows, an AIDraft (with a
chief complaint) for every visit that got that far, the pipeline's step rows, and a nurse. Then
starts ONE `daphne intake.asgi:application` (DEBUG off, as production runs; daphne's default
access log on stdout, here a file, as in the compose image), logs in through the login form
(CSRF token and cookie), and measures:

1. In this process, without a server: the queue view's queries (count, SQL time) and where its
   time goes (new DB connection, visits query, rows(), template rendering).
2. Open loop: GET /queue/ at a constant rate (sent at fixed times whatever the responses, over
   at most --nurses keep-alive connections, one per nurse's browser); latency counts from the
   *scheduled* send time, so a server (or a busy browser) that falls behind is charged its
   queueing delay (no coordinated omission). The cap matters: daphne runs each request in
   flight in its own thread with its own PostgreSQL session, so an unbounded client would
   exhaust PostgreSQL's max_connections on a shared server. Every response must be 200 with
   the expected number of rows. The target rate, then `--extra-rates` (for comparison).
3. Saturation: closed loops of N clients back to back (each sends its next request when its
   previous one is answered); the best requests/s is what one web process can serve. Each load
   phase also reports daphne's CPU time per request (/proc/PID/stat), the generator's own and
   the most PostgreSQL sessions on the bench database (sampled every 50 ms).
4. WebSocket latency: N sockets on /ws/queue/ with the nurse's session cookie (autobahn's
   asyncio client, through daphne, in a child process: Django's `daphne` app ties this
   process's txaio to Twisted); this process moves visits (ready <-> summarizing, so the rows
   stay) with intake.lifecycle.transition at a fixed spacing and stamps the commit (its first
   on_commit hook, before the publish hook) and each socket the arrival of the matching
   (visit_id, version) message; both stamp time.monotonic(), one clock for the machine.
5. Extra, no target: the same with every socket re-fetching /queue/ on each message, as the
   page's htmx does: commit -> refreshed rows in each "browser".

Prints markdown tables (date, machine, settings, results vs targets) for docs/PERFORMANCE.md.
The load generator shares the machine's cores with daphne and PostgreSQL: its CPU per request
is printed so its share can be judged.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench.common import env_database_url, env_redis_url, isolated, load_average, setup_django
from bench.queue.base import BENCH_DB, BROKER_DB, CHANNELS_DB, bench_environment
from bench.queue.load import LoadResult, closed_loop, measured, open_loop, warm_up
from bench.queue.report import Report, render_report, settings_line
from bench.queue.seed import expected_rows, ready_visit_ids, seed
from bench.queue.server import Server, login, start_daphne
from bench.queue.view_profile import profile_view
from bench.queue.ws_clients import sockets_main
from bench.queue.ws_phase import websocket_phase

_N = TypeVar("_N", int, float)


def _next_phase(
    label: str,
    server: Server,
    base_url: str,
    phase: Callable[[], Coroutine[Any, Any, LoadResult]],
) -> LoadResult:
    """Says which phase starts, lets the previous one's connections settle (1 s), measures."""
    print(label, file=sys.stderr)
    time.sleep(1.0)
    return measured(server, base_url, phase)


def run(args: argparse.Namespace, env: dict[str, str], tmp: Path, base_url: str) -> None:
    # Dev settings serve static files from the source folders; there is no collectstatic here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    started, load_start = dt.datetime.now(dt.UTC), load_average(" / ")
    setup_django(env)
    password, visits = seed(random.Random(args.seed))
    rows = expected_rows()
    profile = profile_view()
    movers = ready_visit_ids(10)
    settings_text = settings_line()
    from django.db import connections

    connections.close_all()  # PostgreSQL sessions seen from here on are daphne's
    server = start_daphne(env, tmp)
    try:
        cookie = login(server.url, password)
        page_bytes = asyncio.run(warm_up(server.port, cookie, rows))
        load_before = load_average(" / ")
        print(f"open loop: {args.rate:g} req/s for {args.duration:g} s", file=sys.stderr)
        opened = measured(
            server,
            base_url,
            lambda: open_loop(server.port, cookie, args.rate, args.duration, rows, args.nurses),
        )
        extra_open: dict[float, LoadResult] = {}
        for rate in args.extra_rates:
            extra_open[rate] = _next_phase(
                f"open loop: {rate:g} req/s for {args.duration:g} s",
                server,
                base_url,
                partial(open_loop, server.port, cookie, rate, args.duration, rows, args.nurses),
            )
        closed: dict[int, LoadResult] = {}
        for n in args.closed:
            closed[n] = _next_phase(
                f"closed loop: {n} clients for {args.closed_seconds:g} s",
                server,
                base_url,
                partial(closed_loop, server.port, cookie, n, args.closed_seconds, rows),
            )
        print(f"websocket: {args.clients} sockets, {args.changes} changes", file=sys.stderr)
        ws = websocket_phase(
            server.port, cookie, rows, args.clients, movers, args.changes, args.spacing, False
        )
        refetch = None
        if args.refetch_changes:
            print(f"websocket + re-fetch: {args.refetch_changes} changes", file=sys.stderr)
            refetch = websocket_phase(
                server.port,
                cookie,
                rows,
                args.clients,
                movers,
                args.refetch_changes,
                args.refetch_spacing,
                True,
            )
        load_end = load_average(" / ")
        if server.popen.poll() is not None:
            sys.exit(f"daphne exited during the run:\n{server.tail()}")
        problems = [ln for ln in server.tail().splitlines() if "ERROR" in ln or "Traceback" in ln]
    finally:
        server.stop()
    print(
        render_report(
            Report(
                started=started,
                load_start=load_start,
                load_before_load=load_before,
                load_end=load_end,
                visits=visits,
                rows=rows,
                page_bytes=page_bytes,
                settings_line=settings_text,
                profile=profile,
                open=opened,
                rate=args.rate,
                extra_open=extra_open,
                closed=closed,
                ws=ws,
                spacing=args.spacing,
                refetch=refetch,
                refetch_spacing=args.refetch_spacing,
            )
        )
    )
    if problems:
        print("\ndaphne logged errors:\n" + "\n".join(problems[-10:]), file=sys.stderr)


def _numbers(text: str, kind: Callable[[str], _N]) -> list[_N]:
    try:
        return [kind(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None


def _counts(text: str) -> list[int]:
    values = _numbers(text, int)
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("client counts must be at least 1")
    return values


def _rates(text: str) -> list[float]:
    values = _numbers(text, float)
    if min(values, default=1.0) <= 0:
        raise argparse.ArgumentTypeError("rates must be positive")
    return values


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--sockets"]:
        return sockets_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench.bench_queue", description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="open loop requests/s")
    parser.add_argument("--duration", type=float, default=30.0, help="open loop seconds")
    parser.add_argument(
        "--nurses", type=int, default=20, help="open loop: browsers (connections) at most"
    )
    parser.add_argument(
        "--extra-rates", type=_rates, default=[5.0], help="more open-loop rates, no target"
    )
    parser.add_argument("--closed", type=_counts, default=[1, 4, 16], help="closed-loop clients")
    parser.add_argument("--closed-seconds", type=float, default=15.0, help="per closed loop")
    parser.add_argument("--clients", type=int, default=20, help="WebSocket clients")
    parser.add_argument("--changes", type=int, default=50, help="state changes")
    parser.add_argument("--spacing", type=float, default=0.2, help="seconds between changes")
    parser.add_argument(
        "--refetch-changes", type=int, default=15, help="changes with re-fetch (0: skip)"
    )
    parser.add_argument("--refetch-spacing", type=float, default=2.0, help="seconds apart")
    parser.add_argument("--seed", type=int, default=20261128, help="random seed for the data")
    args = parser.parse_args(argv)
    if min(args.rate, args.duration, args.nurses, args.clients, args.changes) <= 0:
        parser.error("--rate, --duration, --nurses, --clients and --changes must be positive")
    base_url, redis_url = env_database_url(), env_redis_url()
    env = bench_environment(base_url, redis_url)
    services = isolated(base_url, BENCH_DB, redis_url, (BROKER_DB, CHANNELS_DB))
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp, services:
        run(args, env, Path(tmp), base_url)
    return 0
