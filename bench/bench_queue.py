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
import collections
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DAPHNE = str(Path(sys.executable).parent / "daphne")
BENCH_DB = "intake_bench_queue"
BROKER_DB, CHANNELS_DB = 6, 7  # dev 0/1, tests 10/11, bench_pipeline 12/13
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_intake"
HOST = "127.0.0.1"
NURSE = "bench_nurse"

TARGET_PAGE_P95_MS = 50.0
TARGET_WS_P95_MS = 250.0
REQUEST_TIMEOUT_S = 120.0  # long: an open loop past saturation queues for a while
ROW_MARK = b'<tr id="visit-'

# One clinic day: status -> number of visits (1,000 in all, 60 of them open).
DAY_MIX: dict[str, int] = {
    "submitted": 4,
    "transcribing": 3,
    "summarizing": 5,
    "ready": 18,
    "failed": 2,
    "reviewed": 14,
    "roomed": 14,
    "draft": 2,  # still at the front desk; the urgent one shows on the queue
    "seen": 20,
    "cancelled": 25,
    "left_without_being_seen": 23,
    "discharged": 870,
}
COMPLAINTS = (
    "chest pain",
    "shortness of breath",
    "abdominal pain",
    "headache",
    "fever and cough",
    "ankle injury",
    "back pain",
    "laceration of the hand",
    "dizziness",
    "vomiting and diarrhoea",
    "sore throat",
    "rash",
    "urinary pain",
    "eye redness",
    "allergic reaction",
)
RULES = (  # (rule id, ESI floor) as inference.safety.rules names them
    ("chest_pain_acs", 2),
    ("stroke_signs", 1),
    ("anaphylaxis", 1),
    ("severe_bleeding", 2),
    ("altered_mental_status", 2),
    ("danger_zone_vitals", 2),
)
ESI_WEIGHTS = (1, 15, 45, 30, 9)  # ESI 1..5, a typical walk-in mix (%)


# --- isolated services -------------------------------------------------------------------------


def server_url(database_url: str, name: str) -> str:
    """`database_url` pointing at database `name` on the same server."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url(database_url, "postgres"), autocommit=True) as conn:
        name = sql.Identifier(BENCH_DB)
        # FORCE: daphne killed mid-request may still hold a connection.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def flush_redis(redis_url: str) -> None:
    import redis

    from intake.env import redis_db_url

    for db in (BROKER_DB, CHANNELS_DB):
        client = redis.Redis.from_url(redis_db_url(redis_url, db))
        client.flushdb()
        client.close()


def bench_environment(base_url: str, redis_url: str) -> dict[str, str]:
    """For this process (set before Django starts) and for daphne."""
    return {
        "DJANGO_SETTINGS_MODULE": "intake.settings",
        "DATABASE_URL": server_url(base_url, BENCH_DB),
        "REDIS_URL": redis_url,
        "REDIS_BROKER_DB": str(BROKER_DB),
        "REDIS_CHANNELS_DB": str(CHANNELS_DB),
        "HTTPS_PORT": "0",
        "INTAKE_ENV": "dev",
        "DEBUG": "0",  # what production runs (DEBUG also records every query in memory)
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- statistics --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between the nearest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{1000 * seconds:.1f}"  # NaN -> "-"


# --- seeding -----------------------------------------------------------------------------------


def seed(rng: random.Random) -> tuple[str, int]:
    """One clinic day; returns the nurse's password and the number of visits seeded."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone

    from inference.triage.schema import record_template
    from intake.models import AIDraft, Patient, ProcessingStep, SafetyFiring, Visit
    from intake.roles import Role

    now = timezone.now()
    statuses = [status for status, count in DAY_MIX.items() for _ in range(count)]
    rng.shuffle(statuses)
    open_states = {"submitted", "transcribing", "summarizing", "ready", "failed"}
    open_states |= {"reviewed", "roomed"}
    processed = {"ready", "reviewed", "roomed", "seen", "discharged"}  # an AI draft exists
    transcribed = processed | {"summarizing", "failed", "left_without_being_seen"}
    first_names = ("Ana", "Ben", "Chloe", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jo")
    last_names = ("Alvarez", "Brown", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad")

    with transaction.atomic():
        nurse_group, _ = Group.objects.get_or_create(name=Role.NURSE.value)
        for role in Role:
            Group.objects.get_or_create(name=role.value)
        password = secrets.token_urlsafe(16)
        nurse = User.objects.create_user(NURSE, password=password)
        nurse.groups.set([nurse_group])

        patients = Patient.objects.bulk_create(
            Patient(
                name=f"{rng.choice(first_names)} {rng.choice(last_names)} {n}",
                date_of_birth=dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(32_000)),
                sex=rng.choice(("female", "male", "female", "male", "other", "unknown")),
                mrn=f"MRN{100000 + n}",
            )
            for n in range(len(statuses))
        )
        visits: list[Visit] = []
        for patient, status in zip(patients, statuses, strict=True):
            # Open visits arrived in the last 3 h, closed ones over the day (13 h).
            window = 180 if status in open_states or status == "draft" else 13 * 60
            arrived = now - dt.timedelta(minutes=rng.uniform(2, window))
            esi_ai = rng.choices(range(1, 6), weights=ESI_WEIGHTS)[0]
            reviewed = status in {"reviewed", "roomed", "seen", "discharged"}
            final = max(1, min(5, esi_ai + rng.choice((-1, 0, 0, 0, 0, 1)))) if reviewed else None
            urgent = (status in {"submitted", "ready", "draft"} and rng.random() < 0.2) or (
                status == "discharged" and rng.random() < 0.01
            )
            typed = rng.random() < 0.05
            visits.append(
                Visit(
                    patient=patient,
                    arrived_at=arrived,
                    status=status,
                    status_changed_at=arrived + (now - arrived) * rng.uniform(0.3, 0.9),
                    version=rng.randint(3, 9) if status != "draft" else 1,
                    consent_to_record=not typed,
                    consent_recorded_at=None if typed else arrived,
                    chief_complaint_typed=rng.choice(COMPLAINTS) if typed else "",
                    urgent=urgent,
                    urgent_at=arrived if urgent else None,
                    esi_suggested=esi_ai if status in processed else None,
                    esi_final=final,
                    # Acknowledged alerts, except a few fresh ones on the open queue.
                    alert_ack_at=(
                        None if status in open_states and rng.random() < 0.3 else arrived
                    ),
                )
            )
        # A guaranteed urgent visit still at the front desk: "needs a nurse now" shows at once.
        drafts_at_desk = [v for v in visits if v.status == "draft"]
        drafts_at_desk[0].urgent, drafts_at_desk[0].urgent_at = True, now
        drafts_at_desk[0].alert_ack_at = None
        Visit.objects.bulk_create(visits)

        firings: list[SafetyFiring] = []
        for v in visits:
            if v.status in transcribed and rng.random() < 0.09:
                for rule_id, floor in rng.sample(RULES, k=rng.choice((1, 1, 2))):
                    firings.append(
                        SafetyFiring(
                            visit=v,
                            source="transcript",
                            rule_id=rule_id,
                            rule_version="1",
                            esi_floor=floor,
                            evidence=[{"quote": "it hurts", "segment": 0, "t0": 1.0, "t1": 2.0}],
                        )
                    )
                    v.esi_rule_floor = min(floor, v.esi_rule_floor or 5)
        SafetyFiring.objects.bulk_create(firings)
        Visit.objects.bulk_update(
            [v for v in visits if v.esi_rule_floor is not None], ["esi_rule_floor"]
        )

        drafts: list[AIDraft] = []
        for v in visits:
            if v.status not in processed:
                continue
            for current in (False, True) if rng.random() < 0.05 else (True,):  # some re-runs
                data = record_template()
                complaint = rng.choice(COMPLAINTS)
                data["chief_complaint"] = {"normalized": complaint, "quote": f"I have {complaint}"}
                data["esi"]["level"] = v.esi_suggested
                drafts.append(
                    AIDraft(
                        visit=v,
                        is_current=current,
                        data=data,
                        schema_version="1",
                        model_id="gemma3-270m-q4_k_m.gguf",
                        prompt_version="bench",
                        evidence=[{"path": "chief_complaint", "supported": True, "segment": 0}],
                        timings={"prompt_tokens": 515, "generated_tokens": 233},
                    )
                )
        AIDraft.objects.bulk_create(drafts)
        ProcessingStep.objects.bulk_create(step for v in visits for step in _steps(v, now, rng))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them in a live clinic
    return password, len(visits)


def _steps(visit: Any, now: dt.datetime, rng: random.Random) -> list[Any]:
    """The pipeline's step rows as a worker leaves them: running for a visit in progress,
    done (or failed) for those past it."""
    from intake.models import ProcessingStep

    def step(name: str, status: str, attempt: int = 1) -> ProcessingStep:
        started = visit.arrived_at + dt.timedelta(seconds=rng.uniform(5, 60))
        running = status == "running"
        return ProcessingStep(
            visit=visit,
            step=name,
            attempt=attempt,
            status=status,
            lease_owner="asr@bench" if running else "",
            lease_expires_at=now + dt.timedelta(minutes=10) if running else None,
            progress=rng.uniform(0.1, 0.9) if running else (1.0 if status == "done" else 0.0),
            started_at=None if status == "pending" else started,
            finished_at=started + dt.timedelta(seconds=30)
            if status in ("done", "failed")
            else None,
        )

    if visit.status == "submitted":
        return [step("asr", "pending")]
    if visit.status == "transcribing":
        return [step("asr", "running")]
    if visit.status == "summarizing":
        return [step("asr", "done"), step("safety", "done"), step("llm", "running")]
    if visit.status == "failed":
        return [step("asr", "done"), step("llm", "failed"), step("llm", "failed", 2)]
    if visit.status in {"ready", "reviewed", "roomed", "seen", "discharged"}:
        return [step(name, "done") for name in ("asr", "safety", "llm", "playback")]
    return []


def expected_rows() -> int:
    from intake import worklist
    from intake.views.nurse import MAX_ROWS

    return len(worklist.queue_visits(worklist.DEFAULT_FILTER)[:MAX_ROWS])


# --- the view in process -----------------------------------------------------------------------


@dataclass
class ViewProfile:
    requests: int
    queries: int
    query_list: list[str]
    request_p50_s: float
    sql_p50_s: float
    connect_p50_s: float
    visits_query_p50_s: float
    rows_p50_s: float
    render_p50_s: float
    rows_render_p50_s: float


def profile_view(repeat: int = 30) -> ViewProfile:
    """The queue view without a server: Django's test client for the whole request (middleware,
    session, auth, view, template), then the view's parts on their own."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from intake import worklist
    from intake.views.nurse import MAX_ROWS

    nurse = User.objects.get(username=NURSE)
    client = Client()
    client.force_login(nurse)
    client.get("/queue/")  # template loading, URL resolver caches
    totals, sqls = [], []
    captured: list[dict[str, str]] = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/queue/")
            totals.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        sqls.append(sum(float(q["time"]) for q in ctx.captured_queries))
        captured = list(ctx.captured_queries)

    connects = []
    for _ in range(repeat):
        connection.close()
        started = time.perf_counter()
        connection.ensure_connection()
        connects.append(time.perf_counter() - started)

    request = RequestFactory().get("/queue/")
    request.user = nurse
    request.session = client.session
    visit_times, rows_times, render_times, partial_times = [], [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        visits = list(worklist.queue_visits(worklist.DEFAULT_FILTER)[:MAX_ROWS])
        visit_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = worklist.rows(visits)
        rows_times.append(time.perf_counter() - started)
        context = {
            "rows": rows,
            "filters": [(k, label) for k, (label, _) in worklist.FILTERS.items()],
            "chosen": worklist.DEFAULT_FILTER,
            "alerting": [r for r in rows if r.alerting],
            "now": timezone.now(),
        }
        started = time.perf_counter()
        render_to_string("queue/queue.html", context, request)
        render_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        render_to_string("queue/_rows.html", context, request)
        partial_times.append(time.perf_counter() - started)
    return ViewProfile(
        requests=repeat,
        queries=len(captured),
        query_list=[_short_sql(q["sql"]) for q in captured],
        request_p50_s=percentile(totals, 50),
        sql_p50_s=percentile(sqls, 50),
        connect_p50_s=percentile(connects, 50),
        visits_query_p50_s=percentile(visit_times, 50),
        rows_p50_s=percentile(rows_times, 50),
        render_p50_s=percentile(render_times, 50),
        rows_render_p50_s=percentile(partial_times, 50),
    )


def _short_sql(sql: str) -> str:
    verb = sql.split(" ", 1)[0]
    table = re.search(r'(?:FROM|INTO|UPDATE) "([a-z_]+)"', sql)
    return f"{verb} {table.group(1) if table else ''}".strip()


# --- daphne ------------------------------------------------------------------------------------


@dataclass
class Server:
    popen: subprocess.Popen[bytes]
    log: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def cpu_seconds(self) -> float:
        """daphne's user + system CPU time so far, all its threads (/proc/PID/stat)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()


def start_daphne(env: dict[str, str], log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / "daphne.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [DAPHNE, "-b", HOST, "-p", str(port), "intake.asgi:application"],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(popen, log, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(server.url + "/healthz", timeout=2)  # noqa: S310
            return server
        except urllib.error.HTTPError:
            return server  # answered (503: no workers here, which is fine)
        except OSError:
            if popen.poll() is not None or time.monotonic() > deadline:
                server.stop()
                sys.exit(f"daphne did not start:\n{server.tail()}")
            time.sleep(0.2)


def login(base: str, password: str) -> str:
    """Logs in through the form (CSRF cookie + token), returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        sys.exit("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {"username": NURSE, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  (our own http://127.0.0.1 URL)
        base + "/login/", data=form, headers={"Referer": base + "/login/"}
    )
    opener.open(request, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("login failed: no session cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- a small keep-alive HTTP/1.1 client (asyncio, no dependency) --------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.reusable = True

    def close(self) -> None:
        self.writer.close()


class HttpClient:
    """GET over persistent connections: an idle one when there is one, else a new one, up to
    `limit` requests in flight (the others wait for a connection, as a browser's do)."""

    def __init__(self, port: int, cookie: str, limit: int = 1) -> None:
        self.port, self.cookie = port, cookie
        self.idle: list[Connection] = []
        self.opened = 0
        self.slots = asyncio.Semaphore(limit)

    async def _acquire(self) -> Connection:
        while self.idle:
            conn = self.idle.pop()
            if conn.reusable and not conn.reader.at_eof():
                return conn
            conn.close()
        reader, writer = await asyncio.open_connection(HOST, self.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened += 1
        return Connection(reader, writer)

    async def prewarm(self, count: int) -> None:
        conns = [await self._acquire() for _ in range(count)]
        self.idle.extend(conns)

    async def get(self, path: str) -> tuple[int, bytes]:
        async with self.slots:
            conn = await self._acquire()
            try:
                exchange = self._exchange(conn, path)
                status, body = await asyncio.wait_for(exchange, REQUEST_TIMEOUT_S)
            except BaseException:
                conn.close()
                raise
            if conn.reusable:
                self.idle.append(conn)
            else:
                conn.close()
            return status, body

    async def _exchange(self, conn: Connection, path: str) -> tuple[int, bytes]:
        conn.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nCookie: {self.cookie}\r\n"
                "Accept: text/html\r\nConnection: keep-alive\r\n\r\n"
            ).encode()
        )
        await conn.writer.drain()
        status_line = await conn.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed before the response")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await conn.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("connection", "").lower() == "close":
            conn.reusable = False
        if "content-length" in headers:
            return status, await conn.reader.readexactly(int(headers["content-length"]))
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while size := int((await conn.reader.readline()).split(b";")[0], 16):
                parts.append(await conn.reader.readexactly(size))
                await conn.reader.readline()
            while (await conn.reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return status, b"".join(parts)
        conn.reusable = False
        return status, await conn.reader.read()

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


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


def check_page(status: int, body: bytes, rows: int) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    found = body.count(ROW_MARK)
    return None if found == rows else f"{found} rows, expected {rows}"


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


# --- WebSocket clients (a child process) -------------------------------------------------------
#
# Django's `daphne` app makes this process's txaio use Twisted, and autobahn's asyncio client
# needs txaio on asyncio: the sockets live in a child process without Django (`--sockets`),
# which is also where browsers are. Both processes stamp with time.monotonic(), Linux's
# CLOCK_MONOTONIC, one clock for the whole machine.


class Browser:
    """One nurse's queue page: its socket's messages, stamped on arrival; optionally it
    re-fetches /queue/ on each message, as the page's htmx does."""

    def __init__(self, port: int, cookie: str, rows: int, refetch: bool) -> None:
        self.received: dict[tuple[int, int], float] = {}
        self.refreshed: dict[tuple[int, int], float] = {}
        self.refresh_errors: list[str] = []
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.http = HttpClient(port, cookie)
        self.rows, self.refetch = rows, refetch
        self.protocol: Any = None
        self.tasks: set[asyncio.Task[None]] = set()

    def on_message(self, payload: bytes) -> None:
        now = time.monotonic()
        event = json.loads(payload)
        key = (int(event["visit_id"]), int(event["version"]))
        self.received.setdefault(key, now)
        if self.refetch:
            task = asyncio.get_running_loop().create_task(self._refresh(key))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _refresh(self, key: tuple[int, int]) -> None:
        try:
            status, body = await self.http.get("/queue/")
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            self.refresh_errors.append(type(exc).__name__)
            return
        self.refreshed[key] = time.monotonic()
        if (problem := check_page(status, body, self.rows)) is not None:
            self.refresh_errors.append(problem)

    def opened_ok(self) -> None:
        if not self.opened.done():
            self.opened.set_result(None)

    def closed(self, code: int | None, reason: str | None) -> None:
        self.close_code = code
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"socket closed: {code} {reason}"))


async def run_sockets(port: int, clients: int, rows: int, refetch: bool) -> dict[str, Any]:
    """The child: connects `clients` sockets, says READY, collects until told to stop."""
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    class QueueSocket(WebSocketClientProtocol):
        browser: Browser

        def onOpen(self) -> None:
            self.browser.opened_ok()

        def onMessage(self, payload: bytes, isBinary: bool) -> None:
            self.browser.on_message(payload)

        def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
            self.browser.closed(code, reason)

    cookie = os.environ["BENCH_COOKIE"]
    loop = asyncio.get_running_loop()

    async def connect() -> Browser:
        browser = Browser(port, cookie, rows, refetch)
        factory = WebSocketClientFactory(
            f"ws://{HOST}:{port}/ws/queue/",
            headers={"Cookie": cookie, "Origin": f"http://{HOST}:{port}"},
        )
        factory.protocol = QueueSocket

        def build() -> QueueSocket:
            protocol: QueueSocket = factory()  # sets protocol.factory
            protocol.browser = browser
            browser.protocol = protocol
            return protocol

        await loop.create_connection(build, HOST, port)
        await asyncio.wait_for(browser.opened, 10)
        if refetch:
            await browser.http.prewarm(1)
        return browser

    browsers = [await connect() for _ in range(clients)]
    print("READY", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # the parent's "stop"
    for _ in range(100):  # re-fetches still in flight
        if not any(b.tasks for b in browsers):
            break
        await asyncio.sleep(0.1)
    closed_early = sum(1 for b in browsers if b.close_code is not None)
    for b in browsers:
        if b.protocol is not None:
            b.protocol.sendClose()
        b.http.close()
    await asyncio.sleep(0.2)
    return {
        "received": [[[*k, t] for k, t in b.received.items()] for b in browsers],
        "refreshed": [[[*k, t] for k, t in b.refreshed.items()] for b in browsers],
        "refresh_errors": [e for b in browsers for e in b.refresh_errors],
        "closed_early": closed_early,
    }


def sockets_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_queue --sockets")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--refetch", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run_sockets(args.port, args.clients, args.rows, args.refetch))
    print(json.dumps(result), flush=True)
    return 0


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
    argv = [sys.executable, "-m", "bench.bench_queue", "--sockets", "--port", str(port)]
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


# --- report ------------------------------------------------------------------------------------


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
        f"(plain HTTP on loopback, no nginx/TLS), CONN_MAX_AGE={db.get('CONN_MAX_AGE')}, "
        f"sessions in {settings.SESSION_ENGINE.rsplit('.', 1)[-1]} (saved every request), "
        f"PostgreSQL {pg[0] if pg else '?'}, Redis {info.get('redis_version')} "
        f"(channels db {CHANNELS_DB})."
    )


# --- main --------------------------------------------------------------------------------------


def ready_visit_ids(count: int) -> list[int]:
    from intake.models import Visit

    ids = list(
        Visit.objects.filter(status="ready", urgent=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    if not ids:
        sys.exit("no ready visits to move")
    return ids


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


def run(args: argparse.Namespace, env: dict[str, str], tmp: Path, base_url: str) -> None:
    import django
    from django.core.management import call_command

    # Dev settings serve static files from the source folders; there is no collectstatic here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    started, load_start = dt.datetime.now(dt.UTC), load_average()
    os.environ.update(env)
    django.setup()
    call_command("migrate", verbosity=0)
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
        load_before = load_average()
        print(f"open loop: {args.rate:g} req/s for {args.duration:g} s", file=sys.stderr)
        opened = measured(
            server,
            base_url,
            lambda: open_loop(server.port, cookie, args.rate, args.duration, rows, args.nurses),
        )
        extra_open: dict[float, LoadResult] = {}
        for rate in args.extra_rates:
            print(f"open loop: {rate:g} req/s for {args.duration:g} s", file=sys.stderr)
            time.sleep(1.0)
            extra_open[rate] = measured(
                server,
                base_url,
                partial(open_loop, server.port, cookie, rate, args.duration, rows, args.nurses),
            )
        closed: dict[int, LoadResult] = {}
        for n in args.closed:
            print(f"closed loop: {n} clients for {args.closed_seconds:g} s", file=sys.stderr)
            time.sleep(1.0)
            closed[n] = measured(
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
        load_end = load_average()
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


def _counts(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("client counts must be at least 1")
    return values


def _rates(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if min(values, default=1.0) <= 0:
        raise argparse.ArgumentTypeError("rates must be positive")
    return values


@contextlib.contextmanager
def isolated(base_url: str, redis_url: str) -> Iterator[None]:
    recreate_database(base_url)
    flush_redis(redis_url)
    try:
        yield
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()  # else DROP DATABASE waits on our own session
        recreate_database(base_url, drop_only=True)
        flush_redis(redis_url)


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
    base_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    env = bench_environment(base_url, redis_url)
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp, isolated(base_url, redis_url):
        run(args, env, Path(tmp), base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
