"""Signing in and out, the language switch, and a user's API tokens.

Passwords are checked by `guanxi.users` (argon2 hashes). Every attempt is counted by
the `LoginBrake` (per username and per address, in the database) before its password is
checked, and only a few are checked at once. Signing in starts a fresh session (a new
CSRF token and a new row in `gx_session`), so a session planted before sign-in is
worthless after it; signing out deletes that row, so a copy of the cookie is worthless too.
"""

from __future__ import annotations

from guanxi.accounts import sessions, users
from guanxi.server.auth import csrf, tokens
from guanxi.server.context import SESSION_KEY, SESSION_LANGUAGE, Ctx, handler, language_of
from guanxi.server.i18n import UI_LANGUAGES
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

# Seconds a sign-in turned away because every password check is busy should wait.
BUSY_RETRY_SECONDS = 2


def _next_url(value: object) -> str:
    text = str(value or "/")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, status: int = 200, error: str = "",
                username: str = "") -> Response:
    loaded = request.app.state.holder.current()
    ctx = Ctx(request, loaded, None, language_of(request, None, loaded.spec))
    return ctx.render("login", status=status, error=error, username=username,
                      next=_next_url(request.query_params.get("next")))


def _refused(request: Request, status: int, message: str, username: str,
             retry_after: int) -> Response:
    response = _login_page(request, status, message, username)
    response.headers["Retry-After"] = str(retry_after)
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await run_in_threadpool(_login_page, request)
    form = await csrf.checked_form(request)
    username = str(form.get("username") or "").strip()[:150]
    password = str(form.get("password") or "")
    target = _next_url(form.get("next"))
    brake = request.app.state.brake
    address = _client(request)

    def attempt() -> Response:
        loaded = request.app.state.holder.current()
        engine = loaded.engine
        t = Ctx(request, loaded, None, language_of(request, None, loaded.spec)).t
        with brake.check_slot() as free:
            if not free:
                return _refused(request, 503, t("login_busy"), username, BUSY_RETRY_SECONDS)
            wait = brake.reserve(engine, username, address)
            if wait:
                return _refused(request, 429, t("login_brake", seconds=wait), username, wait)
            user = users.authenticate(engine, username, password)
        if user is None:
            wait = brake.seconds_to_wait(engine, username, address)
            if wait:
                return _refused(request, 429, t("login_brake", seconds=wait), username, wait)
            return _login_page(request, 401, t("bad_login"), username)
        brake.succeeded(engine, username, address)
        language = request.session.get(SESSION_LANGUAGE)
        sessions.end(loaded.engine, request.session.get(SESSION_KEY))
        request.session.clear()
        request.session[SESSION_KEY] = sessions.start(loaded.engine, user.id)
        if language:
            request.session[SESSION_LANGUAGE] = language
        csrf.csrf_token(request)
        return RedirectResponse(target, status_code=303)

    return await run_in_threadpool(attempt)


async def logout(request: Request) -> Response:
    """End the session on the server (its cookie is worthless from now on) and clear it."""
    await csrf.checked_form(request)
    key = request.session.get(SESSION_KEY)
    if key is not None:
        engine = request.app.state.holder.current().engine
        await run_in_threadpool(sessions.end, engine, key)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def set_language(request: Request) -> Response:
    form = await csrf.checked_form(request)
    language = str(form.get("language") or "")
    if language in UI_LANGUAGES:
        request.session[SESSION_LANGUAGE] = language
    return RedirectResponse(_next_url(form.get("next")), status_code=303)


@handler()
def tokens_page(ctx: Ctx) -> Response:
    assert ctx.user is not None
    engine = ctx.loaded.engine
    new_token = ""
    if ctx.request.method == "POST":
        assert ctx.form is not None
        revoke = ctx.form_int("revoke")
        if revoke is not None:
            tokens.revoke(engine, ctx.user.id, revoke)
        else:
            new_token = tokens.issue(engine, ctx.user.id, str(ctx.form.get("label") or ""))
    return ctx.render("tokens", tokens=tokens.list_for(engine, ctx.user.id),
                      new_token=new_token)


def routes() -> list[Route]:
    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/language", set_language, methods=["POST"]),
        Route("/account/tokens", tokens_page, methods=["GET", "POST"]),
    ]
