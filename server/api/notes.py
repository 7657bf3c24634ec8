"""The notes on a record in the JSON API (`guanxi.workspace.notes`), as on its page:

- `GET /api/{entity}/{id}/notes[?limit=&after=&total=]`: a page of notes, newest first,
  paginated like the record lists (`items`, `next_cursor`, `total`);
- `POST /api/{entity}/{id}/notes` with `{"body": "…"}`: 201 with the note; its
  @mentions notify as the page's note form does.

Whoever may read the record may read its notes and add one, as on the page; a record the
caller may not read is 404, as the record API answers. Notes are neither changed nor
deleted, here as on the page.
"""

from __future__ import annotations

from typing import Any

from guanxi.errors import ValidationFailed
from guanxi.fields.integers import parse_int
from guanxi.fields.values import INT64_MAX
from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError, entity_of, json_body, page_options
from guanxi.server.context import Ctx, handler
from guanxi.server.display import json_value
from guanxi.workspace import notes
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

FIELDS = ("body",)


def note_json(note: notes.Note) -> dict[str, Any]:
    return {"id": note.id, "entity": note.entity, "record_id": note.record_id,
            "user_id": note.user_id, "author": note.author, "body": note.body,
            "created_at": json_value(note.created_at)}


def _page(ctx: Ctx, entity: str, id: int) -> Response:
    params = ctx.request.query_params
    limit, with_total = page_options(params)
    after = None
    if params.get("after"):
        after = parse_int(params["after"], low=1, high=INT64_MAX)
        if after is None:
            raise ApiError(400, "bad_cursor",
                           "after must be the next_cursor of the previous page of notes")
    page = notes.page_of(ctx.store, rv.acting_user(ctx), entity, id, limit=limit,
                         after=after, with_total=with_total)
    return JSONResponse({"items": [note_json(n) for n in page.items],
                         "next_cursor": page.next_cursor, "total": page.total})


def _add(ctx: Ctx, entity: str, id: int) -> Response:
    body = json_body(ctx)
    problems = {name: ["unknown field: a note takes only body"]
                for name in body if name not in FIELDS}
    text = body.get("body")
    if "body" not in body:
        problems["body"] = ["is required"]
    elif not isinstance(text, str):
        problems["body"] = ["must be text"]
    if problems:
        raise ApiError(422, "validation_failed", "the note is not valid; see fields",
                       problems)
    assert isinstance(text, str)
    try:
        added = notes.add(ctx.store, rv.acting_user(ctx), entity, id, text)
    except ValidationFailed as error:
        raise ApiError(422, "validation_failed", "the note is not valid; see fields",
                       error.errors) from None
    return JSONResponse(note_json(added), status_code=201)


@handler(api=True)
def record_notes(ctx: Ctx, entity: str, id: int) -> Response:
    entity_of(ctx, entity)
    if ctx.request.method == "POST":
        return _add(ctx, entity, id)
    return _page(ctx, entity, id)


def routes() -> list[Route]:
    return [Route("/api/{entity}/{id:int}/notes", record_notes, methods=["GET", "POST"])]
