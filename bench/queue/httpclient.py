"""A small keep-alive HTTP/1.1 client (asyncio, no dependency), and the check that a response
is the queue page with the expected rows."""

from __future__ import annotations

import asyncio
import socket

from bench.queue.base import HOST, REQUEST_TIMEOUT_S, ROW_MARK


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


def check_page(status: int, body: bytes, rows: int) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    found = body.count(ROW_MARK)
    return None if found == rows else f"{found} rows, expected {rows}"
