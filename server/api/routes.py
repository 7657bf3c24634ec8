"""The JSON API under /api/: the same Store as the pages, so it can do nothing they may not.

Records carry their `version`; `GET` answers it as an `ETag`, and `PATCH`, `DELETE` and
transitions honour `If-Match` (412 when stale). Errors are JSON:
`{"error": code, "detail": message, "fields": {field: [messages]}}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from guanxi.errors import (
    AccessDenied,
    GuanxiError,
    NotFound,
    TransitionRefused,
    ValidationFailed,
    VersionConflict,
)
from guanxi.fields.integers import parse_int
from guanxi.fields.values import INT64_MAX, INT64_MIN
from guanxi.server import records as rv
from guanxi.server.api.likely import duplicate_warning
from guanxi.server.context import Ctx, handler
from guanxi.server.display import json_value
from guanxi.spec import EntitySpec
from guanxi.store import clocks
from guanxi.store.filters import (
    FilterError,
    FilterScope,
    FilterValue,
    as_mapping,
    parse_filters,
)
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAX_LIMIT = 200
ETAG = re.compile(r'^\s*(?:W/)?"([0-9]+)"\s*$', re.ASCII)
ANY_VERSION = "*"
INT64 = range(INT64_MIN, INT64_MAX + 1)
# Request bodies: a record is one object of values, a list (tags) the deepest of them;
# any deeper is refused before it can exhaust the parser's recursion, and so are integers
# longer than any column holds (int() would refuse them past 4,300 digits).
MAX_JSON_DEPTH = 32
MAX_JSON_DIGITS = 40
_TOO_DEEP = f"the body nests arrays or objects more than {MAX_JSON_DEPTH} deep"


class ApiError(GuanxiError):
    """An API failure with its HTTP status, code and human detail."""

    def __init__(self, status: int, code: str, detail: str,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.fields = status, code, detail, fields


def error_response(status: int, code: str, detail: str,
                   fields: dict[str, list[str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return JSONResponse(body, status_code=status)


def record_json(record: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in record.items()}


def etag(record: dict[str, Any]) -> str:
    return f'"{record.get("version")}"'


def _record_response(record: dict[str, Any], status: int = 200,
                     location: str | None = None) -> JSONResponse:
    headers = {"ETag": etag(record)}
    if location:
        headers["Location"] = location
    return JSONResponse(record_json(record), status_code=status, headers=headers)


def entity_of(ctx: Ctx, name: str) -> EntitySpec:
    entity = ctx.spec.entity(name)
    if entity is None:
        raise ApiError(404, "not_found", f"there is no entity {name!r}")
    return entity


def page_options(params: Mapping[str, str]) -> tuple[int, bool]:
    """A list page's `limit` (1…MAX_LIMIT, default 50) and whether to count the `total`
    (`true`, the default, or `false`); 400 for anything else."""
    limit = parse_int(params.get("limit", "50"), low=1, high=MAX_LIMIT)
    if limit is None:
        raise ApiError(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    total = params.get("total", "true")
    if total not in ("true", "false"):
        raise ApiError(400, "bad_total", "total must be true or false")
    return limit, total == "true"


def json_body(ctx: Ctx, required: bool = True) -> dict[str, Any]:
    raw: bytes = ctx._cache.get("body", b"")
    if not raw.strip():
        if required:
            raise ApiError(400, "empty_body", "send a JSON object as the request body")
        return {}
    try:
        data = json.loads(raw, parse_int=_json_int)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_json", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ApiError(400, "malformed_json",
                       f"the body is not valid JSON: {error.msg} at line {error.lineno} "
                       f"column {error.colno}") from None
    except _TooManyDigits:
        raise ApiError(400, "malformed_json",
                       f"the body has a number of more than {MAX_JSON_DIGITS} digits") from None
    except RecursionError:
        raise ApiError(400, "malformed_json", _TOO_DEEP) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise ApiError(400, "malformed_json", _TOO_DEEP)
    if not isinstance(data, dict):
        raise ApiError(400, "not_an_object",
                       f"the body must be a JSON object of field values, not {type(data).__name__}")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "malformed_json",
                       "the body has an unpaired surrogate escape (like \\ud800) in a string; "
                       "send each character outside the BMP as a pair, or as UTF-8") from None
    return data


class _TooManyDigits(ValueError):
    """Internal control flow: a JSON number refused while parsing (never leaves this module)."""


def _json_int(text: str) -> int:
    """A JSON integer, refused beyond MAX_JSON_DIGITS digits (before int() reads it)."""
    if len(text) - text.startswith("-") > MAX_JSON_DIGITS:
        raise _TooManyDigits(text)
    return int(text)


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (a scalar is 0)."""
    deepest, level = 0, [(value, 0)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict | list):
            if depth + 1 > MAX_JSON_DEPTH:
                return depth + 1
            deepest = max(deepest, depth + 1)
            level.extend((child, depth + 1) for child in
                         (item.values() if isinstance(item, dict) else item))
    return deepest


def _expected_version(ctx: Ctx, body: dict[str, Any] | None = None) -> int | None:
    header = ctx.request.headers.get("if-match")
    if header is not None and header.strip() == ANY_VERSION:
        return None
    if header is not None:
        match = ETAG.match(header)
        version = parse_int(match.group(1), high=INT64.stop - 1) if match else None
        if version is None:
            raise ApiError(400, "bad_if_match",
                           'If-Match must be an ETag from a previous response, like "3"')
        return version
    if body is not None and "version" in body:
        version = body.pop("version")
        if isinstance(version, float) and version.is_integer():  # JSON's 3.0 is 3
            version = int(version)
        if not isinstance(version, int) or isinstance(version, bool) or version not in INT64:
            raise ApiError(422, "validation_failed", "version must be a whole number",
                           {"version": ["must be a whole number (at most 19 digits)"]})
        return version
    return None


def _filters(ctx: Ctx, entity: EntitySpec) -> dict[str, FilterValue]:
    """The `field=value` filters of the query (see guanxi.store.filters)."""
    workflow = rv.workflow_of(ctx, entity)
    scope = FilterScope.of(entity, rv.visible(ctx, entity),
                           [s.name for s in workflow.states] if workflow else ())
    try:
        return as_mapping(parse_filters(ctx.request.query_params.items(), scope))
    except FilterError as error:
        raise ApiError(400, error.code, error.message) from None


@handler(api=True)
def list_records(ctx: Ctx, entity: str) -> Response:
    if entity == "me" and ctx.request.method != "GET":
        raise HTTPException(405, headers={"Allow": "GET"})
    spec = entity_of(ctx, entity)
    if ctx.request.method == "POST":
        return create_record(ctx, spec)
    if not ctx.may(entity, "read"):
        raise ApiError(403, "forbidden", f"you may not read {entity}")
    params = ctx.request.query_params
    limit, with_total = page_options(params)
    seen = rv.visible(ctx, spec)
    raw_sort = params.get("sort", "")
    sort = tuple(s.strip() for s in raw_sort.split(",")) if raw_sort.strip() else ("-id",)
    for key in sort:
        if key.lstrip("-") not in seen and key.lstrip("-") != clocks.SLA_DUE:
            raise ApiError(400, "bad_sort", f"cannot sort by {key!r}: not a field you can see")
    sla = params.get("sla") or None
    if sla is not None and sla not in clocks.FILTERS:
        raise ApiError(400, "bad_filter", f"sla must be one of {', '.join(clocks.FILTERS)}",
                       {"sla": [f"one of {', '.join(clocks.FILTERS)}"]})
    page = ctx.store.list(
        rv.acting_user(ctx), entity, where=params.get("where") or None,
        filters=_filters(ctx, spec) or None, search=params.get("q") or None,
        sort=sort, limit=limit, after=params.get("after") or None,
        with_total=with_total, sla=sla)
    return JSONResponse({"items": [record_json(r) for r in page.items],
                         "next_cursor": page.next_cursor, "total": page.total})


def create_record(ctx: Ctx, spec: EntitySpec) -> Response:
    body = json_body(ctx)
    warning = duplicate_warning(ctx.store, rv.acting_user(ctx), spec, ctx.request, body)
    if warning is not None:
        return warning
    created = ctx.store.create(rv.acting_user(ctx), spec.name, body)
    return _record_response(created, 201, f"/api/{spec.name}/{created['id']}")


@handler(api=True)
def one_record(ctx: Ctx, entity: str, id: int) -> Response:
    entity_of(ctx, entity)
    user = rv.acting_user(ctx)
    method = ctx.request.method
    if method == "GET":
        record = ctx.store.get(user, entity, id)
        if ctx.request.headers.get("if-none-match") == etag(record):
            return Response(status_code=304, headers={"ETag": etag(record)})
        return _record_response(record)
    if method == "PATCH":
        body = json_body(ctx)
        expected = _expected_version(ctx, body)
        updated = ctx.store.update(user, entity, id, body, expected_version=expected)
        return _record_response(updated)
    if method == "DELETE":
        ctx.store.delete(user, entity, id, expected_version=_expected_version(ctx))
        return Response(status_code=204)
    raise ApiError(405, "method_not_allowed", f"{method} is not allowed here")


@handler(api=True)
def fire_transition(ctx: Ctx, entity: str, id: int, name: str) -> Response:
    spec = entity_of(ctx, entity)
    workflow = rv.workflow_of(ctx, spec)
    if workflow is None or workflow.transition(name) is None:
        raise ApiError(404, "not_found", f"{entity} has no transition {name!r}")
    body = json_body(ctx, required=False)
    expected = _expected_version(ctx, body)
    record = ctx.store.transition(rv.acting_user(ctx), entity, id, name, body or None,
                                  expected_version=expected)
    return _record_response(record)


@handler(api=True)
def list_transitions(ctx: Ctx, entity: str, id: int) -> Response:
    entity_of(ctx, entity)
    held = ctx.store.get(rv.acting_user(ctx), entity, id, with_rights=True)
    items = [{"name": tr.name, "label": rv.transition_label(ctx, tr), "to": tr.target,
              "require": list(tr.require)} for tr in held.transitions]
    return JSONResponse({"items": items})


@handler(api=True)
def record_history(ctx: Ctx, entity: str, id: int) -> Response:
    entity_of(ctx, entity)
    items = ctx.store.history(rv.acting_user(ctx), entity, id)
    return JSONResponse({"items": [record_json(dict(i)) if isinstance(i, dict) else i
                                   for i in json_value(list(items))]})


@handler(api=True)
def restore_record(ctx: Ctx, entity: str, id: int) -> Response:
    entity_of(ctx, entity)
    record = ctx.store.restore(rv.acting_user(ctx), entity, id)
    return _record_response(record)


@handler(api=True)
def me(ctx: Ctx) -> Response:
    assert ctx.user is not None
    return JSONResponse({"id": ctx.user.id, "username": ctx.user.username,
                         "name": ctx.user.name, "roles": sorted(ctx.user.roles),
                         "language": ctx.user.language})


def map_store_error(error: Exception) -> JSONResponse | None:
    """The JSON answer to a Store error, or None when it is not one."""
    if isinstance(error, ApiError):
        return error_response(error.status, error.code, error.detail, error.fields)
    if isinstance(error, ValidationFailed):
        return error_response(422, "validation_failed", "the record is not valid; see fields",
                              error.errors)
    if isinstance(error, VersionConflict):
        return error_response(412, "version_conflict", str(error))
    if isinstance(error, TransitionRefused):
        fields = {n: ["is required for this transition"] for n in error.missing} or None
        return error_response(409, "transition_refused", str(error), fields)
    if isinstance(error, NotFound):
        return error_response(404, "not_found", "no such record, or you may not see it")
    if isinstance(error, AccessDenied):
        fields = {n: ["you may not set this field"] for n in error.fields} or None
        return error_response(403, "forbidden", str(error), fields)
    return None


def routes() -> list[Route]:
    return [
        Route("/api/me", me),
        Route("/api/{entity}", list_records, methods=["GET", "POST"]),
        Route("/api/{entity}/{id:int}", one_record, methods=["GET", "PATCH", "DELETE"]),
        Route("/api/{entity}/{id:int}/transitions", list_transitions),
        Route("/api/{entity}/{id:int}/transitions/{name}", fire_transition, methods=["POST"]),
        Route("/api/{entity}/{id:int}/history", record_history),
        Route("/api/{entity}/{id:int}/restore", restore_record, methods=["POST"]),
    ]
