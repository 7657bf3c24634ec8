"""What every page open to anonymous visitors shares (the help centre, the web forms):
the visitor's own session, CSRF token and language, and the spam guard of public posts.

An anonymous visitor gets a session like anyone (the signed session cookie), holding a
CSRF token (`server.auth.csrf`), the language chosen with the switch (POST `/language`)
and a random visitor key (`visitor`), which counts one vote per visitor without saying
who they are. Public pages read and write only as the public actor
(`Store.public`, granted under `public: grants:` in guanxi.yaml), whoever is signed in.

`public_handler` wraps a handler like `context.handler(login=False)`; posts carry the
CSRF token. `refused(ctx)` runs the guard (`guanxi.selfservice.spam`) on a post: size,
honeypot, captcha, then the rate limit per client address.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from guanxi.selfservice.spam import PublicGuard, Refusal
from guanxi.server.context import Ctx, Endpoint, handler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

VISITOR_KEY = "visitor"
# The Content-Security-Policy of pages other sites may show in a frame (embedded forms).
FRAMEABLE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *"
)


def public_handler() -> Callable[[Callable[..., Response]], Endpoint]:
    """A handler anyone may call; POSTs must carry the session's CSRF token."""
    return handler(login=False)


def guard(app: Starlette) -> PublicGuard:
    """The application's guard of public posts (`create_app(public_guard=...)`)."""
    found = getattr(app.state, "public_guard", None)
    if found is None:
        found = app.state.public_guard = PublicGuard()
    assert isinstance(found, PublicGuard)
    return found


def secret(app: Starlette) -> str:
    """What signs the public pages' tokens (`create_app` sets it to the session secret)."""
    found = getattr(app.state, "public_secret", None)
    if not isinstance(found, str) or not found:
        found = app.state.public_secret = secrets.token_urlsafe(32)
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def visitor(request: Request) -> str:
    """The visitor's random key, kept in their session."""
    key = request.session.get(VISITOR_KEY)
    if not isinstance(key, str) or len(key) < 32:
        key = secrets.token_urlsafe(32)
        request.session[VISITOR_KEY] = key
    return key


def posted_texts(ctx: Ctx) -> dict[str, str]:
    assert ctx.form is not None
    return {str(k): str(v) for k, v in ctx.form.items() if isinstance(v, str)}


def refused(ctx: Ctx) -> Refusal | None:
    """Why a public post may not go ahead (None: it may, and it is now counted)."""
    request = ctx.request
    found = guard(request.app)
    size = int(request.headers.get("content-length") or 0)
    address = client_address(request)
    posted = posted_texts(ctx)
    return (found.check(posted, size) or found.verify_captcha(posted, address)
            or found.count(ctx.store.engine, address))


def refusal_status(refusal: Refusal) -> int:
    return {"too_large": 413, "rate": 429}.get(refusal.reason, 400)


def frameable(response: Response) -> Response:
    """Let other pages show `response` in a frame (an embedded form)."""
    response.headers["Content-Security-Policy"] = FRAMEABLE_POLICY
    response.headers["X-Frame-Options"] = "ALLOWALL"
    return response
