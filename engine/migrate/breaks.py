"""Stored rows that break a new or tightened rule: counted, with the first few ids.

A rule is new to the database when the rules remembered at its last migration
(`guanxi.migrate.rules`) do not have it: a bound that admits fewer values (min, max,
min_length, max_length, pattern), a removed choice option, a new `rules:` entry (its
`when`, `require` and `check`), a state requiring more fields. Each becomes a step that
says how many stored rows break it; the plan is applied only when they are accepted
(`accept_invalid`): the rows then stay as they are and are refused on their next edit
until someone corrects them.

A rule is counted in SQL when it can be (bounds of numbers and dates, lengths, removed
choice options, rules whose expressions compile to SQL: `guanxi.expr.to_sql` means what
the Python form means), else, or when the database refuses the statement, in Python:
values read through the compiled tables (so in their canonical form) and checked with
the same compiled checks and expressions the Store runs on every write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.validation import CompiledRule, compile_field
from guanxi.fields.registry import coerce as coerce_value
from guanxi.fields.values import is_empty
from guanxi.migrate.rules import BOUNDS, Rules, rule_key, tighter
from guanxi.migrate.steps import Step
from guanxi.spec import EntitySpec, FieldSpec, text_in
from sqlalchemy.engine import Connection

# How many ids of breaking rows a step lists.
SHOWN_IDS = 5
# Rows read at a time.
PART = 5000
SYSTEM_COLUMNS = ("created_at", "updated_at", "created_by", "version", "deleted_at")
Row = Mapping[str, Any]


# (the entity's table) -> the condition a breaking row meets, or None (count in Python).
SqlProbe = Callable[[sa.Table], Any]
# Types whose stored values compare in SQL as their values do.
SQL_ORDERED = frozenset({"integer", "decimal", "money", "percent", "date", "duration"})
SQL_TEXT = frozenset({"string", "text", "email", "phone", "url"})


@dataclass(frozen=True, slots=True)
class Probe:
    """One new rule of one entity: what it is called and whether a row breaks it."""

    name: str  # field:bound, or rule:N, or state:S
    description: str
    breaks: Callable[[Row, Any], bool]  # (row, resolver) -> True when the row breaks it
    sql: SqlProbe | None = None


def _empty(table: sa.Table, name: str, kind: str) -> Any:
    """SQL for "no value", as `is_empty` means it; None where SQL cannot say it (lists)."""
    column = table.c[name]
    if kind in SQL_TEXT or kind == "choice":
        return sa.or_(column.is_(None), sa.func.trim(column) == "")
    if kind == "tags":
        return None
    return column.is_(None)


def _empties(compiled: Any, table: sa.Table, names: tuple[str, ...]) -> list[Any] | None:
    out = []
    for name in names:
        spec = compiled.fields.get(name)
        empty = _empty(table, name, spec.type if spec else "")
        if empty is None:
            return None
        out.append(empty)
    return out


def _field_probe(entity: EntitySpec, field: FieldSpec, bound: str, value: Any,
                 old: Any) -> Probe:
    cleared: dict[str, Any] = dict.fromkeys(BOUNDS)
    cleared[bound] = value
    checks = compile_field(replace(field, **cleared)).checks
    name = field.name

    def breaks(row: Row, resolver: Any) -> bool:
        current = row.get(name)
        if current is None or current == "":
            return False
        try:
            for check in checks:
                if check(current) is not None:
                    return True
        except (TypeError, ValueError, ArithmeticError):
            return True
        return False

    def sql(table: sa.Table) -> Any:
        column = table.c[name]
        if bound in ("min", "max") and field.type in SQL_ORDERED:
            limit = sa.literal(coerce_value(field, value), type_=column.type)
            return column < limit if bound == "min" else column > limit
        if bound in ("min_length", "max_length") and field.type in SQL_TEXT:
            length = sa.func.length(column)
            return sa.and_(column.is_not(None), column != "",
                           length < value if bound == "min_length" else length > value)
        return None

    was = "" if old is None else f" (was {old})"
    return Probe(f"{name}:{bound}",
                 f"{entity.name}.{name}: {bound} {value}{was}", breaks, sql)


def _options_probe(entity: EntitySpec, field: FieldSpec, removed: set[str] | None) -> Probe:
    allowed = {o.value for o in field.options}
    moved = {o.renamed_from for o in field.options if o.renamed_from}
    name = field.name

    def gone(value: Any) -> bool:
        if value is None or value == "" or value in allowed or value in moved:
            return False
        return removed is None or value in removed

    def breaks(row: Row, resolver: Any) -> bool:
        value = row.get(name)
        if isinstance(value, list):
            return any(gone(v) for v in value)
        return gone(value)

    def sql(table: sa.Table) -> Any:
        if field.type != "choice":
            return None
        column = table.c[name]
        gone = column.in_(sorted(removed - allowed - moved)) if removed is not None \
            else column.not_in(sorted(allowed | moved))
        return sa.and_(column.is_not(None), column != "", gone)

    what = ", ".join(sorted(removed)) if removed else "options not declared"
    return Probe(f"{name}:options", f"{entity.name}.{name}: removed option(s) {what}",
                 breaks, sql)


def _rule_probe(compiled: Any, tables: Any, number: int, rule: CompiledRule,
                ctx: Any) -> Probe:
    entity: EntitySpec = compiled.spec
    spec = rule.spec

    def breaks(row: Row, resolver: Any) -> bool:
        try:
            if rule.when is not None and not rule.when(row, ctx, resolver):
                return False
            if any(is_empty(row.get(name)) for name in spec.require):
                return True
            return rule.check is not None and not rule.check(row, ctx, resolver)
        except (ArithmeticError, ValueError, TypeError):
            return True

    def sql(table: sa.Table) -> Any:
        empties = _empties(compiled, table, spec.require)
        if empties is None:
            return None
        scope = compiled.scope

        def condition(text: str) -> Any:
            return expr.to_sql(scope.checked(text), scope, tables, entity.name, ctx,
                               two_valued=True)

        failing = [*empties]
        if spec.check is not None:
            failing.append(sa.not_(condition(spec.check)))
        broken = sa.or_(*failing)
        return sa.and_(condition(spec.when), broken) if spec.when is not None else broken

    message = text_in(spec.message, "en") or spec.check or ", ".join(spec.require)
    return Probe(f"rule:{number}",
                 f"{entity.name} rule {number} at {spec.loc}: {message}", breaks, sql)


def _state_probe(compiled: Any, state: str, fields: tuple[str, ...]) -> Probe:
    def breaks(row: Row, resolver: Any) -> bool:
        return row.get("state") == state and any(is_empty(row.get(f)) for f in fields)

    def sql(table: sa.Table) -> Any:
        empties = _empties(compiled, table, fields)
        return None if empties is None else sa.and_(table.c.state == state, sa.or_(*empties))

    return Probe(f"state:{state}", f"{compiled.name} in state '{state}' requires "
                 f"{', '.join(fields)}", breaks, sql)


def probes(compiled: Any, app: Any, before: Rules | None, now: dt.datetime,
           present: frozenset[str]) -> list[Probe]:
    """The rules of one compiled entity that are new or tighter than `before` (`present`:
    the columns the database has; a field it lacks has no values to break anything)."""
    entity: EntitySpec = compiled.spec
    spec = app.spec
    old = before or {}
    out: list[Probe] = []
    for field in entity.fields:
        if field.compute or field.name not in present:
            continue
        for bound in BOUNDS:
            value = getattr(field, bound)
            key = f"{entity.name}.{field.name}.{bound}"
            if bound == "max_length" and _column_length(compiled, field.name) == value:
                continue  # narrowing the column is a step of its own (it cuts values)
            if value is not None and tighter(bound, old.get(key), str(value)):
                out.append(_field_probe(entity, field, bound, value, old.get(key)))
        if field.type in ("choice", "tags") and field.options:
            known = old.get(f"{entity.name}.{field.name}.options")
            if before is None or known is None:
                out.append(_options_probe(entity, field, None))
            else:
                removed = set(known) - {o.value for o in field.options}
                if removed:
                    out.append(_options_probe(entity, field, removed))
    ctx = expr.Context(user_id=None, now=now)
    for number, rule in enumerate(compiled.validator.rules, 1):
        if rule_key(entity.name, rule.spec) not in old:
            out.append(_rule_probe(compiled, app.tables.entities, number, rule, ctx))
    workflow = spec.workflow(entity.workflow) if entity.workflow else None
    for state in workflow.states if workflow else ():
        recorded = set(old.get(f"{entity.name}.state.{state.name}.require") or ())
        added = tuple(f for f in state.require if f not in recorded)
        if added:
            out.append(_state_probe(compiled, state.name, added))
    return out


def _column_length(compiled: Any, name: str) -> int | None:
    column = compiled.table.c.get(name)
    kind = column.type if column is not None else None
    return kind.length if isinstance(kind, sa.String) else None


class Reader:
    """Reads stored rows through the compiled tables, only the columns the database has."""

    def __init__(self, conn: Connection, app: Any) -> None:
        self.conn = conn
        self.app = app
        self.inspector = sa.inspect(conn)
        self._columns: dict[str, list[Any]] = {}
        self._cache: dict[tuple[str, int], dict[str, Any] | None] = {}

    def columns(self, entity: str) -> list[Any]:
        """The entity's columns the database has: the declared fields, the id, state and
        owner, and the other system columns its rules name."""
        if entity not in self._columns:
            compiled = self.app.entities[entity]
            table = compiled.table
            present = {c["name"] for c in self.inspector.get_columns(entity)} \
                if self.inspector.has_table(entity) else set()
            written = " ".join(text for rule in compiled.spec.rules
                               for text in (rule.when, rule.check) if text)
            wanted = {"id", "state", "owner", *compiled.fields} | {
                name for name in SYSTEM_COLUMNS if re.search(rf"\b{name}\b", written)}
            self._columns[entity] = [c for c in table.columns
                                     if c.name in present and c.name in wanted]
        return self._columns[entity]

    def all_columns(self, entity: str) -> list[Any]:
        """Every column of the entity the database has (for paths through references)."""
        key = f"*{entity}"
        if key not in self._columns:
            table = self.app.tables.entities[entity]
            present = {c["name"] for c in self.inspector.get_columns(entity)} \
                if self.inspector.has_table(entity) else set()
            self._columns[key] = [c for c in table.columns if c.name in present]
        return self._columns[key]

    def rows(self, entity: str) -> Iterator[Any]:
        columns = self.columns(entity)
        result = self.conn.execute(sa.select(*columns).order_by(columns[0])).mappings()
        for part in result.partitions(PART):
            yield from part

    def resolve(self, entity: str, record_id: int) -> dict[str, Any] | None:
        key = (entity, record_id)
        if key not in self._cache:
            columns = self.all_columns(entity) if entity in self.app.tables.entities else []
            row = self.conn.execute(sa.select(*columns).where(columns[0] == record_id)
                                    ).mappings().first() if columns else None
            self._cache[key] = dict(row) if row is not None else None
        return self._cache[key]


def count_in_sql(conn: Connection, table: sa.Table, probe: Probe
            ) -> tuple[int, list[int]] | None:
    """How many rows break `probe` and the first ids, counted by the database; None when
    it cannot say (the probe has no SQL form, names a column the database lacks, or the
    database refuses the statement)."""
    if probe.sql is None:
        return None
    try:
        condition = probe.sql(table)
    except (KeyError, ValueError, TypeError, NotImplementedError):
        return None
    if condition is None:
        return None
    savepoint = conn.begin_nested()
    try:
        n = int(conn.execute(sa.select(sa.func.count()).select_from(table)
                             .where(condition)).scalar_one())
        ids = [int(i) for i in conn.execute(sa.select(table.c.id).where(condition)
                                            .order_by(table.c.id).limit(SHOWN_IDS)).scalars()]
    except (sa.exc.DBAPIError, sa.exc.StatementError):
        savepoint.rollback()
        return None
    savepoint.commit()
    return n, ids


def break_steps(conn: Connection, app: Any, before: Rules | None,
                now: dt.datetime | None = None) -> list[Step]:
    """One step per new or tighter rule that stored rows break, counted."""
    if app is None or not hasattr(app, "entities"):
        return []
    moment = now or dt.datetime.now(dt.UTC)
    reader = Reader(conn, app)
    steps: list[Step] = []
    for name, compiled in app.entities.items():
        if not reader.inspector.has_table(name):
            continue
        present = frozenset(c["name"] for c in reader.inspector.get_columns(name))
        found = probes(compiled, app, before, moment, present)
        if not found:
            continue
        counted: dict[str, tuple[int, list[int]]] = {}
        by_hand: list[Probe] = []
        for probe in found:
            answer = count_in_sql(conn, compiled.table, probe)
            if answer is None:
                by_hand.append(probe)
            else:
                counted[probe.name] = answer
        if by_hand:
            counted.update(count_in_python(reader, name, by_hand))
        for probe in found:
            n, ids = counted[probe.name]
            if not n:
                continue
            shown = ", ".join(str(i) for i in ids) + (", …" if n > len(ids) else "")
            words = f"{n} stored row(s) break it (ids {shown})"
            steps.append(Step("breaks_rule", name, probe.name,
                              f"new or tighter rule {probe.description}", data=words,
                              breaks=words))
    return steps


def count_in_python(reader: Reader, entity: str, found: list[Probe]
               ) -> dict[str, tuple[int, list[int]]]:
    """Count the rows breaking each probe by reading them all once."""
    broken: dict[str, list[int]] = {p.name: [] for p in found}
    counts = dict.fromkeys(broken, 0)
    for row in reader.rows(entity):
        for probe in found:
            if probe.breaks(row, reader.resolve):
                counts[probe.name] += 1
                if len(broken[probe.name]) < SHOWN_IDS:
                    broken[probe.name].append(int(row["id"]))
    return {name: (counts[name], broken[name]) for name in counts}
