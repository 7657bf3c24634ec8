"""Report pages and the home page's dashboard: a report as a chart (SVG drawn on the
server) with its data table beside it, parameter inputs, a link from each row to the
list of its records, and a CSV download."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from guanxi.errors import AccessDenied, GuanxiError, ReportRefused, RequestInvalid, UnknownReport
from guanxi.identity import User
from guanxi.insight.charts import chart
from guanxi.insight.definitions import DashboardSpec, Insight, ReportSpec, TileSpec
from guanxi.insight.drill import drill_link
from guanxi.insight.query import require_report_readable
from guanxi.insight.reading import insight_of
from guanxi.insight.result import ReportResult, number_text
from guanxi.insight.running import find_report, run
from guanxi.insight.targets import current_period
from guanxi.insight.workbook import workbook
from guanxi.messages import render
from guanxi.server import records as rv
from guanxi.server.context import Ctx, handler
from guanxi.server.pages.targets import lines_of
from guanxi.spec import text_in
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

MAX_PARAM_LENGTH = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_INPUT_TYPES = {"date": "date", "datetime": "datetime-local", "integer": "number",
                "decimal": "number", "money": "number", "percent": "number"}


def given_params(report: ReportSpec, query: Mapping[str, str],
                 language: str = "en") -> dict[str, str]:
    """The report's parameters among the query arguments (others are ignored); a value
    too long or holding a NUL character is refused."""
    found: dict[str, str] = {}
    for param in report.params:
        value = query.get(param.name)
        if value is None or value == "":
            continue
        if len(value) > MAX_PARAM_LENGTH or "\x00" in value:
            raise RequestInvalid(render("report_param_invalid", {
                "report": repr(report.name), "name": repr(param.name),
                "reason": render("report_param_too_long", {"max": MAX_PARAM_LENGTH},
                                 language)}, language), code="report_param_invalid")
        found[param.name] = value
    return found


def readable_reports(insight: Insight, ctx: Ctx, user: User) -> list[ReportSpec]:
    """The reports the user may run (none of their paths hidden from her)."""
    shown = []
    for report in insight.reports:
        try:
            require_report_readable(ctx.loaded.app, user, report)
        except GuanxiError:
            continue
        shown.append(report)
    return shown


def _report(ctx: Ctx, name: str) -> ReportSpec:
    try:
        return find_report(insight_of(ctx.spec), name, ctx.language)
    except UnknownReport:
        raise HTTPException(404) from None


def table_of(result: ReportResult) -> dict[str, Any]:
    """The data table of a result, for templates: headings, rows of cells, drill links."""
    headings, body = result.table()
    links = [drill_link(result.report, result.groups, row, result.params)
             for row in result.rows]
    numeric = [False] * len(result.groups) + [True] * len(result.measures)
    return {"headings": headings, "rows": list(zip(body, links)), "numeric": numeric}


def pivot_of(result: ReportResult) -> dict[str, Any] | None:
    pivot = result.pivot()
    if pivot is None:
        return None
    return {"headings": list(pivot.headings) + list(pivot.columns),
            "rows": [list(shown) + [number_text(c) for c in cells]
                     for shown, _, cells in pivot.rows]}


@handler()
def reports_index(ctx: Ctx) -> Response:
    user = rv.acting_user(ctx)
    reports = readable_reports(insight_of(ctx.spec), ctx, user)
    items = [{"name": r.name, "label": ctx.text(r.label, r.name)} for r in reports]
    return ctx.render("reports", reports=items)


@handler()
def report_page(ctx: Ctx, name: str) -> Response:
    report = _report(ctx, name)
    query = ctx.request.query_params
    params = given_params(report, query, ctx.language)
    result = run(ctx.store, rv.acting_user(ctx), report, params)
    inputs = []
    compiled = ctx.loaded.app.entity(report.entity)
    for param in report.params:
        end = param.path.split(".")[-1]
        type_name = compiled.types.get(end, "string") if "." not in param.path else "string"
        inputs.append({"name": param.name, "label": ctx.text(param.label, param.name),
                       "type": _INPUT_TYPES.get(type_name, "text"),
                       "value": query.get(param.name, "")})
    return ctx.render(
        "report", report=report, title=result.label, chart=chart(result), inputs=inputs,
        table=table_of(result), pivot=pivot_of(result),
        csv_link=f"/reports/{report.name}/csv" + (f"?{urlencode(params)}" if params else ""),
        xlsx_link=f"/reports/{report.name}/xlsx" + (f"?{urlencode(params)}" if params else ""))


@handler()
def report_csv(ctx: Ctx, name: str) -> Response:
    report = _report(ctx, name)
    result = run(ctx.store, rv.acting_user(ctx), report,
                 given_params(report, ctx.request.query_params, ctx.language))
    return Response("\ufeff" + result.csv(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{report.name}.csv"'})


@handler()
def report_xlsx(ctx: Ctx, name: str) -> Response:
    report = _report(ctx, name)
    result = run(ctx.store, rv.acting_user(ctx), report,
                 given_params(report, ctx.request.query_params, ctx.language))
    return Response(workbook(result), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{report.name}.xlsx"'})


def dashboard_of(ctx: Ctx, user: User) -> DashboardSpec | None:
    """The user's dashboard: the first naming one of her roles, else one of the roles
    they include."""
    insight = insight_of(ctx.spec)
    return insight.dashboard_for(user.roles) or insight.dashboard_for(
        ctx.spec.expand_roles(user.roles))


def _tile(ctx: Ctx, user: User, tile: TileSpec) -> dict[str, Any]:
    """A tile for the home page template (every key present)."""
    shown: dict[str, Any] = {"name": None, "link": None, "chart": None, "table": None,
                             "items": [], "entity": None, "lines": []}
    shown.update(_tile_content(ctx, user, tile))
    return shown


def _tile_content(ctx: Ctx, user: User, tile: TileSpec) -> dict[str, Any]:
    insight = insight_of(ctx.spec)
    if tile.kind == "target":
        target = insight.target(tile.target or "")
        assert target is not None, "the checker makes sure tiles name targets"
        label = ctx.text(tile.label, "") or ctx.text(target.label, target.name)
        if not ctx.may(target.entity, "read"):
            return {"kind": "target", "label": label, "available": False}
        period = current_period(ctx.store, target)
        return {"kind": "target", "label": f"{label} · {period}", "available": True,
                "link": f"/targets/{target.name}", "lines": lines_of(ctx, target, period)}
    if tile.kind == "report":
        report = insight.report(tile.report or "")
        assert report is not None, "the checker makes sure tiles name reports"
        label = ctx.text(tile.label, "") or ctx.text(report.label, report.name)
        try:
            result = run(ctx.store, user, report)
        except (ReportRefused, AccessDenied, RequestInvalid):
            return {"kind": "report", "label": label, "available": False}
        return {"kind": "report", "label": label, "available": True,
                "name": report.name, "chart": chart(result, tile.chart),
                "table": table_of(result)}
    entity = ctx.spec.entity(tile.entity or "")
    assert entity is not None, "the checker makes sure tiles name entities"
    label = ctx.text(tile.label, "") or rv.entity_label(ctx, entity, plural=True)
    if not ctx.may(entity.name, "read"):
        return {"kind": "list", "label": label, "available": False}
    try:
        page = ctx.store.list(user, entity.name, where=tile.where, sort=(tile.sort,),
                              limit=tile.limit, with_total=False)
    except (AccessDenied, RequestInvalid):
        return {"kind": "list", "label": label, "available": False}
    items = [{"id": r["id"], "text": rv.record_title(ctx, entity, r)} for r in page.items]
    link = f"/e/{entity.name}" + (f"?{urlencode({'where': tile.where})}" if tile.where else "")
    return {"kind": "list", "label": label, "available": True, "entity": entity.name,
            "items": items, "link": link}


def dashboard_tiles(ctx: Ctx, user: User) -> dict[str, Any] | None:
    """The user's dashboard, ready for the home page (None when she has none)."""
    dashboard = dashboard_of(ctx, user)
    if dashboard is None:
        return None
    return {"label": text_in(dashboard.label, ctx.language, dashboard.name),
            "tiles": [_tile(ctx, user, tile) for tile in dashboard.tiles]}


def routes() -> list[Route]:
    return [
        Route("/reports", reports_index),
        Route("/reports/{name}", report_page),
        Route("/reports/{name}/csv", report_csv),
        Route("/reports/{name}/xlsx", report_xlsx),
    ]
