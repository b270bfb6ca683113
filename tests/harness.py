"""Real Celery worker (and beat) subprocesses against the test database and test Redis.

Used by the worker tests here and by the pipeline tests of later issues. Each process runs in
its own process group so stopping it also stops its pool children.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.conftest import subprocess_env

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")


@dataclass
class Worker:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        return self.popen.wait()


def start_worker(queue: str, log_dir: Path, *, env: dict[str, str] | None = None) -> Worker:
    return _start(
        queue,
        [
            CELERY,
            "-A",
            "intake",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-n",
            f"{queue}@test",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        log_dir,
        env,
    )


def start_beat(log_dir: Path, *, env: dict[str, str] | None = None) -> Worker:
    return _start(
        "beat",
        [
            CELERY,
            "-A",
            "intake",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(log_dir / "celerybeat-schedule"),
        ],
        log_dir,
        env,
    )


def _start(name: str, argv: list[str], log_dir: Path, env: dict[str, str] | None) -> Worker:
    log = log_dir / f"{name}.log"
    full_env = {
        **os.environ,
        **subprocess_env(),
        "WORKER_HEARTBEAT_SECONDS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        **(env or {}),
    }
    with log.open("wb") as out:
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(name, popen, log, env or {})


def wait_until(
    predicate: Callable[[], object], timeout: float, what: str, workers: list[Worker] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for worker in workers or []:
            if worker.popen.poll() is not None:
                raise AssertionError(f"{worker.name} exited early:\n{worker.output()[-3000:]}")
        time.sleep(0.2)
    logs = "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in workers or [])
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")


class RedisRecorder:
    """Everything every client sends to Redis while it runs (Redis MONITOR): broker messages,
    task arguments, channel-layer events, cache writes. For scans that prove no patient data
    passes through Redis."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url)
        self._monitor = self._client.monitor()
        self._monitor.__enter__()
        self.commands: list[str] = []
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        with contextlib.suppress(Exception):  # ends when stop() closes the connection
            for entry in self._monitor.listen():
                self.commands.append(str(entry.get("command", "")))

    def stop(self) -> list[str]:
        with contextlib.suppress(Exception):
            self._monitor.connection.disconnect()
        self._thread.join(timeout=5)
        self._client.close()
        return self.commands


_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def readable(text: str) -> str:
    """`text` plus whatever base64 inside it decodes to (Kombu base64-encodes message bodies,
    and a body's arguments could hide there)."""
    parts = [text]
    for token in _BASE64.findall(text):
        with contextlib.suppress(ValueError, binascii.Error):
            parts.append(
                base64.b64decode(token + "=" * (-len(token) % 4)).decode("utf-8", "replace")
            )
    return "\n".join(parts)
