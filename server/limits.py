"""A bound on the size of request bodies.

`BodyLimitMiddleware` refuses a body larger than `max_body` bytes with 413: at once when
its Content-Length says so (nothing of it is read), and otherwise as soon as the bytes
received pass the limit (chunked uploads), so no handler ever holds more than `max_body`
bytes of one request. The 413 comes from the endpoint reading the body, so the API answers
JSON and pages answer their error page, like every other HTTP error.
"""

from __future__ import annotations

from collections.abc import Callable

from guanxi.language.sizes import parse_size
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 1024 * 1024  # bytes: far above any form or JSON record the app takes

__all__ = ["DEFAULT_MAX_BODY", "BodyLimitMiddleware", "parse_size", "too_large"]


def too_large(max_body: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than {max_body} bytes")


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


class BodyLimitMiddleware:
    """Lets through at most `max_body` bytes of each request body (413 beyond). Routes
    with a limit of their own (uploads) get it from `limit_for(path)` (None: `max_body`)."""

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY,
                 limit_for: Callable[[str], int | None] | None = None) -> None:
        if max_body < 1:
            raise ValueError(f"max_body must be at least 1 byte, not {max_body}")
        self.app = app
        self.max_body = max_body
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body
        if self.limit_for is not None:
            limit = self.limit_for(scope.get("path", "")) or limit
        declared = _declared_length(scope)
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:  # the body was given up on: nothing more of it is read
                return {"type": "http.disconnect"}
            if declared is not None and declared > limit:
                refused = True
                raise too_large(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise too_large(limit)
            return message

        await self.app(scope, limited_receive, send)
