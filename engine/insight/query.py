"""A report compiled for one user into ONE SQL statement.

The records counted are those the user may read (the Store's row rules and the
not-deleted condition, from `guanxi.store.query.conditions`), that meet the report's
`when` and its parameters. Every path the report reads — groups, measures, condition,
parameters — must be readable by the user on every hop (`guanxi.store.readable`), or the
report is refused (`ReportRefused`), so a report never groups or sums what the user may
not see; paths through references reach only the rows she may read.

The statement is an inner SELECT of one row per record (the group keys and the inputs
of the aggregates) and an outer SELECT that groups it, aggregates, and names the records
that references point to (their titles, where the user may read them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.automation.slas import CLOCKS
from guanxi.compile.app import App, CompiledEntity
from guanxi.errors import ReportRefused, RequestInvalid
from guanxi.expr import Call, Name, Node
from guanxi.expr.dates import LOCAL_SQL
from guanxi.expr.portable import portable
from guanxi.fields.registry import UTCDateTime, coerce, title_of
from guanxi.fields.values import FieldValueError
from guanxi.identity import User
from guanxi.insight.definitions import GroupSpec, MeasureSpec, ParamSpec, ReportSpec
from guanxi.insight.measures import (
    Atom,
    AtomColumns,
    Formula,
    atom_columns,
    evaluate,
    parse_measure,
    rounded,
    scale_of,
)
from guanxi.messages import render
from guanxi.store.query import conditions, readable_rows
from guanxi.store.readable import Source, first_unreadable, path_read

# At most this many rows (groups) come back; more is an error that says to narrow it.
MAX_ROWS = 5000

# The date of a date or datetime (the `day` bucket; a moment is first taken in the
# project's time zone).
DAY_OF = portable("gx_day_of", sa.Date(), "date(substr({0}, 1, 10))", "CAST({0} AS DATE)")
_STARTS = {"week": "week_start", "month": "month_start", "quarter": "quarter_start",
           "year": "year_start"}


@dataclass(frozen=True, slots=True)
class GroupColumn:
    """A group as compiled: its key's type, the field it ends on, whether a title is
    selected beside it."""

    spec: GroupSpec
    kind: str
    owner: str
    field: str
    field_type: str
    titled: bool


@dataclass(frozen=True, slots=True)
class MeasureColumn:
    """A measure as compiled: its formula, where its atoms' results are in a row."""

    spec: MeasureSpec
    formula: Formula
    atoms: tuple[tuple[Atom, AtomColumns, int, int], ...]
    scale: int


@dataclass(frozen=True, slots=True)
class ReportQuery:
    report: ReportSpec
    statement: sa.Select[Any]
    groups: tuple[GroupColumn, ...]
    measures: tuple[MeasureColumn, ...]
    # The parameters as applied (name -> value; absent: not applied).
    values: Mapping[str, Any]


def _refuse(report: ReportSpec, user: User, what: str, path: str) -> ReportRefused:
    words = {"en": {"group": "group", "measure": "measure", "condition": "condition",
                    "parameter": "parameter"},
             "zh": {"group": "分组", "measure": "度量", "condition": "条件",
                    "parameter": "参数"}}
    shown = words.get(user.language, words["en"])[what]
    return ReportRefused(render("report_refused", {
        "report": repr(report.name), "what": shown, "path": repr(path)}, user.language),
        code="report_refused")


def require_report_readable(app: App, user: User, report: ReportSpec) -> None:
    """ReportRefused unless the user may read the entity and every field every part of
    the report reads (groups, measures, condition, parameters), on every hop."""
    compiled = app.entity(report.entity)
    if not compiled.policy.visible_fields(user):
        raise ReportRefused(render("report_entity_refused", {
            "report": repr(report.name), "entity": report.entity}, user.language),
            code="report_refused")
    scope = compiled.scope
    parts: list[tuple[str, Source]] = []
    parts += [("group", g.path) for g in report.groups]
    if report.when:
        parts.append(("condition", scope.checked(report.when).tree()))
    for measure in report.measures:
        parts += [("measure", node) for node in parse_measure(measure.text).paths()]
    parts += [("parameter", p.path) for p in report.params]
    for what, source in parts:
        refused = first_unreadable(app, user, report.entity, source)
        if refused is not None:
            raise _refuse(report, user, what, refused[0].text)


def _path_node(path: str) -> Name:
    return Name(0, tuple(path.split(".")))


def _end(app: App, compiled: CompiledEntity, path: str) -> tuple[str, str, str]:
    """The (entity, field, field type) a path ends on; the state is of type "state"."""
    read = path_read(compiled.scope, path)
    owner, name = read.hops[-1]
    if name == "state":
        return owner, name, "state"
    return owner, name, app.entity(owner).types[name]


class _Compiler:
    def __init__(self, app: App, report: ReportSpec, user: User, ctx: expr.Context) -> None:
        self.app, self.report, self.user, self.ctx = app, report, user, ctx
        self.compiled = app.entity(report.entity)
        self.scope = self.compiled.scope
        self.rows = readable_rows(app, user, ctx)

    def sql(self, node: Node, two_valued: bool = False) -> sa.ColumnElement[Any]:
        return expr.to_sql(node, self.scope, self.app.tables.entities, self.report.entity,
                           self.ctx, row_filter=self.rows, parameters=True,
                           two_valued=two_valued)

    def type_of(self, node: Node) -> expr.Type:
        return expr.annotate(node, self.scope)[node]

    def group_key(self, group: GroupSpec) -> tuple[sa.ColumnElement[Any], str]:
        node: Node = _path_node(group.path)
        kind = self.type_of(node).kind
        if group.by in _STARTS:
            node = Call(0, _STARTS[group.by], (node,))
            return self.sql(node), "date"
        column = self.sql(node, two_valued=kind == "boolean")
        if group.by == "day":
            if kind != "datetime":
                return column, "date"
            if self.ctx.zone != "UTC":
                column = LOCAL_SQL(column, sa.literal(self.ctx.zone, sa.Text()))
            return DAY_OF(column), "date"
        return column, kind

    def title(self, group: GroupColumn, key: sa.ColumnElement[Any]) -> sa.ColumnElement[Any] | None:
        if group.field_type == "user" and not group.spec.by:
            users = self.app.tables.users.alias()
            shown = sa.func.coalesce(sa.func.nullif(users.c.display_name, ""), users.c.username)
            return sa.select(shown).where(users.c.id == key).correlate_except(
                users).scalar_subquery()
        if group.field_type != "reference" or group.spec.by:
            return None
        info = self.app.entity(group.owner).scope.fields[group.field]
        target = self.app.entity(str(info.ref))
        name = title_of(target.spec)
        if name == "id" or name not in target.policy.visible_fields(self.user):
            return None
        aliased = target.table.alias()
        return sa.select(aliased.c[name]).where(
            aliased.c.id == key, self.rows(target.name, aliased)).correlate_except(
            aliased).scalar_subquery()

    def param_condition(self, param: ParamSpec, value: Any) -> sa.ColumnElement[bool]:
        column = self.sql(_path_node(param.path), two_valued=True)
        if value is None:
            return column.is_(None) if param.op == "==" else column.is_not(None)
        bound = sa.literal(value, type_=column.type)
        operators: dict[str, Callable[[Any, Any], Any]] = {
            "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}
        result: sa.ColumnElement[bool] = operators[param.op](column, bound)
        return result


def param_values(app: App, report: ReportSpec, user: User, ctx: expr.Context,
                 given: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters' values: given (text or values, read by the field's type), else
    the default; a parameter with neither is left out. RequestInvalid for an unknown
    parameter or a value its field cannot hold."""
    language = user.language
    names = [p.name for p in report.params]
    for name in given:
        if report.param(name) is None:
            raise RequestInvalid(render("report_param_unknown", {
                "report": repr(report.name), "name": repr(name), "allowed": names or ["-"]},
                language), code="report_param_unknown")
    compiled = app.entity(report.entity)
    values: dict[str, Any] = {}
    for param in report.params:
        owner, name, _ = _end(app, compiled, param.path)
        spec = app.entity(owner).field_spec(name)
        raw = given.get(param.name)
        if raw is None or raw == "":
            if param.default is None:
                continue
            dynamic = _dynamic(param.default, ctx)
            if dynamic is not _NONE:
                values[param.name] = dynamic
                continue
            raw = param.default
        try:
            values[param.name] = coerce(spec, raw)
        except FieldValueError as error:
            raise RequestInvalid(render("report_param_invalid", {
                "report": repr(report.name), "name": repr(param.name), "reason": str(error)},
                language), code="report_param_invalid") from None
    return values


_NONE = object()


def _dynamic(default: str, ctx: expr.Context) -> Any:
    today: dt.date = ctx.today
    return {"current_user": ctx.user_id, "today": today,
            "month_start": today.replace(day=1),
            "year_start": today.replace(month=1, day=1)}.get(default, _NONE)


def _with_clocks(table: sa.Table, report: ReportSpec, ctx: expr.Context,
                 ) -> tuple[sa.FromClause, dict[str, sa.ColumnElement[bool]]]:
    """The entity joined to its SLA clocks of the report's policy, and what met and
    missed mean on a clock: met, stopped within its target and never breached; missed,
    breached, stopped past its target, or still running past its due time."""
    clock = CLOCKS.alias("gx_clock")
    joined = table.join(clock, sa.and_(clock.c.entity == report.entity,
                                       clock.c.record_id == table.c.id,
                                       clock.c.name == report.sla))
    now = sa.literal(ctx.moment, UTCDateTime())
    stopped = clock.c.stopped_at.is_not(None)
    met = sa.and_(stopped, clock.c.breached_at.is_(None),
                  clock.c.used_seconds <= clock.c.target_seconds)
    missed = sa.or_(clock.c.breached_at.is_not(None),
                    sa.and_(stopped, clock.c.used_seconds > clock.c.target_seconds),
                    sa.and_(clock.c.stopped_at.is_(None), clock.c.running_since.is_not(None),
                            clock.c.due_at.is_not(None),
                            clock.c.due_at < now))
    return joined, {"sla_met": met, "sla_missed": missed}


def compile_report(app: App, report: ReportSpec, user: User, ctx: expr.Context,
                   given: Mapping[str, Any] | None = None) -> ReportQuery:
    """The report as one statement for `user` (run it with `context_params(ctx)`)."""
    require_report_readable(app, user, report)
    values = param_values(app, report, user, ctx, given or {})
    compiler = _Compiler(app, report, user, ctx)
    compiled = compiler.compiled
    where = conditions(app, compiled, user, ctx, where=None, filters=None, search=None)
    if report.when:
        where.append(compiler.sql(compiled.scope.checked(report.when).tree("boolean")))
    for param in report.params:
        if param.name in values:
            where.append(compiler.param_condition(param, values[param.name]))

    source: sa.FromClause = compiled.table
    clocks: dict[str, sa.ColumnElement[bool]] | None = None
    if report.sla:
        source, clocks = _with_clocks(compiled.table, report, ctx)
    inner_columns: list[sa.ColumnElement[Any]] = []
    groups: list[GroupColumn] = []
    for index, group in enumerate(report.groups):
        key, kind = compiler.group_key(group)
        inner_columns.append(key.label(f"g{index}"))
        owner, name, type_name = _end(app, compiled, group.path)
        groups.append(GroupColumn(group, kind, owner, name, type_name, False))
    measures: list[tuple[MeasureSpec, Formula, list[tuple[Atom, AtomColumns]]]] = []
    inputs = 0
    for measure in report.measures:
        formula = parse_measure(measure.text)
        atoms = []
        for atom in formula.atoms:
            columns = atom_columns(atom, compiler.sql, compiler.type_of, clocks)
            for column in columns.inputs:
                inner_columns.append(column.label(f"v{inputs}"))
                inputs += 1
            atoms.append((atom, columns))
        measures.append((measure, formula, atoms))
    if not inner_columns:
        inner_columns.append(sa.literal(1).label("one"))
    inner = sa.select(*inner_columns).select_from(source).where(*where).subquery("r")

    outer: list[sa.ColumnElement[Any]] = []
    keys = [inner.c[f"g{i}"] for i in range(len(groups))]
    titled: list[GroupColumn] = []
    for grouped, key in zip(groups, keys):
        outer.append(key)
        title = compiler.title(grouped, key)
        if title is not None:
            outer.append(title.label(f"t_{key.name}"))
        titled.append(GroupColumn(grouped.spec, grouped.kind, grouped.owner, grouped.field,
                                  grouped.field_type, title is not None))
    position = len(outer)
    measure_columns: list[MeasureColumn] = []
    inputs = 0
    for measure, formula, atoms in measures:
        placed = []
        for atom, columns in atoms:
            args = [inner.c[f"v{inputs + i}"] for i in range(len(columns.inputs))]
            inputs += len(columns.inputs)
            aggregates = columns.aggregate(args)
            placed.append((atom, columns, position, len(aggregates)))
            outer.extend(aggregates)
            position += len(aggregates)
        measure_columns.append(MeasureColumn(measure, formula, tuple(placed),
                                             scale_of(formula, measure.scale)))
    statement = sa.select(*outer).select_from(inner)
    if keys:
        statement = statement.group_by(*keys).order_by(
            *(c for key in keys for c in (key.is_(None), key.asc())))
    statement = statement.limit(MAX_ROWS + 1)
    return ReportQuery(report, statement, tuple(titled), tuple(measure_columns), values)


def rows_of(query: ReportQuery, fetched: Sequence[Sequence[Any]]) -> list[tuple[
        tuple[Any, ...], tuple[str | None, ...], tuple[Any, ...]]]:
    """Each fetched row as (group keys, titles (None where none), measure values)."""
    result = []
    for row in fetched:
        keys: list[Any] = []
        titles: list[str | None] = []
        index = 0
        for group in query.groups:
            keys.append(row[index])
            index += 1
            if group.titled:
                titles.append(row[index])
                index += 1
            else:
                titles.append(None)
        values = []
        for measure in query.measures:
            atoms = {atom.call: columns.read(row[start:start + count])
                     for atom, columns, start, count in measure.atoms}
            values.append(rounded(evaluate(measure.formula, atoms), measure.scale))
        result.append((tuple(keys), tuple(titles), tuple(values)))
    return result
