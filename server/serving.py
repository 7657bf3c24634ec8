"""How `guanxi serve` and `guanxi demo` run uvicorn: every limit set on purpose.

- HTTP/1.1 through h11 (whatever else is installed), whose parser refuses a request line
  plus headers larger than `MAX_HEADER_BYTES` (400);
- a connection that has not sent a complete request head within `HEADER_TIMEOUT_SECONDS`
  of opening (or of its previous response) is closed, so slow or silent sockets cannot
  pile up; uvicorn has no such timeout of its own;
- idle keep-alive connections close after `KEEP_ALIVE_SECONDS`;
- beyond `max_connections` open connections (or running requests) uvicorn answers 503;
- request bodies are bounded by the application (`guanxi.server.limits`).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

KEEP_ALIVE_SECONDS = 5
HEADER_TIMEOUT_SECONDS = 10.0
MAX_HEADER_BYTES = 16 * 1024
DEFAULT_MAX_CONNECTIONS = 1000


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections that send no request head in time."""

    header_timeout: float = HEADER_TIMEOUT_SECONDS
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        handling = self.cycle is not None and not self.cycle.response_complete
        if handling or self.transport.is_closing():
            return  # a request is being answered; the timer is armed again after it
        with contextlib.suppress(h11.LocalProtocolError):
            self.conn.send(h11.ConnectionClosed())
        self.transport.close()


def protocol(header_timeout: float = HEADER_TIMEOUT_SECONDS) -> type[HeaderTimeoutProtocol]:
    """The protocol class with this header timeout (seconds)."""
    if header_timeout == HEADER_TIMEOUT_SECONDS:
        return HeaderTimeoutProtocol
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,),
                {"header_timeout": header_timeout})


def config(app: Any, host: str, port: int, *,
           max_connections: int = DEFAULT_MAX_CONNECTIONS,
           header_timeout: float = HEADER_TIMEOUT_SECONDS, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration `guanxi serve` runs `app` with."""
    options.setdefault("log_level", "info")
    options.setdefault("proxy_headers", False)
    return uvicorn.Config(
        app, host=host, port=port,
        http=protocol(header_timeout),
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=max_connections,
        **options,
    )
