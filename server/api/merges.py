"""`POST /api/{entity}/{id}/merge`: merge another record into this one.

Body: `{"other": ID, "take": {"field": "other", ...}}` — the fields whose value the
survivor takes from the other (the rest keep the survivor's). Answers the survivor.
`GET /api/{entity}/{id}/duplicates`: the records this one likely duplicates."""

from __future__ import annotations

from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError, _record_response, json_body
from guanxi.server.context import Ctx, handler
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@handler(api=True)
def merge_record(ctx: Ctx, entity: str, id: int) -> Response:
    if ctx.spec.entity(entity) is None:
        raise ApiError(404, "not_found", f"there is no entity {entity!r}")
    body = json_body(ctx)
    other = body.get("other")
    take = body.get("take") or {}
    if isinstance(other, bool) or not isinstance(other, int):
        raise ApiError(400, "bad_merge", "give the record to merge in as other: ID")
    if not isinstance(take, dict) or not all(isinstance(v, str) for v in take.values()):
        raise ApiError(400, "bad_merge", 'take maps fields to "survivor" or "other"')
    merged = ctx.store.merge(rv.acting_user(ctx), entity, id, other, take)
    return _record_response(merged)


@handler(api=True)
def record_duplicates(ctx: Ctx, entity: str, id: int) -> Response:
    if ctx.spec.entity(entity) is None:
        raise ApiError(404, "not_found", f"there is no entity {entity!r}")
    user = rv.acting_user(ctx)
    record = ctx.store.get(user, entity, id)
    likely = ctx.store.likely_duplicates(user, entity, record, exclude=id)
    return JSONResponse({"items": [
        {"id": found.record_id, "title": found.title, "fields": list(found.fields),
         "url": f"/api/{entity}/{found.record_id}"} for found in likely]})


def routes() -> list[Route]:
    return [Route("/api/{entity}/{id:int}/merge", merge_record, methods=["POST"]),
            Route("/api/{entity}/{id:int}/duplicates", record_duplicates)]
