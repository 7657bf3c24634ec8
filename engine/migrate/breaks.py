"""Stored rows that break a new or tightened rule: counted, with the first few ids.

A rule is new to the database when the rules remembered at its last migration
(`guanxi.migrate.rules`) do not have it: a bound that admits fewer values (min, max,
min_length, max_length, pattern), a removed choice option, a new `rules:` entry (its
`when`, `require` and `check`), a state requiring more fields. Each becomes a step that
says how many stored rows break it; the plan is applied only when they are accepted
(`accept_invalid`): the rows then stay as they are and are refused on their next edit
until someone corrects them.

Values are read through the compiled tables (so in their canonical Python form) and
checked with the same compiled checks and expressions the Store runs on every write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.validation import CompiledRule, compile_field
from guanxi.fields.values import is_empty
from guanxi.migrate.rules import BOUNDS, Rules, rule_key, tighter
from guanxi.migrate.steps import Step
from guanxi.spec import EntitySpec, FieldSpec, text_in
from sqlalchemy.engine import Connection

# How many ids of breaking rows a step lists.
SHOWN_IDS = 5
Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Probe:
    """One new rule of one entity: what it is called and whether a row breaks it."""

    name: str  # field:bound, or rule:N, or state:S
    description: str
    breaks: Callable[[Row, Any], bool]  # (row, resolver) -> True when the row breaks it


def _field_probe(entity: EntitySpec, field: FieldSpec, bound: str, value: Any,
                 old: Any) -> Probe:
    cleared: dict[str, Any] = dict.fromkeys(BOUNDS)
    cleared[bound] = value
    checks = compile_field(replace(field, **cleared)).checks
    name = field.name

    def breaks(row: Row, resolver: Any) -> bool:
        current = row.get(name)
        if current is None or (isinstance(current, str) and not current):
            return False
        try:
            return any(check(current) is not None for check in checks)
        except (TypeError, ValueError, ArithmeticError):
            return True

    was = "" if old is None else f" (was {old})"
    return Probe(f"{name}:{bound}",
                 f"{entity.name}.{name}: {bound} {value}{was}", breaks)


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

    what = ", ".join(sorted(removed)) if removed else "options not declared"
    return Probe(f"{name}:options", f"{entity.name}.{name}: removed option(s) {what}",
                 breaks)


def _rule_probe(entity: EntitySpec, number: int, rule: CompiledRule, ctx: Any) -> Probe:
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

    message = text_in(spec.message, "en") or spec.check or ", ".join(spec.require)
    return Probe(f"rule:{number}",
                 f"{entity.name} rule {number} at {spec.loc}: {message}", breaks)


def _state_probe(entity: EntitySpec, state: str, fields: tuple[str, ...]) -> Probe:
    def breaks(row: Row, resolver: Any) -> bool:
        return row.get("state") == state and any(is_empty(row.get(f)) for f in fields)

    return Probe(f"state:{state}",
                 f"{entity.name} in state '{state}' requires {', '.join(fields)}", breaks)


def probes(compiled: Any, spec: Any, before: Rules | None, now: dt.datetime) -> list[Probe]:
    """The rules of one compiled entity that are new or tighter than `before`."""
    entity: EntitySpec = compiled.spec
    old = before or {}
    out: list[Probe] = []
    for field in entity.fields:
        if field.compute:
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
            out.append(_rule_probe(entity, number, rule, ctx))
    workflow = spec.workflow(entity.workflow) if entity.workflow else None
    for state in workflow.states if workflow else ():
        recorded = set(old.get(f"{entity.name}.state.{state.name}.require") or ())
        added = tuple(f for f in state.require if f not in recorded)
        if added:
            out.append(_state_probe(entity, state.name, added))
    return out


def _column_length(compiled: Any, name: str) -> int | None:
    column = compiled.table.c.get(name)
    kind = column.type if column is not None else None
    return kind.length if isinstance(kind, sa.String) else None


class _Reader:
    """Reads stored rows through the compiled tables, only the columns the database has."""

    def __init__(self, conn: Connection, app: Any) -> None:
        self.conn = conn
        self.app = app
        self.inspector = sa.inspect(conn)
        self._columns: dict[str, list[Any]] = {}
        self._cache: dict[tuple[str, int], dict[str, Any] | None] = {}

    def columns(self, entity: str) -> list[Any]:
        if entity not in self._columns:
            table = self.app.tables.entities[entity]
            present = {c["name"] for c in self.inspector.get_columns(entity)} \
                if self.inspector.has_table(entity) else set()
            self._columns[entity] = [c for c in table.columns if c.name in present]
        return self._columns[entity]

    def rows(self, entity: str) -> Any:
        columns = self.columns(entity)
        return self.conn.execute(sa.select(*columns).order_by(columns[0])).mappings()

    def resolve(self, entity: str, record_id: int) -> dict[str, Any] | None:
        key = (entity, record_id)
        if key not in self._cache:
            columns = self.columns(entity) if entity in self.app.tables.entities else []
            row = self.conn.execute(sa.select(*columns).where(columns[0] == record_id)
                                    ).mappings().first() if columns else None
            self._cache[key] = dict(row) if row is not None else None
        return self._cache[key]


def break_steps(conn: Connection, app: Any, before: Rules | None,
                now: dt.datetime | None = None) -> list[Step]:
    """One step per new or tightened rule that stored rows break, counted."""
    if app is None or not hasattr(app, "entities"):
        return []
    moment = now or dt.datetime.now(dt.UTC)
    reader = _Reader(conn, app)
    steps: list[Step] = []
    for name, compiled in app.entities.items():
        if not reader.inspector.has_table(name):
            continue
        found = probes(compiled, app.spec, before, moment)
        if not found:
            continue
        broken: dict[str, list[int]] = {p.name: [] for p in found}
        counts = dict.fromkeys(broken, 0)
        for row in reader.rows(name):
            for probe in found:
                if probe.breaks(row, reader.resolve):
                    counts[probe.name] += 1
                    if len(broken[probe.name]) < SHOWN_IDS:
                        broken[probe.name].append(int(row["id"]))
        for probe in found:
            n = counts[probe.name]
            if not n:
                continue
            ids = ", ".join(str(i) for i in broken[probe.name]) + (", …" if n > SHOWN_IDS
                                                                    else "")
            words = f"{n} stored row(s) break it (ids {ids})"
            steps.append(Step("breaks_rule", name, probe.name,
                              f"new or tighter rule {probe.description}", data=words,
                              breaks=words))
    return steps
