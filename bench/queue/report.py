"""The report: markdown tables of the results against the targets, and the settings line."""

from __future__ import annotations

import collections
import datetime as dt
import os
import platform
from dataclasses import dataclass
from typing import Any

from bench.queue.base import CHANNELS_DB, HOST, ms, percentile
from bench.queue.load import LoadResult
from bench.queue.view_profile import ViewProfile
from bench.queue.ws_phase import WsResult

TARGET_PAGE_P95_MS = 50.0
TARGET_WS_P95_MS = 250.0


def error_kinds(errors: list[str]) -> str:
    if not errors:
        return ""
    kinds = collections.Counter(errors).most_common(3)
    return " (" + ", ".join(f"{n} x {kind}" for kind, n in kinds) + ")"


def verdict(value_ms: float, target_ms: float) -> str:
    return "PASS" if value_ms <= target_ms else "FAIL"


@dataclass
class Report:
    started: dt.datetime
    load_start: str
    load_before_load: str
    load_end: str
    visits: int
    rows: int
    page_bytes: int
    settings_line: str
    profile: ViewProfile
    open: LoadResult
    rate: float
    extra_open: dict[float, LoadResult]
    closed: dict[int, LoadResult]
    ws: WsResult
    spacing: float
    refetch: WsResult | None
    refetch_spacing: float


def render_report(r: Report) -> str:
    p = r.profile
    o = r.open
    out = [
        f"{r.started:%Y-%m-%d %H:%M} UTC, {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPUs ({platform.machine()}), load average (1/5/15 min) "
        f"{r.load_start} at start, {r.load_before_load} before the load phases, "
        f"{r.load_end} at the end (the bench's own client runs on the same cores).",
        r.settings_line,
        f"Data: {r.visits} visits today; the queue ('All open') shows {r.rows} rows "
        f"({r.page_bytes / 1024:.0f} KiB of HTML).",
        "",
        "| measure | value | target | result |",
        "|---|---:|---:|---|",
    ]
    o_p95 = 1000 * percentile(o.latencies, 95)
    out += [
        f"| /queue/ open loop {r.rate:g} req/s, {o.sent} requests, {o.nurses} browsers: "
        f"p50 / p95 / p99 / max ms | {ms(percentile(o.latencies, 50))} / {o_p95:.1f} / "
        f"{ms(percentile(o.latencies, 99))} / {ms(max(o.latencies, default=float('nan')))} "
        f"| p95 <= {TARGET_PAGE_P95_MS:g} ms | "
        f"{verdict(o_p95, TARGET_PAGE_P95_MS) if not o.errors else 'FAIL (errors)'} |",
        f"| open loop: errors (non-200, wrong row count, timeouts) | {len(o.errors)}"
        f"{error_kinds(o.errors)} | 0 | {'PASS' if not o.errors else 'FAIL'} |",
        f"| open loop: completed/s (first send -> last answer); connections opened; max send "
        f"lag ms | {o.rate:.1f} req/s; {o.connections}; "
        f"{ms(max(o.send_lag, default=float('nan')))} | - | - |",
        f"| open loop: CPU per request daphne / load generator ms; most PostgreSQL sessions | "
        f"{o.resources()} | - | - |",
    ]
    for rate, e in r.extra_open.items():
        out.append(
            f"| /queue/ open loop {rate:g} req/s, {e.sent} requests, {e.nurses} browsers (no "
            f"target): p50 / p95 / p99 / max ms; errors | {ms(percentile(e.latencies, 50))} / "
            f"{ms(percentile(e.latencies, 95))} / {ms(percentile(e.latencies, 99))} / "
            f"{ms(max(e.latencies, default=float('nan')))}; {len(e.errors)} | - | - |"
        )
    best = max(r.closed, key=lambda n: r.closed[n].rate)
    for n, res in r.closed.items():
        out.append(
            f"| closed loop, {n} client{'s' if n > 1 else ''}: req/s, p50 / p95 ms, errors; "
            f"CPU per request daphne / generator ms; most PostgreSQL sessions | "
            f"{res.rate:.1f}, {ms(percentile(res.latencies, 50))} / "
            f"{ms(percentile(res.latencies, 95))}, {len(res.errors)}; {res.resources()} | - | - |"
        )
    out.append(
        f"| **saturation throughput, one daphne process** | **{r.closed[best].rate:.0f} req/s** "
        f"({best} clients) | - | - |"
    )
    w = r.ws
    w_p95 = 1000 * percentile(w.latencies, 95)
    ws_ok = verdict(w_p95, TARGET_WS_P95_MS) if not w.lost else "FAIL (lost)"
    publish = [c.published - c.committed for c in w.changes]
    out += [
        f"| commit -> WebSocket message, {w.clients} sockets x {len(w.changes)} changes "
        f"({1000 * r.spacing:.0f} ms apart): p50 / p95 / max ms | "
        f"{ms(percentile(w.latencies, 50))} / {w_p95:.1f} / "
        f"{ms(max(w.latencies, default=float('nan')))} | p95 <= {TARGET_WS_P95_MS:g} ms | "
        f"{ws_ok} |",
        f"| WebSocket messages lost (of {w.clients * len(w.changes)}); sockets closed early | "
        f"{w.lost}; {w.closed_early} | 0 | "
        f"{'PASS' if not w.lost and not w.closed_early else 'FAIL'} |",
        f"| publish in the writer: commit -> transition() returned, p50 / max ms | "
        f"{ms(percentile(publish, 50))} / {ms(max(publish, default=float('nan')))} | - | - |",
    ]
    if r.refetch is not None:
        f = r.refetch
        out.append(
            f"| extra: commit -> re-fetched rows in each of {f.clients} pages "
            f"({len(f.changes)} changes {r.refetch_spacing:g} s apart): p50 / p95 / max ms; "
            f"message p95 ms; not refreshed; errors | {ms(percentile(f.refreshed, 50))} / "
            f"{ms(percentile(f.refreshed, 95))} / {ms(max(f.refreshed, default=float('nan')))}; "
            f"{ms(percentile(f.latencies, 95))}; {f.not_refreshed}; {len(f.refresh_errors)} "
            "| - | - |"
        )
    out += [
        "",
        f"Where the time goes (the view in this process, no server, p50 of {p.requests} requests):",
        "",
        "| part | ms |",
        "|---|---:|",
        f"| whole request through Django's test client (middleware, session, auth, view, "
        f"template) | {ms(p.request_p50_s)} |",
        f"| SQL: {p.queries} queries, database time | {ms(p.sql_p50_s)} |",
        f"| new PostgreSQL connection (CONN_MAX_AGE=0: one per request) | {ms(p.connect_p50_s)} |",
        f"| visits query (select_related patient) | {ms(p.visits_query_p50_s)} |",
        f"| worklist.rows(): firings + drafts queries, row objects | {ms(p.rows_p50_s)} |",
        f"| template queue/queue.html ({r.rows} rows) | {ms(p.render_p50_s)} |",
        f"| of which the rows partial queue/_rows.html | {ms(p.rows_render_p50_s)} |",
        "",
        "Queries per request: " + ", ".join(p.query_list),
    ]
    return "\n".join(out)


def settings_line() -> str:
    import daphne
    import django
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()
    import redis

    info = redis.Redis.from_url(settings.REDIS_URL).info("server")
    db = settings.DATABASES["default"]
    debug = "DEBUG on (NOT what production runs)" if settings.DEBUG else "DEBUG off"
    return (
        f"Settings: one `daphne -b {HOST} intake.asgi:application` (daphne {daphne.__version__}, "
        f"Django {django.get_version()}, Python {platform.python_version()}), INTAKE_ENV=dev, "
        f"{debug}, LOG_LEVEL=WARNING, daphne's default access log (to a file), HTTPS_PORT=0 "
        f"(plain HTTP on loopback, no nginx/TLS), {_connections(db)}, "
        f"sessions in {settings.SESSION_ENGINE.rsplit('.', 1)[-1]} ({_session_saves(settings)}), "
        f"PostgreSQL {pg[0] if pg else '?'}, Redis {info.get('redis_version')} "
        f"(channels db {CHANNELS_DB})."
    )


def _connections(db: dict[str, Any]) -> str:
    pool = (db.get("OPTIONS") or {}).get("pool")
    if pool:
        return f"a connection pool of at most {pool['max_size']} (DATABASE_POOL_SIZE)"
    return f"CONN_MAX_AGE={db.get('CONN_MAX_AGE')} (a new connection per request)"


def _session_saves(settings: Any) -> str:
    if settings.SESSION_SAVE_EVERY_REQUEST:
        return "saved every request"
    return "expiry moved at most once a minute"
