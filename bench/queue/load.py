"""HTTP load on /queue/: the open loop (a constant rate), closed loops (saturation) and the
warm-up, each phase charged daphne's and this process's CPU time and the PostgreSQL sessions."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.common import server_url
from bench.queue.base import BENCH_DB
from bench.queue.httpclient import HttpClient, check_page
from bench.queue.server import Server


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)  # scheduled -> actually sent
    wall_s: float = 0.0
    connections: int = 0
    server_cpu_s: float = 0.0  # daphne's user + system CPU during the phase
    client_cpu_s: float = 0.0  # this process's (the load generator)
    max_db_sessions: int = 0  # sessions on the bench database, most seen (50 ms samples)
    sent: int = 0
    nurses: int = 0  # open loop: connections at most

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s else float("nan")

    def resources(self) -> str:
        """daphne / generator CPU ms per request; most PostgreSQL sessions."""
        n = len(self.latencies) or 1
        return (
            f"{1000 * self.server_cpu_s / n:.1f} / {1000 * self.client_cpu_s / n:.1f}; "
            f"{self.max_db_sessions}"
        )


async def open_loop(
    port: int, cookie: str, rate: float, duration: float, rows: int, nurses: int
) -> LoadResult:
    # One keep-alive connection per nurse's browser, at most: past saturation, a request waits
    # in its browser (and that wait counts, from its scheduled time) instead of opening yet
    # another server thread and PostgreSQL connection (one per request in flight, unbounded).
    client = HttpClient(port, cookie, limit=nurses)
    await client.prewarm(nurses)
    result = LoadResult(nurses=nurses)

    async def one(scheduled: float) -> None:
        result.sent += 1
        result.send_lag.append(time.perf_counter() - scheduled)
        try:
            status, body = await client.get("/queue/")
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors.append(type(exc).__name__)
            return  # reported as an error, and the run fails its target
        result.latencies.append(time.perf_counter() - scheduled)
        if (problem := check_page(status, body, rows)) is not None:
            result.errors.append(problem)

    count = round(rate * duration)
    start = time.perf_counter() + 0.2
    tasks = []
    for i in range(count):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    result.wall_s = time.perf_counter() - start
    result.connections = client.opened
    client.close()
    return result


async def closed_loop(
    port: int, cookie: str, clients: int, seconds: float, rows: int
) -> LoadResult:
    result = LoadResult()
    deadline = time.perf_counter() + seconds

    async def nurse() -> None:
        client = HttpClient(port, cookie)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, body = await client.get("/queue/")
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                result.errors.append(type(exc).__name__)
                continue
            result.latencies.append(time.perf_counter() - started)
            if (problem := check_page(status, body, rows)) is not None:
                result.errors.append(problem)
        client.close()

    started = time.perf_counter()
    await asyncio.gather(*(nurse() for _ in range(clients)))
    result.wall_s = time.perf_counter() - started
    return result


async def warm_up(port: int, cookie: str, rows: int, count: int = 20) -> int:
    """Untimed requests (templates, caches); returns the page's size in bytes."""
    client = HttpClient(port, cookie)
    body = b""
    for _ in range(count):
        status, body = await client.get("/queue/")
        if (problem := check_page(status, body, rows)) is not None:
            sys.exit(f"warm-up request failed: {problem}")
    client.close()
    return len(body)


@contextlib.contextmanager
def db_sessions(database_url: str) -> Iterator[list[int]]:
    """Samples (every 50 ms, from the `postgres` database) how many sessions the bench database
    has; yields the list of samples."""
    import psycopg

    samples: list[int] = []
    stop = threading.Event()

    def poll() -> None:
        with psycopg.connect(server_url(database_url, "postgres"), autocommit=True) as conn:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            while not stop.wait(0.05):
                row = conn.execute(query, (BENCH_DB,)).fetchone()
                samples.append(int(row[0]) if row else 0)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join(5)


def measured(
    server: Server, database_url: str, phase: Callable[[], Coroutine[Any, Any, LoadResult]]
) -> LoadResult:
    """Runs a load phase, charging it daphne's and this process's CPU time and noting the most
    PostgreSQL sessions daphne held."""
    server_before, client_before = server.cpu_seconds(), time.process_time()
    with db_sessions(database_url) as samples:
        result = asyncio.run(phase())
    result.server_cpu_s = server.cpu_seconds() - server_before
    result.client_cpu_s = time.process_time() - client_before
    result.max_db_sessions = max(samples, default=0)
    return result
