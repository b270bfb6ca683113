"""The WebSocket clients: nurses' queue pages on /ws/queue/, in a child process (`--sockets`).

Django's `daphne` app makes the parent's txaio use Twisted, and autobahn's asyncio client needs
txaio on asyncio: the sockets live in a child process without Django, which is also where
browsers are. Both processes stamp with time.monotonic(), Linux's CLOCK_MONOTONIC, one clock for
the whole machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

from bench.queue.base import HOST
from bench.queue.httpclient import HttpClient, check_page


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
    parser = argparse.ArgumentParser(prog="python -m bench.queue --sockets")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--refetch", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run_sockets(args.port, args.clients, args.rows, args.refetch))
    print(json.dumps(result), flush=True)
    return 0
