"""WebSocket latency, the parent's side: it moves visits with intake.lifecycle.transition and
stamps each commit, the child (bench.queue.ws_clients) stamps each socket's message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial

from bench.common import REPO


@dataclass
class Change:
    visit_id: int
    version: int
    committed: float  # time.monotonic() in the first on_commit hook
    published: float  # time.monotonic() when transition() returned (events sent)


def _stamp(into: list[float]) -> None:
    into.append(time.monotonic())


def make_changes(visit_ids: list[int], count: int, spacing: float) -> list[Change]:
    """Moves ready visits to summarizing and back (the queue keeps its rows), one every
    `spacing` seconds on a fixed schedule, as a worker or a nurse's POST would."""
    from django.db import transaction

    from intake.lifecycle import transition
    from intake.models import Visit
    from intake.states import VisitStatus

    changes: list[Change] = []
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + i * spacing - time.monotonic()))
        visit_id = visit_ids[i % len(visit_ids)]
        current = Visit.objects.values_list("status", flat=True).get(pk=visit_id)
        target = VisitStatus.SUMMARIZING if current == VisitStatus.READY else VisitStatus.READY
        stamp: list[float] = []
        with transaction.atomic():
            # Registered first, so it runs right after COMMIT and before the publish hook.
            transaction.on_commit(partial(_stamp, stamp))
            visit = transition(visit_id, target, reason="bench")
        changes.append(Change(visit.pk, visit.version, stamp[0], time.monotonic()))
    return changes


@dataclass
class WsResult:
    clients: int
    changes: list[Change]
    latencies: list[float]  # commit -> message, every (client, change)
    lost: int
    refreshed: list[float]  # commit -> refreshed rows (refetch mode)
    refresh_errors: list[str]
    not_refreshed: int
    closed_early: int


def websocket_phase(
    port: int,
    cookie: str,
    rows: int,
    clients: int,
    visit_ids: list[int],
    changes: int,
    spacing: float,
    refetch: bool,
) -> WsResult:
    argv = [sys.executable, "-m", "bench.queue", "--sockets", "--port", str(port)]
    argv += ["--clients", str(clients), "--rows", str(rows), *(["--refetch"] if refetch else [])]
    child = subprocess.Popen(
        argv,
        cwd=REPO,
        env={**os.environ, "BENCH_COOKIE": cookie},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        if child.stdout.readline().strip() != "READY":
            sys.exit("the WebSocket clients did not connect (see above)")
        time.sleep(0.5)
        done = make_changes(visit_ids, changes, spacing)
        time.sleep(5.0 if refetch else 2.0)  # stragglers
        out, _ = child.communicate("stop\n", timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    data = json.loads(out)
    received = [{(v, n): t for v, n, t in b} for b in data["received"]]
    refreshed = [{(v, n): t for v, n, t in b} for b in data["refreshed"]]
    latencies, refresh_times = [], []
    lost = not_refreshed = 0
    for i in range(clients):
        for c in done:
            at = received[i].get((c.visit_id, c.version))
            if at is None:
                lost += 1
            else:
                latencies.append(at - c.committed)
            if refetch:
                seen = refreshed[i].get((c.visit_id, c.version))
                if seen is None:
                    not_refreshed += 1
                else:
                    refresh_times.append(seen - c.committed)
    return WsResult(
        clients=clients,
        changes=done,
        latencies=latencies,
        lost=lost,
        refreshed=refresh_times,
        refresh_errors=list(data["refresh_errors"]),
        not_refreshed=not_refreshed,
        closed_early=int(data["closed_early"]),
    )
