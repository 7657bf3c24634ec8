"""The customer portal's pages under /portal: a contact asks for a sign-in link
(`/portal/login`), opens it (`/portal/link/{token}`, confirmed with a button so a
mail scanner fetching the link does not use it up), and then sees only the tickets the
`portal: grants:` let her (`/portal/tickets`), answers them and attaches files.

The portal user comes only from the `guanxi_portal` cookie (path /portal, HttpOnly,
SameSite=Lax), never from the staff session; every page and form is the Store's,
called as that user, so row rules and hidden fields hold as for staff. Every form
carries the CSRF token of the visitor's session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any

from guanxi.errors import AccessDenied, TransitionRefused, ValidationFailed, VersionConflict
from guanxi.fields.registry import display
from guanxi.identity import User
from guanxi.language.labels import plural_of
from guanxi.mail import conversation
from guanxi.messages import render
from guanxi.portal import links, principal, sessions
from guanxi.server import i18n
from guanxi.server.auth import csrf
from guanxi.server.context import SESSION_FLASH, Ctx, handler, language_of
from guanxi.server.pages.attachments import download, uploaded
from guanxi.server.templating import page_template
from guanxi.spec import EntitySpec, PortalSpec, text_in
from guanxi.store.unit import transaction
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

log = logging.getLogger("guanxi.portal")
COOKIE = "guanxi_portal"
ENV_PUBLIC_URL = "GUANXI_PUBLIC_URL"
ERROR_KEY = "portal_error"
MAX_REPLY = 20_000
PortalPage = Callable[..., Response]


def _portal(ctx: Ctx) -> PortalSpec:
    portal = ctx.spec.portal
    if portal is None:
        raise HTTPException(404)
    return portal


def _language(ctx: Ctx) -> str:
    return language_of(ctx.request, None, ctx.spec)


def _now(ctx: Ctx) -> dt.datetime:
    return ctx.store.clock()


def _render(ctx: Ctx, page: str, status: int = 200, **values: Any) -> HTMLResponse:
    language = _language(ctx)
    t = i18n.translator(language)
    template = page_template(ctx.loaded.templates, page)
    values = {"user": None, "error": None, "email": "", **values}
    html = template.render(
        t=t, lang=language, csrf_token=csrf.csrf_token(ctx.request),
        project_label=text_in(ctx.spec.label, language, ctx.spec.name),
        flash=ctx.request.session.pop(SESSION_FLASH, None),
        path=ctx.request.url.path, **values)
    return HTMLResponse(html, status_code=status)


def portal_user(ctx: Ctx) -> User | None:
    """The contact signed in to the portal by this request's cookie, or None."""
    portal = _portal(ctx)
    contact = sessions.contact_of(ctx.store.engine, ctx.request.cookies.get(COOKIE),
                                  _now(ctx))
    if contact is None:
        return None
    return principal.user_for(ctx.store, portal, contact, _language(ctx))


def signed_in(fn: PortalPage) -> PortalPage:
    """A portal page for signed-in contacts: `fn(ctx, user, portal, **params)`; others
    are sent to /portal/login."""

    def page(ctx: Ctx, **params: Any) -> Response:
        portal = _portal(ctx)
        user = portal_user(ctx)
        if user is None:
            return RedirectResponse("/portal/login", status_code=303)
        return fn(ctx, user, portal, **params)

    page.__name__ = fn.__name__
    page.__doc__ = fn.__doc__
    return page


# ------------------------------------------------------------ signing in


@handler(login=False)
def home(ctx: Ctx) -> Response:
    _portal(ctx)
    target = "/portal/tickets" if portal_user(ctx) is not None else "/portal/login"
    return RedirectResponse(target, status_code=303)


def _link_base(ctx: Ctx) -> str:
    """Where links point: GUANXI_PUBLIC_URL when set (a link never takes its host from
    the request's Host header then), else this server as the request reached it."""
    base = os.environ.get(ENV_PUBLIC_URL) or str(ctx.request.base_url)
    return base.rstrip("/")


@handler(login=False)
def login(ctx: Ctx) -> Response:
    portal = _portal(ctx)
    if ctx.request.method == "GET":
        return _render(ctx, "portal_login")
    assert ctx.form is not None
    email = str(ctx.form.get("email") or "").strip()
    if "@" not in email or len(email) > links.MAX_EMAIL:
        return _render(ctx, "portal_login", status=400, email=email,
                       error=ctx.t("portal_bad_email"))
    requested = links.request(ctx.store, portal, email, _now(ctx))
    if requested.token is not None:
        link = f"{_link_base(ctx)}/portal/link/{requested.token}"
        try:
            links.send(ctx.store, portal, email, requested, link, _language(ctx), _now(ctx))
        except Exception:  # the visitor is told the same; the operator reads the log
            log.exception("the portal sign-in link could not be mailed")
    # The same answer whether or not the address is a contact's, or was limited.
    return _render(ctx, "portal_sent", email=email, minutes=portal.link_minutes)


@handler(login=False)
def link(ctx: Ctx, token: str) -> Response:
    _portal(ctx)
    if ctx.request.method == "GET":
        return _render(ctx, "portal_link", token=token)
    contact = links.redeem(ctx.store.engine, token, _now(ctx))
    if contact is None:
        return _render(ctx, "portal_login", status=400, error=ctx.t("portal_link_refused"))
    session = sessions.start(ctx.store.engine, contact, _now(ctx))
    response = RedirectResponse("/portal/tickets", status_code=303)
    response.set_cookie(COOKIE, session, max_age=sessions.HOURS * 3600, path="/portal",
                        httponly=True, samesite="lax",
                        secure=bool(getattr(ctx.request.app.state, "https_only", False)))
    return response


@handler(login=False)
def logout(ctx: Ctx) -> Response:
    _portal(ctx)
    sessions.end(ctx.store.engine, ctx.request.cookies.get(COOKIE), _now(ctx))
    response = RedirectResponse("/portal/login", status_code=303)
    response.delete_cookie(COOKIE, path="/portal")
    return response


# ------------------------------------------------------------ tickets


def _entity(ctx: Ctx, portal: PortalSpec) -> EntitySpec:
    entity = ctx.spec.entity(portal.tickets)
    if entity is None:
        raise HTTPException(404)
    return entity


def _title(entity: EntitySpec, record: dict[str, Any]) -> str:
    name = entity.title or "name"
    return str(record.get(name) or f"#{record['id']}")


def _state_label(ctx: Ctx, entity: EntitySpec, state: str | None, language: str) -> str:
    workflow = ctx.spec.workflow(entity.workflow) if entity.workflow else None
    found = workflow.state(state) if workflow is not None and state else None
    return text_in(found.label, language, found.name) if found is not None else ""


@handler(login=False)
@signed_in
def tickets(ctx: Ctx, user: User, portal: PortalSpec) -> Response:
    entity = _entity(ctx, portal)
    page = ctx.store.list(user, entity.name, sort=("-id",), limit=100)
    language = user.language
    rows = [{"id": r["id"], "title": _title(entity, r),
             "state": _state_label(ctx, entity, r.get("state"), language),
             "updated": r.get("updated_at")} for r in page.items]
    return _render(ctx, "portal_tickets", user=user, rows=rows,
                   heading=plural_of(entity, language))


def _shown_fields(ctx: Ctx, entity: EntitySpec, record: dict[str, Any],
                  language: str) -> list[dict[str, str]]:
    """The ticket's visible fields as text (references and files are not shown)."""
    shown = []
    for field in entity.fields:
        if field.name == entity.title or field.name not in record \
                or field.type in ("reference", "user", "file"):
            continue
        value = record[field.name]
        shown.append({"name": field.name, "label": text_in(field.label, language, field.name),
                      "text": "" if value is None else display(field, value, language)})
    return shown


@handler(login=False)
@signed_in
def ticket(ctx: Ctx, user: User, portal: PortalSpec, id: int) -> Response:
    entity = _entity(ctx, portal)
    held = ctx.store.get(user, entity.name, id, with_rights=True)
    record = dict(held.record)
    language = user.language
    # Our replies to the customer, and what this contact wrote (not others' mail).
    messages = [m for m in conversation.timeline(ctx.store.engine, entity.name, id)
                if m.kind == "reply" and (m.direction == "out"
                                          or m.contact_id == user.contact_id)]
    files = ctx.store.attachments(user, entity.name, id)
    return _render(
        ctx, "portal_ticket", user=user, record=record, title=_title(entity, record),
        state=_state_label(ctx, entity, record.get("state"), language),
        fields=_shown_fields(ctx, entity, record, language), messages=messages,
        files=files, may_reply=held.may_update, base=f"/portal/tickets/{id}",
        error=ctx.request.session.pop(ERROR_KEY, None),
        max_size=ctx.spec.attachments.max_size)


def _failed(ctx: Ctx, id: int, failed: ValidationFailed) -> Response:
    ctx.request.session[ERROR_KEY] = "; ".join(m for ms in failed.errors.values() for m in ms)
    return RedirectResponse(f"/portal/tickets/{id}#reply", status_code=303)


@handler(login=False)
@signed_in
def reply(ctx: Ctx, user: User, portal: PortalSpec, id: int) -> Response:
    """The contact's answer: kept with the ticket's conversation (as a message received
    from her), with a file if one is chosen, and the `reply` transition fired when the
    ticket allows it now."""
    entity = _entity(ctx, portal)
    assert ctx.form is not None
    held = ctx.store.get(user, entity.name, id, with_rights=True)
    if not held.may_update:
        raise AccessDenied(ctx.t("forbidden"), code="may_not_change")
    body = str(ctx.form.get("body") or "").strip()
    if not body or len(body) > MAX_REPLY:
        return _failed(ctx, id, ValidationFailed({"body": [render(
            "portal_reply_empty", {}, user.language)]}))
    found = uploaded(ctx)
    if found is not None:
        try:
            ctx.store.attach(user, entity.name, id, found)
        except ValidationFailed as failed:
            return _failed(ctx, id, failed)
    record = held.record
    subject = render("portal_reply_subject", {"name": user.name}, user.language)
    with transaction(ctx.store.engine, write=True) as conn:
        conversation.insert(
            conn, entity=entity.name, record_id=id, direction="in",
            message_id=conversation.new_message_id("portal.invalid"),
            from_addr=str(portal_address(ctx, portal, user)), to_addr="portal",
            subject=f"{subject} {conversation.token(id)}"[:500], body=body, kind="reply",
            state="received", contact_id=user.contact_id, created_at=_now(ctx))
    names = [t.name for t in held.transitions]
    if portal.reply_transition and portal.reply_transition in names:
        # The reply is kept whatever happens: the transition is fired only if it still
        # may be (a staff member may have moved the ticket meanwhile).
        with contextlib.suppress(TransitionRefused, VersionConflict, AccessDenied):
            ctx.store.transition(user, entity.name, id, portal.reply_transition,
                                 expected_version=record.get("version"))
    ctx.flash(ctx.t("portal_reply_sent"))
    return RedirectResponse(f"/portal/tickets/{id}", status_code=303)


def portal_address(ctx: Ctx, portal: PortalSpec, user: User) -> str:
    """The signed-in contact's e-mail address (as the system reads it)."""
    assert user.contact_id is not None
    contact = ctx.store.get(ctx.store.system, portal.principal, user.contact_id)
    return str(contact.get(portal.email) or user.name)


@handler(login=False)
@signed_in
def attach(ctx: Ctx, user: User, portal: PortalSpec, id: int) -> Response:
    entity = _entity(ctx, portal)
    found = uploaded(ctx)
    if found is None:
        raise HTTPException(400, "choose a file to attach")
    try:
        ctx.store.attach(user, entity.name, id, found)
    except ValidationFailed as failed:
        return _failed(ctx, id, failed)
    ctx.flash(ctx.t("attachment_added"))
    return RedirectResponse(f"/portal/tickets/{id}", status_code=303)


@handler(login=False)
@signed_in
def fetch(ctx: Ctx, user: User, portal: PortalSpec, id: int, attachment: int) -> Response:
    entity = _entity(ctx, portal)
    found, content = ctx.store.attachment(user, entity.name, id, attachment)
    return download(found, content)


def routes() -> list[Route]:
    return [
        Route("/portal", home),
        Route("/portal/login", login, methods=["GET", "POST"]),
        Route("/portal/link/{token}", link, methods=["GET", "POST"]),
        Route("/portal/logout", logout, methods=["POST"]),
        Route("/portal/tickets", tickets),
        Route("/portal/tickets/{id:int}", ticket),
        Route("/portal/tickets/{id:int}/reply", reply, methods=["POST"]),
        Route("/portal/tickets/{id:int}/attachments", attach, methods=["POST"]),
        Route("/portal/tickets/{id:int}/attachments/{attachment:int}", fetch),
    ]
