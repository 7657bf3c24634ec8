"""The attachments of a record in the JSON API:

- `GET /api/{entity}/{id}/attachments`: the list (`items`: id, name, content_type,
  size, sha256, field, created_at);
- `POST /api/{entity}/{id}/attachments?name=report.pdf[&field=contract]`: the request
  body is the file's bytes (any Content-Type); 201 with the attachment;
- `GET /api/{entity}/{id}/attachments/{attachment}`: the bytes, as a download;
- `DELETE /api/{entity}/{id}/attachments/{attachment}`: 204.

Who may do what is the record's rules (see `guanxi.store.attachments`); an attachment
of a record the caller may not read is 404, like the record.
"""

from __future__ import annotations

from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.attachments import download
from guanxi.store.attachments import Upload
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def _known(ctx: Ctx, entity: str) -> None:
    if ctx.spec.entity(entity) is None:
        raise ApiError(404, "not_found", f"there is no entity {entity!r}")


@handler(api=True)
def attachments(ctx: Ctx, entity: str, id: int) -> Response:
    _known(ctx, entity)
    user = rv.acting_user(ctx)
    if ctx.request.method == "GET":
        items = ctx.store.attachments(user, entity, id)
        return JSONResponse({"items": [a.as_json() for a in items]})
    name = ctx.request.query_params.get("name", "").strip()
    if not name:
        raise ApiError(400, "name_required", "give the file's name as ?name=")
    field = ctx.request.query_params.get("field") or None
    content: bytes = ctx._cache.get("body", b"")
    added = ctx.store.attach(user, entity, id, Upload(name, content), field)
    return JSONResponse(added.as_json(), status_code=201,
                        headers={"Location": f"/api/{entity}/{id}/attachments/{added.id}"})


@handler(api=True)
def attachment(ctx: Ctx, entity: str, id: int, attachment: int) -> Response:
    _known(ctx, entity)
    user = rv.acting_user(ctx)
    if ctx.request.method == "DELETE":
        ctx.store.detach(user, entity, id, attachment)
        return Response(status_code=204)
    found, content = ctx.store.attachment(user, entity, id, attachment)
    return download(found, content)


def routes() -> list[Route]:
    return [
        Route("/api/{entity}/{id:int}/attachments", attachments, methods=["GET", "POST"]),
        Route("/api/{entity}/{id:int}/attachments/{attachment:int}", attachment,
              methods=["GET", "DELETE"]),
    ]
