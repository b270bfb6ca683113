"""A guard that refuses every network connection leaving this machine.

Clinic Intake never needs the internet: Postgres, Redis and the models are local. The test
suite proves it by installing this guard in the test process and, through
INTAKE_EGRESS_GUARD=1 (read by the settings), in every process it starts (workers, beat, the
browser tests' server). A refused attempt raises EgressBlocked in the caller and is appended
to INTAKE_EGRESS_LOG (address and port, never payload), so an attempt swallowed by a library's
retry loop still fails the run. Plain Python, no Django.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

_installed = False
_log: Path | None = None  # where refused attempts are appended (module state: tests swap it)
_original_getaddrinfo = socket.getaddrinfo  # before anyone (a test) patches it


class EgressBlocked(ConnectionRefusedError):
    """A connection to an address other than this machine's own."""


def _is_local(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        pass
    # A name: allowed only when every address it resolves to is loopback ("localhost").
    try:
        infos = _original_getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(
        ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_loopback for info in infos
    )


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # Unix sockets (Postgres' local socket) stay on the machine
    host = str(address[0]) if isinstance(address, tuple) else str(address)
    if _is_local(host):
        return
    port = address[1] if isinstance(address, tuple) and len(address) > 1 else "?"
    if _log is not None:
        caller = "".join(traceback.format_stack(limit=6)[:-2]).replace("\n", " | ")
        with _log.open("a") as f:
            f.write(f"pid {os.getpid()} -> {host}:{port} from {caller}\n")
    raise EgressBlocked(f"network access outside this machine is not allowed: {host}:{port}")


def install(log: Path | None = None) -> None:
    """Patch socket connects in this process (idempotent; a later call only changes the log).
    Everything already connected, and every later connect to loopback or a Unix socket, is
    left alone."""
    global _installed, _log
    _log = log
    if _installed:
        return
    _installed = True
    sock = socket.socket
    sock.connect = _guard_connect(sock.connect)  # type: ignore[method-assign]
    sock.connect_ex = _guard_connect(sock.connect_ex)  # type: ignore[method-assign]
    sock.send = _guard_connected_send(sock.send)  # type: ignore[method-assign]
    sock.sendall = _guard_connected_send(sock.sendall)  # type: ignore[method-assign]
    sock.sendto = _guard_sendto(sock.sendto)  # type: ignore[method-assign]


# Connecting a datagram socket sends nothing (it only picks a route: the TLS helper asks the
# kernel for this machine's LAN address that way); its packets are checked instead.
def _guard_connect(connect: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, address: Any) -> Any:
        if self.type != socket.SOCK_DGRAM:
            _check(self, address)
        return connect(self, address)

    return guarded


def _guard_connected_send(send: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, data: Any, *args: Any) -> Any:
        if self.type == socket.SOCK_DGRAM and self.family in (socket.AF_INET, socket.AF_INET6):
            _check(self, self.getpeername())
        return send(self, data, *args)

    return guarded


def _guard_sendto(sendto: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, data: Any, *args: Any) -> Any:
        _check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return sendto(self, data, *args)

    return guarded


def install_from_environment() -> None:
    if os.environ.get("INTAKE_EGRESS_GUARD") == "1":
        log = os.environ.get("INTAKE_EGRESS_LOG")
        install(Path(log) if log else None)
