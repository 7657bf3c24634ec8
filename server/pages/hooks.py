"""The webhooks page for administrators (`/admin/webhooks`): each subscription of
messages/*.yaml with its URL, role, whether its secret is set (never the secret), its
run of failures, and the latest delivery attempts; a disabled one can be enabled again
(a POST with the CSRF token)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from guanxi.mail.definitions import messages_of
from guanxi.mail.tables import TABLES
from guanxi.server.context import Ctx, handler, is_admin
from guanxi.webhooks import delivery
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _require_admin(ctx: Ctx) -> None:
    if ctx.user is None or not is_admin(ctx.spec, ctx.user):
        raise HTTPException(403, "administrators only")


@handler()
def webhooks_page(ctx: Ctx) -> Response:
    _require_admin(ctx)
    with ctx.store.engine.connect() as conn:
        states = {str(r.name): r for r in conn.execute(sa.select(TABLES.hooks))}
    hooks = []
    for hook in messages_of(ctx.spec).webhooks:
        state = states.get(hook.name)
        hooks.append({"name": hook.name, "entity": hook.entity, "transition": hook.transition,
                      "kinds": hook.kinds, "url": hook.url, "role": hook.role,
                      "secret_env": hook.secret_env,
                      "secret_set": bool(os.environ.get(hook.secret_env)),
                      "failures": state.failures if state is not None else 0,
                      "disabled": state is not None and state.disabled_at is not None})
    return ctx.render("webhooks", hooks=hooks, log=delivery.log(ctx.store.engine, limit=50))


@handler()
def enable(ctx: Ctx, name: str) -> Response:
    _require_admin(ctx)
    if messages_of(ctx.spec).webhook(name) is None:
        raise HTTPException(404, "no such webhook")
    delivery.enable(ctx.store.engine, name)
    ctx.flash(ctx.t("webhook_enabled"))
    return ctx.redirect("/admin/webhooks")


def routes() -> list[Route]:
    return [Route("/admin/webhooks", webhooks_page),
            Route("/admin/webhooks/{name}/enable", enable, methods=["POST"])]
