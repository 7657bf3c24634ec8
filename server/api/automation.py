"""The JSON API of automation: `GET /api/me/notifications` (the caller's notifications,
in their language; `?unread=true` for the unread ones), `POST
/api/me/notifications/{id}/read`, and `GET /api/{entity}/{id}/clocks` (a record's SLA
clocks, to those who may read the record)."""

from __future__ import annotations

from guanxi.automation import notifications, slas
from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError
from guanxi.server.context import Ctx, handler
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@handler(api=True)
def my_notifications(ctx: Ctx) -> Response:
    assert ctx.user is not None
    unread_only = ctx.request.query_params.get("unread") in ("true", "1")
    items = notifications.inbox(ctx.store.engine, ctx.user.id, unread_only=unread_only,
                                limit=200)
    return JSONResponse({
        "items": [n.as_json(ctx.language) for n in items],
        "unread": notifications.unread_count(ctx.store.engine, ctx.user.id)})


@handler(api=True)
def read_notification(ctx: Ctx, id: int) -> Response:
    assert ctx.user is not None
    if notifications.for_user(ctx.store.engine, ctx.user.id, id) is None:
        raise ApiError(404, "not_found", f"you have no notification {id}")
    notifications.mark_read(ctx.store.engine, ctx.user.id, ctx.store.clock(), id)
    return Response(status_code=204)


@handler(api=True)
def record_clocks(ctx: Ctx, entity: str, id: int) -> Response:
    if ctx.spec.entity(entity) is None:
        raise ApiError(404, "not_found", f"no entity {entity!r}")
    ctx.store.get(rv.acting_user(ctx), entity, id)  # NotFound unless the caller reads it
    found = slas.clocks(ctx.store.engine, ctx.spec, entity, id, ctx.store.clock())
    return JSONResponse({"items": [clock.as_json() for clock in found]})


def routes() -> list[Route]:
    return [
        Route("/api/me/notifications", my_notifications),
        Route("/api/me/notifications/{id:int}/read", read_notification, methods=["POST"]),
        Route("/api/{entity}/{id:int}/clocks", record_clocks),
    ]
