"""Cross-site request forgery protection: a synchronizer token kept in the signed session.

Every HTML form carries the token in a hidden `csrf_token` input; a POST without the
session's token is refused with 403 before anything else happens. JSON API calls that
authenticate with the session cookie send it in the `X-CSRF-Token` header instead.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def token_matches(request: Request, sent: object) -> bool:
    """Whether `sent` is this session's token (compared in constant time)."""
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token has been verified; 403 otherwise."""
    form = await request.form()
    sent = form.get(FORM_FIELD) or request.headers.get(HEADER)
    if not token_matches(request, sent):
        raise HTTPException(403, "csrf")
    return form


def check_header(request: Request) -> None:
    """For cookie-authenticated API calls that change data: the token must be in a header."""
    if not token_matches(request, request.headers.get(HEADER)):
        raise HTTPException(403, "csrf")
