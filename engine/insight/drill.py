"""Drill-down: from a row of a report to the list of the records it counts.

The records of a row are those of the report (its `when` and its parameters as applied)
whose group keys are the row's: one `where` expression, which the list page hands to the
Store like any other — so the user's row rules apply again, and a path she may not read
is refused there as well (`guanxi.store.readable`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from guanxi.insight.definitions import ReportSpec
from guanxi.insight.query import GroupColumn
from guanxi.insight.result import ResultRow

_STARTS = {"week": "week_start", "month": "month_start", "quarter": "quarter_start",
           "year": "year_start"}


def literal(value: Any) -> str:
    """A value written in the expression language."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return f'datetime("{moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}")'
    if isinstance(value, dt.date):
        return f'date("{value.isoformat()}")'
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\t", "\\t")
    return f'"{text}"'


def _group_condition(group: GroupColumn, key: Any) -> str:
    path, by = group.spec.path, group.spec.by
    if key is None:
        return f"{path} == null"
    if by in _STARTS:
        return f"{_STARTS[by]}({path}) == {literal(key)}"
    if by == "day" and group.field_type == "datetime" and isinstance(key, dt.date):
        # The moment's date in the project's time zone, as the bucket took it.
        return f"days_between({path}, {literal(key)}) == 0"
    return f"{path} == {literal(key)}"


def drill_where(report: ReportSpec, groups: tuple[GroupColumn, ...], row: ResultRow,
                params: Mapping[str, Any]) -> str:
    """The `where` expression of the records counted in `row`."""
    parts = [f"({report.when})"] if report.when else []
    for param in report.params:
        if param.name in params:
            value = params[param.name]
            parts.append(f"{param.path} {param.op} {literal(value)}" if value is not None
                         else f"{param.path} {'==' if param.op == '==' else '!='} null")
    parts += [_group_condition(g, k) for g, k in zip(groups, row.keys)]
    return " and ".join(parts) or "true"


def drill_link(report: ReportSpec, groups: tuple[GroupColumn, ...], row: ResultRow,
               params: Mapping[str, Any]) -> str:
    """The list page of the records counted in `row`."""
    return f"/e/{report.entity}?" + urlencode({"where": drill_where(report, groups, row,
                                                                     params)})
