"""`GET /api/{entity}/export?format=csv|xlsx`: the list (its `where`, `q`, filters and
`sort`) as a file, with only the fields the caller sees (see `guanxi.data.export`). The
list page's export buttons link here with the page's own query."""

from __future__ import annotations

from guanxi.data.export import FORMATS, csv_chunks, export, xlsx_bytes
from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError
from guanxi.server.context import Ctx, handler
from guanxi.store.filters import FilterError, FilterScope, as_mapping, parse_filters
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

# The list's own parameters, and the export's.
OWN = frozenset({"format", "columns", "where", "q", "sort", "after", "limit", "total"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@handler(api=True)
def export_list(ctx: Ctx, entity: str) -> Response:
    spec = ctx.spec.entity(entity)
    if spec is None:
        raise ApiError(404, "not_found", f"there is no entity {entity!r}")
    if not ctx.may(entity, "read"):
        raise ApiError(403, "forbidden", f"you may not read {entity}")
    params = ctx.request.query_params
    fmt = params.get("format", "csv")
    if fmt not in FORMATS:
        raise ApiError(400, "bad_format", f"format must be one of {', '.join(FORMATS)}")
    seen = rv.visible(ctx, spec)
    raw_sort = params.get("sort", "")
    sort = tuple(s.strip() for s in raw_sort.split(",")) if raw_sort.strip() else ("id",)
    for key in sort:
        if key.lstrip("-") not in seen:
            raise ApiError(400, "bad_sort", f"cannot sort by {key!r}: not a field you can see")
    workflow = rv.workflow_of(ctx, spec)
    scope = FilterScope.of(spec, seen, [s.name for s in workflow.states] if workflow else ())
    try:
        filters = as_mapping(parse_filters(
            [(k, v) for k, v in params.multi_items() if k not in OWN], scope,
            blank_is_any=True))
    except FilterError as error:
        raise ApiError(400, error.code, error.message) from None
    raw_columns = params.get("columns", "")
    columns = [c.strip() for c in raw_columns.split(",") if c.strip()] or None
    exported = export(ctx.store, rv.acting_user(ctx), entity, columns=columns,
                      where=params.get("where") or None, filters=filters or None,
                      search=params.get("q") or None, sort=sort, language=ctx.user.language
                      if ctx.user is not None else None)
    disposition = {"Content-Disposition": f'attachment; filename="{entity}.{fmt}"'}
    if fmt == "xlsx":
        return Response(xlsx_bytes(exported), media_type=XLSX, headers=disposition)
    return StreamingResponse(csv_chunks(exported), media_type="text/csv; charset=utf-8",
                             headers=disposition)


def routes() -> list[Route]:
    return [Route("/api/{entity}/export", export_list)]
