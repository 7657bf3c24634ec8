"""The Starlette application: pages, JSON API and OpenAPI document over one Store."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from guanxi.automation.worker import start_thread
from guanxi.errors import AccessDenied, GuanxiError, NotFound, RequestInvalid
from guanxi.selfservice.spam import PublicGuard
from guanxi.server.api import attachments as api_attachments
from guanxi.server.api import automation as api_automation
from guanxi.server.api import exports, merges, openapi
from guanxi.server.api import notes as api_notes
from guanxi.server.api import reports as api_reports
from guanxi.server.api import routes as api
from guanxi.server.auth import brake as login_brake
from guanxi.server.auth import login as auth
from guanxi.server.auth.brake import LoginBrake
from guanxi.server.context import Ctx, default_store_threads, handler
from guanxi.server.errorpage import error_page
from guanxi.server.limits import DEFAULT_MAX_BODY, BodyLimitMiddleware
from guanxi.server.pages import (
    access,
    attachments,
    breaching,
    bulk,
    campaigns,
    editing,
    erasure,
    hooks,
    imports,
    inbox,
    jobs,
    kanban,
    knowledge,
    listing,
    mail,
    merging,
    picker,
    portal,
    reports,
    search,
    targets,
    tasks,
    teams,
    timeline,
    versions,
    webforms,
)
from guanxi.server.pages import (
    approvals as approvals_pages,
)
from guanxi.server.pages import help as help_pages
from guanxi.server.pages import views as pages
from guanxi.server.reload import ProjectHolder
from guanxi.server.security import SecurityHeadersMiddleware
from guanxi.server.templating import STATIC
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

log = logging.getLogger("guanxi.server")
SESSION_COOKIE = "guanxi_session"
OPENAPI_PATH = "/openapi.json"
HTTP_ERRORS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "body_too_large",
               429: "too_many_requests", 503: "unavailable"}


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/api", OPENAPI_PATH)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if _is_api(request):
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail == "csrf":
            detail = "missing or wrong X-CSRF-Token header (or use a Bearer token)"
        answer = api.error_response(status, HTTP_ERRORS.get(status, "error"), detail)
        answer.headers.update(exc.headers or {})
        if status == 401:
            answer.headers["WWW-Authenticate"] = 'Bearer realm="guanxi"'
        return answer
    key = {403: "csrf_failed" if exc.detail == "csrf" else "forbidden",
           404: "not_found", 413: "body_too_large"}.get(status, "page_error")
    response = await error_page(request, status, key)
    response.headers.update(exc.headers or {})
    return response


# What a page shows for an error that reached the application, by class (the first class
# of the error's MRO found here); anything else is a 500 and is logged.
PAGE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    AccessDenied: (403, "forbidden"),
    RequestInvalid: (400, "page_error"),  # a request the Store cannot answer (bad sort …)
}


def page_error_of(exc: Exception) -> tuple[int, str] | None:
    """The status and message key a page shows for `exc`, by its class."""
    for cls in type(exc).__mro__:
        if cls in PAGE_ERRORS:
            return PAGE_ERRORS[cls]
    return None


async def store_error(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        mapped = api.map_store_error(exc)
        if mapped is not None:
            return mapped
        if isinstance(exc, RequestInvalid):
            return api.error_response(400, "bad_request", str(exc))
    page = page_error_of(exc)
    if page is not None:
        return await error_page(request, *page)
    log.exception("unexpected error", exc_info=exc)
    return await error_page(request, 500, "page_error")


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("server error", exc_info=exc)
    if _is_api(request):
        return api.error_response(500, "server_error", "the server failed; see its log")
    return HTMLResponse("<!doctype html><title>500</title><h1>500</h1>", status_code=500)


@handler(api=True)
def openapi_json(ctx: Ctx) -> Response:
    """The OpenAPI document as the signed-in caller may use the API (401 for anyone else:
    it names entities and fields)."""
    assert ctx.user is not None
    rights = openapi.rights_of(ctx.spec, ctx.loaded.app.policies, ctx.user)
    document = openapi.document(ctx.spec, rights)
    api_reports.add_to_document(document, ctx)
    search.add_to_document(document)
    return JSONResponse(document)


def _with_worker(holder: ProjectHolder) -> Any:
    """A lifespan running the automation worker beside the application."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        thread, stop = start_thread(lambda: holder.current().store)
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)

    return lifespan


def create_app(project: str | Path | Any, db_url: str | sa.Engine, secret: str | None = None,
               *, reload: bool = False, https_only: bool = False,
               create_schema: bool = False, brake: LoginBrake | None = None,
               store_threads: int | None = None,
               max_body: int = DEFAULT_MAX_BODY, worker: bool = False,
               public_guard: PublicGuard | None = None) -> Starlette:
    """The web application for `project` (a project directory or a compiled App) over the
    database at `db_url`. `secret` signs session cookies (a random one when None, which
    signs everyone out on restart). With `https_only` the session cookie is marked Secure
    (sent over HTTPS only). With `reload`, YAML edits are picked up per request.
    `store_threads`: how many requests may run Store calls at once (the rest queue in
    order); by default 1 on SQLite, which takes one writer at a time, and
    `context.STORE_THREADS` on other databases. `max_body`: the largest request body
    taken, in bytes (413 beyond; see `guanxi.server.limits`). With `worker`, an
    automation worker runs in a thread while the application runs
    (`guanxi.automation.worker`). `public_guard`: the spam guard of the public forms
    (`guanxi.selfservice.spam`; limits and a captcha)."""
    if store_threads is not None and store_threads < 1:
        raise ValueError(f"store_threads must be at least 1, not {store_threads}")
    holder = ProjectHolder(project, db_url, reload=reload, create_schema=create_schema)
    routes: list[Route | Mount] = [
        Route(OPENAPI_PATH, openapi_json),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
        *auth.routes(), *api_automation.routes(), *api_reports.routes(), *exports.routes(),
        *merges.routes(),
        # The staff workspace (/search, /api/search before the generic API routes).
        *search.routes(), *timeline.routes(), *api_notes.routes(), *tasks.routes(),
        # Attachments and the customer portal.
        *api_attachments.routes(), *attachments.routes(), *portal.routes(),
        *api.routes(), *reports.routes(), *targets.routes(), *kanban.routes(),
        *editing.routes(), *merging.routes(), *imports.routes(), *erasure.routes(),
        *inbox.routes(), *jobs.routes(), *breaching.routes(), *access.routes(),
        *mail.routes(), *hooks.routes(), *teams.routes(), *approvals_pages.routes(),
        # Lists: views, bulk actions, record pickers.
        *listing.routes(), *bulk.routes(), *picker.routes(),
        # Self-service: the public help centre and web forms (no sign-in).
        *help_pages.routes(), *webforms.routes(), *knowledge.routes(),
        *versions.routes(), *campaigns.routes(),
        *pages.routes(),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(BodyLimitMiddleware, max_body=max_body,
                   limit_for=attachments.upload_limit(holder)),
        Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                   session_cookie=SESSION_COOKIE, same_site="lax", https_only=https_only,
                   max_age=12 * 3600),
    ]
    handlers: dict[Any, Any] = {
        HTTPException: http_error,
        GuanxiError: store_error,
        api.ApiError: store_error,
        Exception: server_error,
    }
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers,
                    lifespan=_with_worker(holder) if worker else None)
    app.state.holder = holder
    app.state.brake = brake or LoginBrake()
    app.state.https_only = https_only
    app.state.public_guard = public_guard or PublicGuard()
    # Signs the public pages' tokens (unsubscribe links, visitors' vote keys): the
    # session secret, so links stay valid across restarts when it is given.
    app.state.public_secret = secret or secrets.token_urlsafe(32)
    login_brake.create_table(holder.current().engine)
    app.state.store_threads = store_threads or default_store_threads(
        holder.current().engine.dialect.name)
    return app
