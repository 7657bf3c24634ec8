"""A small HTTP load generator: N concurrent clients POSTing JSON, on loopback only.

Each worker holds one keep-alive HTTP/1.1 connection and sends its next request as soon as
the previous answer arrived (a closed loop), until the request budget or the time budget
is spent. Throughput is completed requests per second of the measured window; latencies
are per request, client side.

The client speaks HTTP/1.1 over asyncio streams itself: httpx.AsyncClient spends about
1.7 ms of CPU per request here and saturates near 200-400 requests/s with 32 connections
(see docs/performance.md), so it would measure itself instead of the server. httpx stays
the client for setup (logins, tokens) elsewhere in the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.harness import percentile

Body = Callable[[int], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    throughput: float  # successful requests per second
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""


class _Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.host, self.port, self.path = host, port, path
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Content-Type: application/json\r\nAccept: application/json\r\n{extra}")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, payload: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"{self.head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def run_load(
    url: str,
    body: Body,
    headers: dict[str, str],
    clients: int = 32,
    max_requests: int = 5000,
    max_seconds: float = 10.0,
    warmup: int = 100,
    expect_status: int = 201,
) -> LoadResult:
    """POST `body(n)` as JSON to `url` from `clients` concurrent connections; `warmup`
    requests first, not counted. Only http://127.0.0.1 is allowed as a target."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None:
        raise ValueError(f"the load generator only targets http://127.0.0.1:PORT, not {url!r}")
    return asyncio.run(_run(parts.hostname, parts.port, parts.path or "/", body, headers,
                            clients, max_requests, max_seconds, warmup, expect_status))


async def _run(host: str, port: int, path: str, body: Body, headers: dict[str, str],
               clients: int, max_requests: int, max_seconds: float, warmup: int,
               expect_status: int) -> LoadResult:
    numbers = itertools.count()
    statuses: dict[int, int] = {}
    errors: list[str] = []
    connections = [_Connection(host, port, path, headers) for _ in range(clients)]

    async def one(connection: _Connection, latencies: list[float] | None) -> None:
        payload = json.dumps(body(next(numbers))).encode()
        started = time.perf_counter()
        try:
            status, answer = await connection.post(payload)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            status, answer = 0, f"{type(error).__name__}: {error}".encode()
            await connection.close()
        elapsed = time.perf_counter() - started
        statuses[status] = statuses.get(status, 0) + 1
        if status != expect_status and not errors:
            errors.append(f"HTTP {status}: {answer[:300].decode(errors='replace')}")
        if latencies is not None:
            latencies.append(elapsed)

    async def warm(connection: _Connection, count: int) -> None:
        for _ in range(count):
            await one(connection, None)

    per_worker = max(1, warmup // clients)
    await asyncio.gather(*(warm(c, per_worker) for c in connections))
    statuses.clear()
    errors.clear()

    latencies: list[float] = []
    remaining = [max_requests]
    deadline = time.perf_counter() + max_seconds

    async def worker(connection: _Connection) -> None:
        while remaining[0] > 0 and time.perf_counter() < deadline:
            remaining[0] -= 1
            await one(connection, latencies)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    seconds = time.perf_counter() - started
    for connection in connections:
        await connection.close()

    good = statuses.get(expect_status, 0)
    return LoadResult(
        requests=len(latencies),
        errors=len(latencies) - good,
        seconds=seconds,
        throughput=good / seconds if seconds else 0.0,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        statuses=statuses,
        first_error=errors[0] if errors else "",
    )
