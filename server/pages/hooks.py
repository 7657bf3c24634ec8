"""The webhooks page for administrators (`/admin/webhooks`): each subscription of
messages/*.yaml with its URL, role, where its secret comes from (never the secret), its
run of failures, and the latest delivery attempts; a disabled one can be enabled again.
Administrators set or clear a subscription's URL and secret here (`gx_webhook_setting`,
`guanxi.webhooks.settings`), or generate a secret, shown once. Every change is a POST
with the CSRF token."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from guanxi.mail.definitions import WebhookSpec, messages_of
from guanxi.mail.tables import TABLES
from guanxi.server.context import Ctx, handler, is_admin
from guanxi.webhooks import delivery, settings
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

PAGE = "/admin/webhooks"


def _require_admin(ctx: Ctx) -> None:
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        raise HTTPException(403, "administrators only")


def _hook(ctx: Ctx, name: str) -> WebhookSpec:
    hook = messages_of(ctx.spec).webhook(name)
    if hook is None:
        raise HTTPException(404, "no such webhook")
    return hook


def _page(ctx: Ctx, status: int = 200, errors: dict[str, dict[str, str]] | None = None,
          typed: dict[str, str] | None = None, generated: dict[str, str] | None = None,
          ) -> Response:
    with ctx.store.engine.connect() as conn:
        states = {str(r.name): r for r in conn.execute(sa.select(TABLES.hooks))}
        chosen = settings.load_all(conn)
    hooks: list[dict[str, Any]] = []
    for hook in messages_of(ctx.spec).webhooks:
        state = states.get(hook.name)
        setting = chosen.get(hook.name)
        target = settings.effective(hook, setting)
        hooks.append({"name": hook.name, "entity": hook.entity, "transition": hook.transition,
                      "kinds": hook.kinds, "url": target.url, "yaml_url": hook.url,
                      "url_from_page": setting is not None and bool(setting.url),
                      "typed_url": (typed or {}).get(hook.name, target.url),
                      "role": hook.role, "secret_env": hook.secret_env,
                      "secret_source": target.source,
                      "url_error": (errors or {}).get(hook.name, {}).get("url"),
                      "secret_error": (errors or {}).get(hook.name, {}).get("secret"),
                      "generated": (generated or {}).get(hook.name),
                      "failures": state.failures if state is not None else 0,
                      "disabled": state is not None and state.disabled_at is not None})
    return ctx.render("webhooks", status=status, hooks=hooks,
                      log=delivery.log(ctx.store.engine, limit=50))


@handler()
def webhooks_page(ctx: Ctx) -> Response:
    _require_admin(ctx)
    return _page(ctx)


@handler()
def enable(ctx: Ctx, name: str) -> Response:
    _require_admin(ctx)
    _hook(ctx, name)
    delivery.enable(ctx.store.engine, name)
    ctx.flash(ctx.t("webhook_enabled"))
    return ctx.redirect(PAGE)


@handler()
def set_url(ctx: Ctx, name: str) -> Response:
    """Set the subscription's URL (http or https), or clear it back to the YAML's."""
    _require_admin(ctx)
    _hook(ctx, name)
    assert ctx.form is not None and ctx.user is not None
    text = str(ctx.form.get("url") or "").strip()
    if ctx.form.get("clear"):
        text = ""
    if text:
        problem = settings.url_error(text)
        if problem is not None:
            return _page(ctx, 400, errors={name: {"url": ctx.t(problem)}},
                         typed={name: text})
    settings.save_url(ctx.store.engine, name, text or None, user_id=ctx.user.id,
                  now=ctx.store.clock())
    ctx.flash(ctx.t("webhook_url_saved" if text else "webhook_url_cleared"))
    return ctx.redirect(PAGE)


@handler()
def set_secret(ctx: Ctx, name: str) -> Response:
    """Set, generate (shown once, on this answer only) or clear the subscription's secret."""
    _require_admin(ctx)
    _hook(ctx, name)
    assert ctx.form is not None and ctx.user is not None
    now = ctx.store.clock()
    if ctx.form.get("clear"):
        settings.save_secret(ctx.store.engine, name, None, user_id=ctx.user.id, now=now)
        ctx.flash(ctx.t("webhook_secret_cleared"))
        return ctx.redirect(PAGE)
    if ctx.form.get("generate"):
        made = settings.generate()
        settings.save_secret(ctx.store.engine, name, made, user_id=ctx.user.id, now=now)
        return _page(ctx, generated={name: made})
    text = str(ctx.form.get("secret") or "")
    problem = settings.secret_error(text)
    if problem is not None:
        return _page(ctx, 400, errors={name: {"secret": ctx.t(problem)}})
    settings.save_secret(ctx.store.engine, name, text, user_id=ctx.user.id, now=now)
    ctx.flash(ctx.t("webhook_secret_saved"))
    return ctx.redirect(PAGE)


def routes() -> list[Route]:
    return [Route(PAGE, webhooks_page),
            Route(PAGE + "/{name}/enable", enable, methods=["POST"]),
            Route(PAGE + "/{name}/url", set_url, methods=["POST"]),
            Route(PAGE + "/{name}/secret", set_secret, methods=["POST"])]
