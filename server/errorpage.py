"""The HTML page shown for an error (404, 403, 413 …): in the visitor's language, titled
with the project's label, and, for a signed-in user, with the usual header and menu so
there is a way on. It names nothing of the record that was asked for."""

from __future__ import annotations

import logging

import anyio
from guanxi.server.context import Ctx, language_of, resolve_user
from guanxi.server.reload import ProjectHolder
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

log = logging.getLogger("guanxi.server")

__all__ = ["error_page"]


def _render(request: Request, status: int, key: str) -> Response:
    holder: ProjectHolder = request.app.state.holder
    loaded = holder.current()
    try:
        user, _ = resolve_user(request, loaded)
    except Exception:  # the error page must show even when the database does not answer
        log.exception("could not identify the visitor of an error page")
        user = None
    ctx = Ctx(request, loaded, user, language_of(request, user, loaded.spec), None, False)
    return ctx.render("error", status=status, code=status, message=ctx.t(key))


async def error_page(request: Request, status: int, key: str) -> Response:
    """The error page for `status`, its message the translation of `key`."""
    if "session" not in request.scope:
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1>",
                            status_code=status)
    return await anyio.to_thread.run_sync(_render, request, status, key)
