"""What every request handler needs: the loaded project, the acting user, the language.

Handlers are plain synchronous functions run in a worker thread (the Store is
synchronous); `handler` wraps one as a Starlette endpoint, checks CSRF on POST, signs the
user in from the session or an API token, and answers in the user's language.

A few handlers run at once (per application and event loop: `store_threads`), and
further requests wait their turn in arrival order. More threads would not make the Store
faster: they would contend for the interpreter lock and, on SQLite, for the database's
single write lock, whose busy handler naps and retries while the lock may already be
free. So on SQLite one request runs at a time; on PostgreSQL, whose commits wait for the
disk without holding the interpreter, `STORE_THREADS` do.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import anyio
import anyio.to_thread
from guanxi.accounts import sessions
from guanxi.automation import notifications
from guanxi.compile.access import EntityPolicy
from guanxi.fields.integers import parse_int
from guanxi.identity import User
from guanxi.language.labels import plural_of
from guanxi.server import i18n
from guanxi.server.auth import csrf, tokens
from guanxi.server.reload import Loaded
from guanxi.server.templating import page_template
from guanxi.spec import EntitySpec, ProjectSpec, text_in
from guanxi.store.facade import Store
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

# The key of the visitor's row in gx_session (see guanxi.sessions).
SESSION_KEY = "sid"
SESSION_LANGUAGE = "lang"
SESSION_FLASH = "flash"
# Handlers (Store calls) running at once, per application and event loop, on databases
# that take concurrent writers (PostgreSQL), and on SQLite (one writer at a time).
STORE_THREADS = 4
SQLITE_STORE_THREADS = 1
# Record ids above this cannot exist (the databases store 64-bit integers at most).
MAX_RECORD_ID = 2**63 - 1


# What `handler` makes of a handler: a Starlette endpoint.
Endpoint = Callable[[Request], Awaitable[Response]]


def default_store_threads(dialect: str) -> int:
    """How many handlers may run at once over a database of `dialect` ("sqlite" …)."""
    return SQLITE_STORE_THREADS if dialect == "sqlite" else STORE_THREADS


@dataclass
class Ctx:
    """One request, as a handler sees it."""

    request: Request
    loaded: Loaded
    user: User | None
    language: str
    form: FormData | None = None
    via_token: bool = False
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> ProjectSpec:
        return self.loaded.spec

    @property
    def store(self) -> Store:
        return self.loaded.store

    @property
    def t(self) -> Callable[..., str]:
        return i18n.translator(self.language)

    def text(self, text: dict[str, str] | None, fallback: str = "") -> str:
        return text_in(text, self.language, fallback)

    def entity(self, name: str) -> EntitySpec:
        """The entity named in the URL; 404 when the project has none by that name."""
        entity = self.spec.entity(name)
        if entity is None:
            raise HTTPException(404)
        return entity

    def policy(self, entity: str) -> EntityPolicy:
        return self.loaded.app.policies[entity]

    def may(self, entity: str, operation: str) -> bool:
        return self.user is not None and self.policy(entity).may(self.user, operation)

    def form_int(self, name: str) -> int | None:
        """The whole number posted as `name` (ASCII digits, as `integers.parse_int` reads
        them); None when the field is absent or empty; 400 for anything else."""
        assert self.form is not None
        text = str(self.form.get(name) or "")
        if not text:
            return None
        number = parse_int(text.strip())
        if number is None:
            raise HTTPException(400, f"{name} must be a whole number")
        return number

    def flash(self, message: str) -> None:
        self.request.session[SESSION_FLASH] = message

    def render(self, page: str, template_entity: str | None = None, status: int = 200,
               **values: Any) -> HTMLResponse:
        """The page, from the entity's own template when the project has one."""
        template = page_template(self.loaded.templates, page, template_entity)
        flash = self.request.session.pop(SESSION_FLASH, None)
        context = {
            "ctx": self, "t": self.t, "lang": self.language, "user": self.user,
            "csrf_token": csrf.csrf_token(self.request), "flash": flash,
            "project_label": self.text(self.spec.label, self.spec.name),
            "nav": navigation(self) if self.user else [],
            "config_errors": config_errors(self),
            "admin": self.user is not None and is_admin(self.spec, self.user),
            "page": page, "entity_name": template_entity,
            "unread": notifications.unread_count(self.store.engine, self.user.id)
            if self.user else 0,
            "is_admin": self.user is not None and is_admin(self.spec, self.user),
            **values,
        }
        return HTMLResponse(template.render(context), status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


def navigation(ctx: Ctx) -> list[dict[str, str]]:
    """The entities the user may open, with their plural labels."""
    items = []
    for entity in ctx.spec.entities:
        if ctx.may(entity.name, "read") or ctx.may(entity.name, "create"):
            items.append({"name": entity.name, "label": plural_of(entity, ctx.language)})
    return items


def config_errors(ctx: Ctx) -> list[str]:
    """The configuration errors of a failed reload, for administrators only."""
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        return []
    return [str(d) for d in ctx.request.app.state.holder.errors]


def is_admin(spec: ProjectSpec, user: User) -> bool:
    roles = spec.expand_roles(user.roles)
    return any(r.admin for r in spec.roles if r.name in roles)


def resolve_user(request: Request, loaded: Loaded) -> tuple[User | None, bool]:
    """The user of a request: from an API token (Authorization: Bearer) or the session,
    whose row in the database is checked on every request (an ended session is cleared)."""
    engine = loaded.engine
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return tokens.user_for(engine, header[7:].strip()), True
    key = request.session.get(SESSION_KEY)
    if key is None:
        return None, False
    user = sessions.user_for(engine, key)
    if user is None:
        request.session.clear()
    return user, False


def language_of(request: Request, user: User | None, spec: ProjectSpec) -> str:
    return i18n.choose_language(
        session_choice=request.session.get(SESSION_LANGUAGE),
        user_language=user.language if user else None,
        accept_language=request.headers.get("accept-language", ""),
        default=spec.languages[0] if spec.languages else "en",
    )


def handler(*, login: bool = True, api: bool = False,
            csrf_check: bool = True) -> Callable[[Callable[..., Response]], Endpoint]:
    """Wrap a synchronous `fn(ctx, **path_params) -> Response` as a Starlette endpoint.

    POST forms must carry the CSRF token (403 otherwise). With `login`, an anonymous
    visitor is sent to the sign-in page (pages) or answered 401 (API).
    """

    def wrap(fn: Callable[..., Response]) -> Endpoint:
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            limiter = store_limiter(request.app)
            known: tuple[User | None, bool] | None = None
            if login and has_body(request):
                # Who is asking, before a byte of the body is read: an anonymous caller
                # is turned away without making the server receive what it sent.
                known = await anyio.to_thread.run_sync(
                    _identify, request, limiter=limiter)
                if known[0] is None:
                    return _anonymous(request, api)
            form: FormData | None = None
            if not api and request.method == "POST":
                form = await csrf.checked_form(request) if csrf_check else await request.form()
            body: bytes | None = await request.body() if api else None

            def run() -> Response:
                loaded = request.app.state.holder.current()
                user, via_token = known or resolve_user(request, loaded)
                if api and not via_token and request.method not in ("GET", "HEAD") and user:
                    csrf.check_header(request)
                ctx = Ctx(request, loaded, user, language_of(request, user, loaded.spec),
                          form, via_token)
                if body is not None:
                    ctx._cache["body"] = body
                if login and user is None:
                    return _anonymous(request, api)
                record_id = request.path_params.get("id")
                if isinstance(record_id, int) and record_id > MAX_RECORD_ID:
                    raise HTTPException(404, "no such record, or you may not see it")
                return fn(ctx, **request.path_params)

            return await anyio.to_thread.run_sync(run, limiter=limiter)

        return endpoint

    return wrap


def has_body(request: Request) -> bool:
    """Whether the request comes with a body (a length above 0, or chunks)."""
    headers = request.headers
    return "transfer-encoding" in headers or headers.get("content-length", "0") not in ("0", "")


def _identify(request: Request) -> tuple[User | None, bool]:
    return resolve_user(request, request.app.state.holder.current())


def _anonymous(request: Request, api: bool) -> Response:
    """The answer to a visitor who has not signed in: 401 (API) or the sign-in page."""
    if api:
        raise HTTPException(401, "sign in or send an API token")
    return RedirectResponse("/login?next=" + _safe_next(request.url.path), status_code=303)


_limiters_lock = threading.Lock()


def store_limiter(app: Starlette) -> anyio.CapacityLimiter:
    """The limiter of the threads running handlers of `app` on the running event loop;
    its size is `app.state.store_threads` (default STORE_THREADS)."""
    loop = asyncio.get_running_loop()
    with _limiters_lock:
        limiters = getattr(app.state, "store_limiters", None)
        if limiters is None:
            limiters = app.state.store_limiters = weakref.WeakKeyDictionary()
        limiter = limiters.get(loop)
        if limiter is None:
            size = getattr(app.state, "store_threads", None) or STORE_THREADS
            limiter = limiters[loop] = anyio.CapacityLimiter(size)
    return limiter


def _safe_next(path: str) -> str:
    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")
