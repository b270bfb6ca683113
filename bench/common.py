"""What the benchmarks that run the real stack share: their own PostgreSQL database (created,
migrated and dropped), their own Redis databases (flushed before and after), Django set up
against them, and subprocesses in their own process group with their output in a log file.

Third-party and Django imports stay inside the functions: `bench.queue`'s WebSocket child
process imports this module and must not load Django.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_intake"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"


# --- isolated services -------------------------------------------------------------------------


def env_database_url() -> str:
    """The server the bench database goes on: DATABASE_URL's, else the dev default."""
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def env_redis_url() -> str:
    return os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)


def server_url(database_url: str, name: str) -> str:
    """`database_url` pointing at database `name` on the same server."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def recreate_database(database_url: str, database: str, *, drop_only: bool = False) -> None:
    """Drops `database` on the server of `database_url` and, unless `drop_only`, creates it."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url(database_url, "postgres"), autocommit=True) as conn:
        name = sql.Identifier(database)
        # FORCE: a process killed mid-run (a worker, daphne) may still hold a connection.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def flush_redis(redis_url: str, dbs: Iterable[int]) -> None:
    import redis

    from intake.env import redis_db_url

    for db in dbs:
        client = redis.Redis.from_url(redis_db_url(redis_url, db))
        client.flushdb()
        client.close()


@contextlib.contextmanager
def isolated(
    database_url: str, database: str, redis_url: str, redis_dbs: Iterable[int]
) -> Iterator[None]:
    """A fresh, empty `database` and flushed `redis_dbs` for the block; afterwards the database
    is dropped and the Redis databases are flushed again, however the block ended."""
    redis_dbs = tuple(redis_dbs)
    recreate_database(database_url, database)
    flush_redis(redis_url, redis_dbs)
    try:
        yield
    finally:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()  # else DROP DATABASE waits on our own session
        recreate_database(database_url, database, drop_only=True)
        flush_redis(redis_url, redis_dbs)


def setup_django(env: dict[str, str]) -> None:
    """Django in this process against the bench services of `env` (DATABASE_URL, Redis
    databases...), with the bench database migrated."""
    import django
    from django.core.management import call_command

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake.settings")
    django.setup()
    call_command("migrate", verbosity=0)


def load_average(sep: str = " ") -> str:
    """The 1, 5 and 15 minute load averages, joined by `sep`."""
    return sep.join(f"{x:.2f}" for x in os.getloadavg())


# --- subprocesses ------------------------------------------------------------------------------


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`argv` run from the repository with `env` over this process's environment, stdout and
    stderr to `log`, in its own session (so its whole process group can be stopped)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            argv,
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@dataclass
class Process:
    """A subprocess that `spawn` started: its own process group, its output in `log`."""

    popen: subprocess.Popen[bytes]
    log: Path
    stop_timeout: ClassVar[float] = 10.0  # seconds from SIGTERM to SIGKILL

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """SIGTERM to the whole process group, `stop_timeout` seconds to exit, then SIGKILL."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=self.stop_timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
