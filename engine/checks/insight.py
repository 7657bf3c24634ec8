"""Insight: the reports and dashboards of insight/*.yaml, checked against the project.

Every file against `schemas/insight.schema.json`; every entity, path, bucket, measure,
condition, parameter, sort, pivot, role and tile resolved, each problem located with a
hint (did you mean …).
"""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.checks.schema import validate
from guanxi.expr import ExprInvalid, ExprProblem, ExprSyntaxError, Scope
from guanxi.insight.definitions import DYNAMIC, ReportSpec
from guanxi.insight.measures import check_measure, parse_measure
from guanxi.insight.reading import InsightFiles, build_insight, read_files, sections
from guanxi.language.tree import locate_offset
from guanxi.spec import EntitySpec, Loc

# The ids of the YAML problems (as for the project's own files).
_YAML_IDS = {"syntax": "GX101", "tag": "GX102", "duplicate": "GX103", "too_big": "GX104",
             "bomb": "GX105", "key": "GX106", "encoding": "GX107", "not_regular": "GX111",
             "outside": "GX112", "unreadable": "GX113"}
_DATES = ("date", "datetime")


@register(80)
def check_insight(ctx: Context) -> None:
    """The project's insight files: structure, then meaning."""
    files = read_files(ctx.spec.root)
    texts = {d.file: d.text for d in files.documents}
    for document in files.documents:
        for problem in document.problems:
            ctx.add(_YAML_IDS[problem.kind], problem.loc, None, detail=problem.message)
        if document.data is not None:
            ctx.found.extend(validate("insight", document.data, document.file))
    _check_repeats(ctx, files)
    language = ctx.spec.languages[0] if ctx.spec.languages else "en"
    insight = build_insight(files, language)
    for report in insight.reports:
        _check_report(ctx, report, texts)
    names = [r.name for r in insight.reports]
    roles = [r.name for r in ctx.spec.roles]
    entities = [e.name for e in ctx.spec.entities]
    for dashboard in insight.dashboards:
        for role, loc in zip(dashboard.roles, dashboard.role_locs):
            if role not in roles:
                ctx.add("GX907", loc, suggest(role, roles, "roles"),
                        dashboard=dashboard.name, what="role", name=role)
        for tile in dashboard.tiles:
            if tile.kind == "report" and tile.report not in names:
                ctx.add("GX907", tile.loc, suggest(tile.report, names, "reports"),
                        dashboard=dashboard.name, what="report", name=tile.report)
            if tile.kind == "target" and insight.target(tile.target or "") is None:
                ctx.add("GX907", tile.loc, suggest(tile.target,
                                                   [t.name for t in insight.targets], "targets"),
                        dashboard=dashboard.name, what="target", name=tile.target)
            if tile.kind == "list":
                entity = ctx.spec.entity(tile.entity or "")
                if entity is None:
                    ctx.add("GX907", tile.loc, suggest(tile.entity, entities, "entities"),
                            dashboard=dashboard.name, what="entity", name=tile.entity)
                elif tile.where and tile.where_loc:
                    check_condition(ctx, Scope.for_entity(ctx.spec, entity), tile.where,
                                     tile.where_loc, texts)


def _check_repeats(ctx: Context, files: InsightFiles) -> None:
    for section in ("reports", "dashboards"):
        first: dict[str, Loc] = {}
        for name, _, holder in sections(files, section):
            loc = holder.key_loc(name)
            if name in first:
                ctx.add("GX909", loc, "rename one of them", what=section[:-1], name=name,
                        first=first[name])
            else:
                first[name] = loc


def _at(texts: dict[str, str], loc: Loc, offset: int) -> Loc:
    return locate_offset(texts.get(loc.file, ""), loc, offset)


def check_condition(ctx: Context, scope: Scope, text: str, loc: Loc,
                     texts: dict[str, str]) -> None:
    checked = scope.checked(text)
    if checked.syntax is not None:
        ctx.add("GX401", _at(texts, loc, checked.syntax.offset), checked.syntax.hint,
                detail=checked.syntax.message)
        return
    for problem in checked.problems_for("boolean"):
        message, hint = problem.message, problem.hint
        if " — " in message:
            message, hint = message.split(" — ", 1)
        ctx.add("GX402", _at(texts, loc, problem.offset), hint, detail=message)


def _check_path(ctx: Context, report: ReportSpec, scope: Scope, path: str, loc: Loc) -> str | None:
    """The kind of the value a path reads, or None (reported) when it reads nothing."""
    resolved = scope.resolve(tuple(path.split(".")))
    if isinstance(resolved, ExprProblem):
        message, hint = resolved.message, resolved.hint
        if " — " in message:
            message, hint = message.split(" — ", 1)
        ctx.add("GX902", loc, hint, report=report.name, detail=f"'{path}': {message}")
        return None
    return resolved[-1].kind


def _check_report(ctx: Context, report: ReportSpec, texts: dict[str, str]) -> None:
    entity: EntitySpec | None = ctx.spec.entity(report.entity)
    if entity is None:
        ctx.add("GX901", report.loc, suggest(report.entity, [e.name for e in ctx.spec.entities],
                                             "entities"), report=report.name, name=report.entity)
        return
    scope = Scope.for_entity(ctx.spec, entity)
    if report.when and report.when_loc:
        check_condition(ctx, scope, report.when, report.when_loc, texts)
    for group in report.groups:
        kind = _check_path(ctx, report, scope, group.path, group.loc)
        if kind is not None and group.by and kind not in _DATES:
            ctx.add("GX903", group.loc, "bucket a date or a date and time field",
                    report=report.name, path=group.path, by=group.by)
    for measure in report.measures:
        _check_measure(ctx, report, scope, measure.name, measure.text, measure.loc, texts)
    for param in report.params:
        kind = _check_path(ctx, report, scope, param.path, param.loc)
        default = param.default
        if kind is None or default is None or default in DYNAMIC:
            continue
        if default.startswith(("current_", "today", "month_", "year_")):
            ctx.add("GX910", param.loc, suggest(default, DYNAMIC, "dynamic defaults"),
                    report=report.name, name=param.name,
                    detail=f"unknown default '{default}'")
    groups = [g.name for g in report.groups]
    measures = [m.name for m in report.measures]
    for sort in report.sort:
        if sort.name not in groups + measures:
            ctx.add("GX905", sort.loc if sort.loc.line else report.loc,
                    suggest(sort.name, groups + measures, "groups and measures"),
                    report=report.name, what="sort", name=sort.name)
    if report.pivot is not None and report.pivot not in groups:
        ctx.add("GX905", report.loc, suggest(report.pivot, groups, "groups"),
                report=report.name, what="pivot", name=report.pivot)
    if report.chart_measure is not None and report.chart_measure not in measures:
        ctx.add("GX905", report.loc, suggest(report.chart_measure, measures, "measures"),
                report=report.name, what="chart measure", name=report.chart_measure)


def _check_measure(ctx: Context, report: ReportSpec, scope: Scope, name: str, text: str,
                   loc: Loc, texts: dict[str, str]) -> None:
    try:
        formula = parse_measure(text)
    except ExprSyntaxError as error:
        ctx.add("GX904", _at(texts, loc, error.offset), error.hint, report=report.name,
                measure=name, detail=error.message)
        return
    except ExprInvalid as invalid:
        for problem in invalid.problems:
            ctx.add("GX904", _at(texts, loc, problem.offset), problem.hint,
                    report=report.name, measure=name, detail=problem.message)
        return
    for problem in check_measure(formula, scope):
        message, hint = problem.message, problem.hint
        if " — " in message:
            message, hint = message.split(" — ", 1)
        ctx.add("GX904", _at(texts, loc, problem.offset), hint, report=report.name,
                measure=name, detail=message)

