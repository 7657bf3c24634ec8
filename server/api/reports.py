"""Reports in the JSON API: `GET /api/reports` (the reports the caller may run) and
`GET /api/reports/{name}` (one report, its parameters as query arguments), with their
place in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from guanxi.errors import UnknownReport
from guanxi.insight.definitions import ReportSpec
from guanxi.insight.reading import insight_of
from guanxi.insight.running import find_report, run
from guanxi.server import records as rv
from guanxi.server.api.routes import ApiError
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.reports import given_params, readable_reports
from guanxi.spec import text_in
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REPORT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["report", "rows"], "properties": {
        "report": {"type": "string"}, "label": {"type": "string"},
        "entity": {"type": "string"},
        "groups": {"type": "array", "items": {"type": "object"}},
        "measures": {"type": "array", "items": {"type": "object"}},
        "params": {"type": "object"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}
REPORTS_SCHEMA: dict[str, Any] = {
    "type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"},
                                         "label": {"type": "string"}}}}}}


@handler(api=True)
def list_reports(ctx: Ctx) -> Response:
    user = rv.acting_user(ctx)
    reports = readable_reports(insight_of(ctx.spec), ctx, user)
    return JSONResponse({"items": [{"name": r.name, "label": text_in(r.label, ctx.language,
                                                                      r.name)}
                                   for r in reports]})


@handler(api=True)
def one_report(ctx: Ctx, name: str) -> Response:
    try:
        report = find_report(insight_of(ctx.spec), name, ctx.language)
    except UnknownReport as error:
        raise ApiError(404, "not_found", str(error)) from None
    result = run(ctx.store, rv.acting_user(ctx), report,
                 given_params(report, ctx.request.query_params, ctx.language))
    return JSONResponse(result.as_json())


def _operation(report: ReportSpec) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"get": {
        "operationId": f"report_{report.name}", "tags": ["reports"],
        "summary": text_in(report.label, "en", report.name),
        "parameters": [{"name": p.name, "in": "query", "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                        "description": f"records whose {p.path} {p.op} this value"}
                       for p in report.params],
        "responses": {
            "200": {"description": "the report's rows",
                    "content": {"application/json": {"schema": REPORT_SCHEMA}}},
            "400": {"description": "a parameter it cannot hold", **error},
            "401": {"description": "not signed in (send a Bearer token)", **error},
            "403": {"description": "the report reads what the caller may not see", **error}}}}


def add_to_document(document: dict[str, Any], ctx: Ctx) -> None:
    """The caller's reports into the OpenAPI document."""
    assert ctx.user is not None
    reports = readable_reports(insight_of(ctx.spec), ctx, ctx.user)
    paths = document["paths"]
    paths["/api/reports"] = {"get": {
        "operationId": "reports", "tags": ["reports"],
        "responses": {"200": {"description": "the reports the caller may run",
                              "content": {"application/json": {"schema": REPORTS_SCHEMA}}}}}}
    for report in reports:
        paths[f"/api/reports/{report.name}"] = _operation(report)


def routes() -> list[Route]:
    return [Route("/api/reports", list_reports), Route("/api/reports/{name}", one_report)]
