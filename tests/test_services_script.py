"""scripts/services.py on a machine where nothing is running: it starts private PostgreSQL
and Redis instances, writes their URLs, and stops exactly what it started."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "services.py"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def isolated() -> Iterator[dict[str, str]]:
    # The postgres user must be able to enter the cluster directory (pytest's tmp_path is
    # private to root), so it lives under /var/tmp like the script's own default.
    work = Path(tempfile.mkdtemp(prefix="intake-services-test-", dir="/var/tmp"))
    work.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")} | {
        "INTAKE_VAR_DIR": str(work / "var"),
        "INTAKE_PG_DIR": str(work / "pg"),
        # Nothing listens on these: the script must start its own servers.
        "INTAKE_PG_DEFAULT_PORT": str(free_port()),
        "INTAKE_REDIS_DEFAULT_PORT": str(free_port()),
        "INTAKE_PG_PORT": str(free_port()),
        "INTAKE_REDIS_PORT": str(free_port()),
    }
    yield env
    subprocess.run([sys.executable, SCRIPT, "stop"], env=env, check=False)
    shutil.rmtree(work, ignore_errors=True)


def run(env: dict[str, str], action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, SCRIPT, action], env=env, capture_output=True, text=True, timeout=300
    )


def test_it_starts_and_stops_private_servers(isolated: dict[str, str]) -> None:
    if shutil.which("redis-server") is None or not list(Path("/usr/lib/postgresql").glob("*/bin")):
        pytest.fail("postgresql and redis-server must be installed (.ci/run installs them)")
    result = run(isolated, "ensure")
    assert result.returncode == 0, result.stderr + result.stdout
    values = dict(
        line.split("=", 1)
        for line in (Path(isolated["INTAKE_VAR_DIR"]) / "services.env").read_text().splitlines()
    )
    pg_port, redis_port = isolated["INTAKE_PG_PORT"], isolated["INTAKE_REDIS_PORT"]
    assert values["DATABASE_URL"] == f"postgres://postgres@127.0.0.1:{pg_port}/clinic_intake"
    assert values["REDIS_URL"] == f"redis://127.0.0.1:{redis_port}"
    assert values["INTAKE_SERVICES_STARTED"] == "postgres,redis"
    with psycopg.connect(f"host=127.0.0.1 port={pg_port} user=postgres dbname=postgres") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert redis.Redis(port=int(redis_port)).ping()

    # A second ensure reuses the running servers instead of starting more.
    again = run(isolated, "ensure")
    assert again.returncode == 0
    assert "starting" not in again.stdout
    env_file = Path(isolated["INTAKE_VAR_DIR"]) / "services.env"
    assert "INTAKE_SERVICES_STARTED=\n" in env_file.read_text()

    stopped = run(isolated, "stop")
    assert stopped.returncode == 0, stopped.stderr
    for port in (pg_port, redis_port):
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", int(port)), 1):
            pass


def test_it_fails_clearly_when_a_given_url_is_unreachable(isolated: dict[str, str]) -> None:
    env = isolated | {"DATABASE_URL": f"postgres://x@127.0.0.1:{free_port()}/db"}
    result = run(env, "ensure")
    assert result.returncode == 1
    assert "DATABASE_URL is set but" in result.stderr
