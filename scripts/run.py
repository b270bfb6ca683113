#!/usr/bin/env python3
"""`make run`: prepare and run the whole app in the foreground on this machine.

Steps: database created and migrated, demo users (printed), TLS certificate from the local CA,
media key, then the processes: daphne (HTTPS on HTTPS_PORT, plain HTTP on HTTP_PORT redirecting
to it), one Celery worker per queue group (asr, llm, default) and beat. Output is prefixed with
each process's name. Ctrl-C (or SIGTERM, or any process dying) stops them all: each runs in its
own process group, which gets SIGTERM, then SIGKILL after a grace period, so nothing is left
behind (Celery's pool children included).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
GRACE_SECONDS = 20.0


@dataclass
class Proc:
    name: str
    argv: list[str]
    popen: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # on top of the shared environment


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def local_secret_key(path: Path) -> str:
    """This machine's own session-signing key, made once (mode 0600): the settings' built-in
    dev key is public in the repository, so anyone could forge sessions with it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def lan_addresses() -> list[str]:
    # A UDP connect() picks the outgoing interface without sending any packet.
    addresses: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            addresses.append(probe.getsockname()[0])
        except OSError:
            pass
    return [a for a in addresses if not a.startswith("127.")]


def prepare(tls_dir: Path) -> None:
    manage("ensure_database")
    manage("migrate", "--noinput")
    print("Demo users (dev only; new passwords every start):", flush=True)
    manage(
        "create_demo_users",
        *(["--password", os.environ["DEMO_PASSWORD"]] if os.environ.get("DEMO_PASSWORD") else []),
    )
    manage("make_certs", "--dir", str(tls_dir))
    manage("generate_media_key", "--if-missing")


def processes(tls_dir: Path, bind: str, http_port: int, https_port: int) -> list[Proc]:
    key, cert = tls_dir / "server.key", tls_dir / "server.crt"
    # Colons inside a Twisted endpoint string must be escaped.
    key_arg, cert_arg = (str(p).replace(":", "\\:") for p in (key, cert))
    tls_endpoint = f"ssl:{https_port}:privateKey={key_arg}:certKey={cert_arg}:interface={bind}"
    celery = [str(BIN / "celery"), "-A", "intake"]
    return [
        Proc(
            "web",
            [
                str(BIN / "daphne"),
                "-e",
                tls_endpoint,
                "-b",
                bind,
                "-p",
                str(http_port),
                "--access-log",
                "-",
                "intake.asgi:application",
            ],
            # The web process keeps a bounded pool of database connections (intake.settings).
            env={"DATABASE_POOL_SIZE": os.environ.get("DATABASE_POOL_SIZE", "8")},
        ),
        Proc(
            "asr", [*celery, "worker", "-Q", "asr", "-c", "1", "-n", "asr@%h", "--loglevel", "INFO"]
        ),
        Proc(
            "llm", [*celery, "worker", "-Q", "llm", "-c", "1", "-n", "llm@%h", "--loglevel", "INFO"]
        ),
        Proc(
            "default",
            [
                *celery,
                "worker",
                "-Q",
                "default",
                "-c",
                "1",
                "-n",
                "default@%h",
                "--loglevel",
                "INFO",
            ],
        ),
        Proc(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ],
        ),
    ]


def pump(proc: Proc, width: int) -> None:
    assert proc.popen is not None and proc.popen.stdout is not None
    for raw in proc.popen.stdout:
        line = raw.decode("utf-8", "replace").rstrip()
        print(f"{proc.name:>{width}} | {line}", flush=True)


def start(procs: list[Proc], env: dict[str, str]) -> None:
    width = max(len(p.name) for p in procs)
    for proc in procs:
        proc.popen = subprocess.Popen(
            proc.argv,
            cwd=ROOT,
            env={**env, **proc.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: we can signal the whole tree
        )
        threading.Thread(target=pump, args=(proc, width), daemon=True).start()


def stop(procs: list[Proc]) -> None:
    running = [p for p in procs if p.popen is not None]
    for proc in running:
        assert proc.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in running:
        assert proc.popen is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
    # The leader may be gone while its children (pool processes) linger: kill the groups.
    for proc in running:
        assert proc.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()


def main() -> int:
    # Loopback unless asked: a laptop on a café's Wi-Fi must not serve the app to strangers.
    # Tablets on the clinic LAN need RUN_BIND=0.0.0.0 (see README).
    bind = os.environ.get("RUN_BIND", "127.0.0.1")
    http_port = int(os.environ.get("HTTP_PORT", "8000"))
    https_port = int(os.environ.get("HTTPS_PORT", "8443"))
    tls_dir = ROOT / "var" / "tls"
    env = dict(os.environ, HTTPS_PORT=str(https_port), PYTHONUNBUFFERED="1")
    env.setdefault("SECRET_KEY", local_secret_key(ROOT / "var" / "secret_key"))
    os.environ.update(env)
    prepare(tls_dir)

    procs = processes(tls_dir, bind, http_port, https_port)
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    start(procs, env)

    hosts = ["localhost", *(lan_addresses() if bind != "127.0.0.1" else [])]
    print("\nClinic Intake is starting. Open:", flush=True)
    for host in hosts:
        print(f"    https://{host}:{https_port}/", flush=True)
    print(
        f"  (http://…:{http_port}/ redirects there; health: https://localhost:{https_port}/healthz)",
        flush=True,
    )
    print(
        f"  Tablets must trust the local CA: {tls_dir / 'ca.der.crt'} (see docs/DEPLOY.md)",
        flush=True,
    )
    print("  Ctrl-C stops everything.\n", flush=True)

    exit_code = 0
    while not stopping.wait(0.5):
        dead = [p for p in procs if p.popen is not None and p.popen.poll() is not None]
        if dead:
            for p in dead:
                assert p.popen is not None
                print(
                    f"[run] {p.name} exited with code {p.popen.returncode}; stopping everything",
                    flush=True,
                )
            exit_code = 1
            break
    print("[run] stopping…", flush=True)
    stop(procs)
    if os.environ.get("INTAKE_SERVICES_STARTED"):
        # Private Postgres/Redis that this `make run` started itself: stop them too, so Ctrl-C
        # leaves nothing behind. Servers that were already running are left alone.
        subprocess.run([sys.executable, str(ROOT / "scripts" / "services.py"), "stop"], check=False)
    print("[run] all processes stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
