#!/usr/bin/env python3
"""Make sure PostgreSQL and Redis are reachable for `make run`, `make test` and CI.

Standard library only: it runs before the virtualenv exists.

For each service, in order:
1. DATABASE_URL / REDIS_URL set in the environment: use them, never start anything; fail with
   a clear message if they are unreachable.
2. The default local service (127.0.0.1:5432 / 127.0.0.1:6379) answers: use it.
3. Otherwise start a private instance under var/ (Postgres on 55432, Redis on 56379), after
   installing the server packages with apt when running as root on a Debian-like system and
   the binaries are missing. Otherwise print the one command that installs them.

Writes the URLs to use into var/services.env (sourced by the Makefile) and records what it
started in var/services.started so `services.py stop` stops exactly that.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("INTAKE_VAR_DIR", str(ROOT / "var")))
ENV_FILE = VAR / "services.env"
STARTED_FILE = VAR / "services.started"

# The ports probed for already-running local servers (overridable for the script's own tests).
PG_DEFAULT = ("127.0.0.1", int(os.environ.get("INTAKE_PG_DEFAULT_PORT", "5432")))
REDIS_DEFAULT = ("127.0.0.1", int(os.environ.get("INTAKE_REDIS_DEFAULT_PORT", "6379")))
PG_PRIVATE_PORT = int(os.environ.get("INTAKE_PG_PORT", "55432"))
REDIS_PRIVATE_PORT = int(os.environ.get("INTAKE_REDIS_PORT", "56379"))
APT_PACKAGES = ["postgresql", "redis-server"]


class ServiceError(Exception):
    pass


def say(message: str) -> None:
    print(f"[services] {message}", flush=True)


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(host: str, port: int) -> bool:
    """A real PING, not just an open port (something else could hold 6379)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def wait_for(check: object, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise ServiceError(f"{what} did not come up within {seconds:.0f} s")


def is_root() -> bool:
    return os.geteuid() == 0


def debian_like() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None


def apt_install(packages: list[str]) -> None:
    say(f"installing {' '.join(packages)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def pg_bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def need_binaries(found: bool, what: str) -> None:
    if found:
        return
    if is_root() and debian_like():
        apt_install(APT_PACKAGES)
        return
    raise ServiceError(
        f"{what} is not running and not installed. Install it with:\n"
        f"    sudo apt-get install -y {' '.join(APT_PACKAGES)}\n"
        "or point DATABASE_URL / REDIS_URL at running servers."
    )


# Started by this invocation (make run stops these again when it exits).
started_now: list[str] = []


def record_started(name: str) -> None:
    started_now.append(name)
    VAR.mkdir(exist_ok=True)
    started = set(STARTED_FILE.read_text().split()) if STARTED_FILE.exists() else set()
    started.add(name)
    STARTED_FILE.write_text("\n".join(sorted(started)) + "\n")


def pg_dir() -> Path:
    # Postgres refuses to run as root, and the postgres user cannot enter /root (mode 700):
    # as root the cluster lives where that user can reach it.
    if is_root():
        return Path(os.environ.get("INTAKE_PG_DIR", "/var/tmp/clinic-intake-pg"))  # noqa: S108
    return VAR / "pg"


def as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else cmd


def start_private_postgres() -> str:
    bindir = pg_bindir()
    need_binaries(bindir is not None, "PostgreSQL")
    bindir = pg_bindir()
    if bindir is None:
        raise ServiceError("PostgreSQL binaries not found after installing them")
    data = pg_dir()
    if not (data / "PG_VERSION").exists():
        say(f"creating a private PostgreSQL cluster in {data}")
        data.mkdir(parents=True, exist_ok=True)
        if is_root():
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            as_pg_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    say(f"starting private PostgreSQL on 127.0.0.1:{PG_PRIVATE_PORT}")
    subprocess.run(
        as_pg_user(
            [
                str(bindir / "pg_ctl"),
                "-w",
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-o",
                f"-p {PG_PRIVATE_PORT} -k {data} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: reachable("127.0.0.1", PG_PRIVATE_PORT), "PostgreSQL")
    record_started("postgres")
    return f"postgres://postgres@127.0.0.1:{PG_PRIVATE_PORT}/clinic_intake"


def start_private_redis() -> str:
    binary = shutil.which("redis-server")
    need_binaries(binary is not None, "Redis")
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError("redis-server not found after installing it")
    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    say(f"starting private Redis on 127.0.0.1:{REDIS_PRIVATE_PORT}")
    subprocess.run(
        [
            binary,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(REDIS_PRIVATE_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            "--pidfile",
            str(data / "redis.pid"),
            "--logfile",
            str(data / "redis.log"),
        ],
        check=True,
    )
    wait_for(lambda: redis_answers("127.0.0.1", REDIS_PRIVATE_PORT), "Redis")
    record_started("redis")
    return f"redis://127.0.0.1:{REDIS_PRIVATE_PORT}"


def ensure_postgres() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        host, port = host_port(url, 5432)
        if not reachable(host, port, timeout=3):
            raise ServiceError(f"DATABASE_URL is set but {host}:{port} does not answer.")
        return url
    if reachable(*PG_DEFAULT):
        return f"postgres://postgres@{PG_DEFAULT[0]}:{PG_DEFAULT[1]}/clinic_intake"
    if reachable("127.0.0.1", PG_PRIVATE_PORT):
        return f"postgres://postgres@127.0.0.1:{PG_PRIVATE_PORT}/clinic_intake"
    return start_private_postgres()


def ensure_redis() -> str:
    url = os.environ.get("REDIS_URL")
    if url:
        host, port = host_port(url, 6379)
        if not redis_answers(host, port):
            raise ServiceError(f"REDIS_URL is set but {host}:{port} does not answer PING.")
        return url
    if redis_answers(*REDIS_DEFAULT):
        return f"redis://{REDIS_DEFAULT[0]}:{REDIS_DEFAULT[1]}"
    if redis_answers("127.0.0.1", REDIS_PRIVATE_PORT):
        return f"redis://127.0.0.1:{REDIS_PRIVATE_PORT}"
    return start_private_redis()


def ensure() -> None:
    database_url = ensure_postgres()
    redis_url = ensure_redis()
    VAR.mkdir(exist_ok=True)
    ENV_FILE.write_text(
        f"DATABASE_URL={database_url}\nREDIS_URL={redis_url}\n"
        f"INTAKE_SERVICES_STARTED={','.join(started_now)}\n"
    )
    say(f"PostgreSQL: {urlsplit(database_url).netloc}  Redis: {urlsplit(redis_url).netloc}")


def stop() -> None:
    if not STARTED_FILE.exists():
        return
    started = set(STARTED_FILE.read_text().split())
    if "redis" in started:
        pidfile = VAR / "redis" / "redis.pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text().strip()), 15)
                say("stopped private Redis")
            except (ProcessLookupError, ValueError):
                pass
    if "postgres" in started:
        bindir = pg_bindir()
        if bindir is not None and (pg_dir() / "PG_VERSION").exists():
            subprocess.run(
                as_pg_user(
                    [str(bindir / "pg_ctl"), "-w", "-D", str(pg_dir()), "-m", "fast", "stop"]
                ),
                check=False,
                stdout=subprocess.DEVNULL,
            )
            say("stopped private PostgreSQL")
    STARTED_FILE.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["ensure", "stop"])
    args = parser.parse_args()
    try:
        ensure() if args.action == "ensure" else stop()
    except (ServiceError, subprocess.CalledProcessError) as e:
        print(f"[services] ERROR: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
