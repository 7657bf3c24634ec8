"""The notifications inbox (`/notifications`): a user's notifications, newest first,
each marked read when followed (a POST, with the CSRF token) or all at once."""

from __future__ import annotations

from guanxi.automation import notifications
from guanxi.server.context import Ctx, handler
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route


def _link(entity: str | None, record_id: int | None) -> str:
    return f"/e/{entity}/{record_id}" if entity and record_id else "/notifications"


@handler()
def inbox_page(ctx: Ctx) -> Response:
    assert ctx.user is not None
    items = [{"id": n.id, "text": n.text(ctx.language), "read": n.read_at is not None,
              "at": n.created_at.strftime("%Y-%m-%d %H:%M UTC"),
              "link": _link(n.entity, n.record_id)}
             for n in notifications.inbox(ctx.store.engine, ctx.user.id, limit=200)]
    return ctx.render("inbox", items=items)


@handler()
def read_one(ctx: Ctx, id: int) -> Response:
    assert ctx.user is not None
    found = notifications.for_user(ctx.store.engine, ctx.user.id, id)
    if found is None:
        raise HTTPException(404)
    notifications.mark_read(ctx.store.engine, ctx.user.id, ctx.store.clock(), id)
    return ctx.redirect(_link(found.entity, found.record_id))


@handler()
def read_all(ctx: Ctx) -> Response:
    assert ctx.user is not None
    notifications.mark_read(ctx.store.engine, ctx.user.id, ctx.store.clock())
    return ctx.redirect("/notifications")


def routes() -> list[Route]:
    return [
        Route("/notifications", inbox_page),
        Route("/notifications/{id:int}/read", read_one, methods=["POST"]),
        Route("/notifications/read", read_all, methods=["POST"]),
    ]
