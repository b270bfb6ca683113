"""The egress guard: nothing the tests run may connect beyond this machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from intake import egress

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = ("192.0.2.1", 443)  # TEST-NET-1: never routed, and the guard refuses before sending


def test_it_is_active_in_the_test_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own_log = tmp_path / "egress.log"
    monkeypatch.setattr(egress, "_log", own_log)  # keep this deliberate attempt out of the run's
    with socket.socket() as s, pytest.raises(egress.EgressBlocked, match=r"192\.0\.2\.1:443"):
        s.connect(OUTSIDE)
    with socket.socket() as s, pytest.raises(egress.EgressBlocked):
        s.connect_ex(OUTSIDE)
    assert own_log.read_text().count("192.0.2.1:443") == 2


def test_it_lets_loopback_and_localhost_through() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, port), timeout=5):
                pass


def test_it_is_active_in_processes_the_tests_start(tmp_path: Path) -> None:
    own_log = tmp_path / "egress.log"
    code = (
        "import django, socket; django.setup(); s = socket.socket(); s.connect(('192.0.2.1', 443))"
    )
    env = {**os.environ, "INTAKE_EGRESS_LOG": str(own_log)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "EgressBlocked: network access outside this machine is not allowed" in result.stderr
    assert "192.0.2.1:443" in own_log.read_text()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_it_lets_a_datagram_socket_pick_a_route_but_not_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # connect() on UDP sends nothing (the TLS helper finds the LAN address that way)...
    monkeypatch.setattr(egress, "_log", tmp_path / "egress.log")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        with pytest.raises(egress.EgressBlocked):
            s.send(b"x")  # ...but a packet would leave
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s,
        pytest.raises(egress.EgressBlocked),
    ):
        s.sendto(b"x", ("192.0.2.1", 9))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"x", ("127.0.0.1", 9))  # loopback: fine
