"""Running a report as a user: compile it (`guanxi.insight.query`), run its one
statement in a read-only unit of work of the Store, and shape the answer
(`guanxi.insight.result`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from guanxi.errors import RequestInvalid, UnknownReport
from guanxi.expr.functions import context_params
from guanxi.identity import User
from guanxi.insight.definitions import Insight, ReportSpec
from guanxi.insight.query import MAX_ROWS, GroupColumn, compile_report, rows_of
from guanxi.insight.reading import insight_of
from guanxi.insight.result import ReportResult, ResultRow, shown_key, sorted_rows
from guanxi.messages import render
from guanxi.spec import ProjectSpec
from guanxi.store.facade import Store


def natural_order(spec: ProjectSpec, groups: Sequence[GroupColumn],
                  ) -> Callable[[ResultRow], tuple[Any, ...]]:
    """Rows in the order people expect before any declared sort: states in the
    workflow's order, options in the order declared, other values ascending, empty last."""
    ranks: list[dict[Any, int] | None] = []
    for group in groups:
        entity = spec.entity(group.owner)
        rank: dict[Any, int] | None = None
        if group.field_type == "state" and entity is not None and entity.workflow:
            workflow = spec.workflow(entity.workflow)
            rank = {s.name: i for i, s in enumerate(workflow.states)} if workflow else None
        elif group.field_type == "choice" and entity is not None and not group.spec.by:
            field = entity.field(group.field)
            rank = {o.value: i for i, o in enumerate(field.options)} if field else None
        ranks.append(rank)

    def key(row: ResultRow) -> tuple[Any, ...]:
        parts: list[Any] = []
        for value, rank in zip(row.keys, ranks):
            if value is None:
                parts.append((1, 0))
            else:
                parts.append((0, rank.get(value, len(rank)) if rank is not None else value))
        return tuple(parts)

    return key


def find_report(insight: Insight, name: str, language: str = "en") -> ReportSpec:
    """The report `name`; UnknownReport naming the reports there are."""
    report = insight.report(name)
    if report is None:
        raise UnknownReport(render("report_unknown", {
            "name": repr(name), "allowed": sorted(r.name for r in insight.reports) or ["-"]},
            language))
    return report


def run_report(store: Store, user: User, name: str, params: Mapping[str, Any] | None = None,
               *, now: dt.datetime | None = None) -> ReportResult:
    """Report `name` of the Store's project, as `user` sees it, with `params`."""
    report = find_report(insight_of(store.app.spec), name, user.language)
    return run(store, user, report, params, now=now)


def run(store: Store, user: User, report: ReportSpec, params: Mapping[str, Any] | None = None,
        *, now: dt.datetime | None = None) -> ReportResult:
    """A report (as declared) as `user` sees it."""
    spec = store.app.spec
    with store.reading(user, now) as unit:
        query = compile_report(store.app, report, user, unit.ctx, params)
        fetched = unit.conn.execute(query.statement, context_params(unit.ctx)).all()
    if len(fetched) > MAX_ROWS:
        raise RequestInvalid(render("report_too_many_groups", {
            "report": repr(report.name), "max": MAX_ROWS}, user.language),
            code="report_too_many_groups")
    language = user.language
    rows = [ResultRow(keys, tuple(shown_key(spec, g, k, t, language)
                                  for g, k, t in zip(query.groups, keys, titles)), values)
            for keys, titles, values in rows_of(query, fetched)]
    rows.sort(key=natural_order(spec, query.groups))
    rows = sorted_rows(report, query.groups, query.measures, rows)
    return ReportResult(report, query.groups, query.measures, tuple(rows), query.values,
                        language)
