"""Searching every entity at once: the page `/search?q=` and the type-ahead's
`GET /api/search?q=` (with its place in the OpenAPI document). What is found is what
`guanxi.workspace.search` lets the signed-in user find."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from guanxi.fields.integers import parse_int
from guanxi.fields.registry import title_of
from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError
from guanxi.server.context import Ctx, handler
from guanxi.workspace import plug, search
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAGE_PER_ENTITY = 20

plug.install()


def groups_of(ctx: Ctx, text: str, per_entity: int) -> list[dict[str, Any]]:
    """The records found, grouped by entity, as pages and the API show them."""
    shown = []
    for group in search.find(ctx.store, rv.acting_user(ctx), text, per_entity=per_entity):
        entity = ctx.entity(group.entity)
        title = title_of(entity)
        label = rv.entity_label(ctx, entity, plural=True)
        hits = []
        for hit in group.hits:
            via = hit.field != title
            hits.append({
                "id": hit.record_id, "title": hit.title,
                "url": f"/e/{group.entity}/{hit.record_id}",
                "field": hit.field, "field_label": rv.label_of(ctx, entity, hit.field),
                "text": hit.text if via else "",
            })
        shown.append({"entity": group.entity, "label": label, "hits": hits,
                      "more": group.more,
                      "list_url": f"/e/{group.entity}?{urlencode({'q': search.clean(text)})}"})
    return shown


@handler()
def search_page(ctx: Ctx) -> Response:
    text = search.clean(ctx.request.query_params.get("q", ""))
    groups = groups_of(ctx, text, PAGE_PER_ENTITY) if text else []
    return ctx.render("search", q=text, groups=groups)


@handler(api=True)
def search_api(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    text = search.clean(params.get("q", ""))
    limit = search.DEFAULT_PER_ENTITY
    if params.get("limit"):
        number = parse_int(params["limit"].strip())
        if number is None or not 1 <= number <= search.MAX_PER_ENTITY:
            raise ApiError(400, "bad_limit",
                           f"limit must be a whole number from 1 to {search.MAX_PER_ENTITY}")
        limit = number
    groups = groups_of(ctx, text, limit) if text else []
    return JSONResponse({"q": text, "groups": groups})


HIT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["id", "title", "url", "field"], "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"},
        "field": {"type": "string"}, "field_label": {"type": "string"},
        "text": {"type": "string"}}}
SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["q", "groups"], "properties": {
        "q": {"type": "string"},
        "groups": {"type": "array", "items": {
            "type": "object", "required": ["entity", "label", "hits", "more"], "properties": {
                "entity": {"type": "string"}, "label": {"type": "string"},
                "more": {"type": "boolean"}, "list_url": {"type": "string"},
                "hits": {"type": "array", "items": HIT_SCHEMA}}}}}}


def add_to_document(document: dict[str, Any]) -> None:
    """`GET /api/search` into the OpenAPI document."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    document["paths"]["/api/search"] = {"get": {
        "operationId": "search", "tags": ["search"],
        "summary": "records of every entity the caller may read that the words find",
        "parameters": [
            {"name": "q", "in": "query", "required": False,
             "schema": {"type": "string", "maxLength": 1000},
             "description": "the words, as one case-insensitive substring (at most the "
                            "first 200 characters count)"},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": search.MAX_PER_ENTITY},
             "description": "records per entity (default 5)"}],
        "responses": {
            "200": {"description": "the records found, grouped by entity",
                    "content": {"application/json": {"schema": SEARCH_SCHEMA}}},
            "400": {"description": "a limit out of range", **error},
            "401": {"description": "not signed in (send a Bearer token)", **error}}}}


def routes() -> list[Route]:
    return [Route("/search", search_page), Route("/api/search", search_api)]
