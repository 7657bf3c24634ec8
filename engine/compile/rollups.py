"""What depends on what across entities: roll-ups and computed fields that read through a
reference, compiled once per project for the Store's after-persist stage
(`guanxi.store.derived`).

A roll-up field of entity P (`rollup: {sum: amount, of: C, via: p}`) is one SQL scalar
subquery over C's table, correlated to P's row: the aggregate of C's live rows whose `via`
is P's id, whose condition holds and whose workflow state is (not) final. Roll-ups over
the same child entity through the same reference are grouped, so one UPDATE sets them
all. A computed field of Y reading `r.name` depends on the entity `r` refers to: when
that record's `name` changes, Y's rows pointing at it are computed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.spec import EntitySpec, FieldSpec, ProjectSpec, RollupSpec
from sqlalchemy.sql.elements import ColumnElement

# Child fields whose writes move every roll-up: the reference is always read; a
# (soft) delete or restore changes which rows count.
_ALWAYS = frozenset({"deleted_at"})
# The context roll-up conditions are compiled in: no user (a roll-up is the same for
# everyone); `now()` and `today()` are bind parameters given when the statement runs.
NOBODY = expr.Context(user_id=None)


@dataclass(frozen=True, slots=True)
class RollupGroup:
    """The roll-ups of `parent` over `child` through reference `via`: `values` maps each
    roll-up field to its correlated aggregate; `reads` are the child's fields whose
    change can move one of them."""

    parent: str
    child: str
    via: str
    values: Mapping[str, ColumnElement[Any]]
    reads: frozenset[str]
    # When every roll-up of the group is a count or a sum: what new child rows add to
    # each, aggregated over those rows (so a bulk insert adds to the stored values
    # instead of aggregating every child of every parent again).
    deltas: Mapping[str, ColumnElement[Any]] | None = None


@dataclass(frozen=True, slots=True)
class Reader:
    """Entity `entity` computes fields from the records its reference `via` points at,
    reading their fields `reads`."""

    entity: str
    via: str
    reads: frozenset[str]


@dataclass(frozen=True, slots=True)
class Dependents:
    """What must be brought up to date when records of one entity are written."""

    rollups: tuple[RollupGroup, ...] = ()
    readers: tuple[Reader, ...] = ()


@dataclass(frozen=True, slots=True)
class Derived:
    """Per entity, its dependents (only entities that have some); and per entity, the
    roll-up groups stored on it (for `guanxi recompute`)."""

    dependents: Mapping[str, Dependents] = field(default_factory=dict)
    stored: Mapping[str, tuple[RollupGroup, ...]] = field(default_factory=dict)


def empty_value(spec: RollupSpec) -> int | None:
    """What a roll-up holds with nothing to roll up: 0 for count and sum, else empty."""
    return 0 if spec.kind in ("count", "sum") else None


def final_states(project: ProjectSpec, entity: EntitySpec, final: bool) -> list[str]:
    """The states of the entity's workflow that are (or are not) final."""
    workflow = project.workflow(entity.workflow) if entity.workflow else None
    return [s.name for s in workflow.states if s.final == final] if workflow else []


def _aggregate(spec: RollupSpec, target: FieldSpec, column: ColumnElement[Any] | None
               ) -> ColumnElement[Any]:
    if spec.kind == "count":
        return sa.func.count()
    assert column is not None
    if spec.kind == "sum":
        return sa.func.coalesce(sa.func.sum(column), 0)
    if spec.kind == "avg":
        average = sa.func.avg(column)
        scale = target.scale if target.scale is not None else 6
        return sa.func.round(sa.cast(average, sa.Numeric(30, 10)), scale)
    return sa.func.min(column) if spec.kind == "min" else sa.func.max(column)


def _filters(project: ProjectSpec, spec: RollupSpec, child: sa.FromClause,
             tables: Mapping[str, sa.Table], scopes: Mapping[str, expr.Scope]
             ) -> list[ColumnElement[bool]]:
    """Which rows of `child` are rolled up: live ones, where the condition holds, in a
    (non-)final state when asked."""
    conditions: list[ColumnElement[bool]] = [child.c.deleted_at.is_(None)]
    if spec.when is not None:
        scope = scopes[spec.of]
        checked = scope.checked(spec.when)
        clause = expr.to_sql(checked, scope, {**tables, spec.of: child},  # type: ignore[dict-item]
                             spec.of, NOBODY, parameters=True)
        conditions.append(clause)
    if spec.final is not None:
        child_spec = project.entity(spec.of)
        assert child_spec is not None
        conditions.append(child.c.state.in_(final_states(project, child_spec, spec.final)))
    return conditions


def rollup_value(project: ProjectSpec, parent: EntitySpec, target: FieldSpec,
                 tables: Mapping[str, sa.Table], scopes: Mapping[str, expr.Scope]
                 ) -> ColumnElement[Any]:
    """The roll-up of field `target` of `parent` as a scalar subquery correlated to the
    parent's table."""
    spec = target.rollup
    assert spec is not None
    child: sa.FromClause = tables[spec.of]
    owner = tables[parent.name]
    if spec.of == parent.name:
        child = child.alias(f"{spec.of}_rolled")
    column = child.c[spec.field] if spec.field else None
    conditions = [child.c[spec.via] == owner.c.id,
                  *_filters(project, spec, child, tables, scopes)]
    query = sa.select(_aggregate(spec, target, column)).where(*conditions)
    return query.correlate(owner).scalar_subquery()


def rollup_delta(project: ProjectSpec, target: FieldSpec, tables: Mapping[str, sa.Table],
                 scopes: Mapping[str, expr.Scope]) -> ColumnElement[Any] | None:
    """For a count or a sum: what a set of new child rows adds to it, as an aggregate
    over those rows (grouped by their parent); None for min, max and avg."""
    spec = target.rollup
    assert spec is not None
    if spec.kind not in ("count", "sum"):
        return None
    child = tables[spec.of]
    amount: ColumnElement[Any] = (child.c[spec.field] if spec.kind == "sum" and spec.field
                                  else sa.literal(1))
    counted = sa.case((sa.and_(*_filters(project, spec, child, tables, scopes)), amount),
                      else_=sa.literal(0))
    return sa.func.coalesce(sa.func.sum(counted), 0)


def _rollup_reads(spec: RollupSpec, scopes: Mapping[str, expr.Scope]) -> frozenset[str]:
    reads = {spec.via, *_ALWAYS}
    if spec.field:
        reads.add(spec.field)
    if spec.final is not None:
        reads.add("state")
    if spec.when is not None:
        reads |= expr.fields_used(scopes[spec.of].checked(spec.when).tree())
    return frozenset(reads)


def path_reads(entity: EntitySpec, scope: expr.Scope) -> dict[str, set[str]]:
    """For each reference the entity's computed fields read through: the fields read on
    the other side (`account.name` → {"account": {"name"}})."""
    reads: dict[str, set[str]] = {}
    for spec in entity.fields:
        if spec.compute is None:
            continue
        for name in expr.names_in(scope.checked(spec.compute).tree()):
            if len(name.parts) >= 2:
                reads.setdefault(name.parts[0], set()).add(name.parts[1])
    return reads


def build_derived(project: ProjectSpec, tables: Mapping[str, sa.Table],
                  scopes: Mapping[str, expr.Scope]) -> Derived:
    """Every roll-up and every reader of the project, keyed by the entity whose writes
    move them."""
    groups: dict[tuple[str, str, str], dict[str, ColumnElement[Any]]] = {}
    deltas: dict[tuple[str, str, str], dict[str, ColumnElement[Any] | None]] = {}
    reads: dict[tuple[str, str, str], frozenset[str]] = {}
    for parent in project.entities:
        for target in parent.fields:
            spec = target.rollup
            if spec is None:
                continue
            key = (parent.name, spec.of, spec.via)
            groups.setdefault(key, {})[target.name] = rollup_value(
                project, parent, target, tables, scopes)
            deltas.setdefault(key, {})[target.name] = rollup_delta(
                project, target, tables, scopes)
            reads[key] = reads.get(key, frozenset()) | _rollup_reads(spec, scopes)
    rollups: dict[str, list[RollupGroup]] = {}
    stored: dict[str, list[RollupGroup]] = {}
    for key, values in groups.items():
        adds = deltas[key]
        group = RollupGroup(key[0], key[1], key[2], values, reads[key],
                            None if any(v is None for v in adds.values())
                            else {k: v for k, v in adds.items() if v is not None})
        rollups.setdefault(group.child, []).append(group)
        stored.setdefault(group.parent, []).append(group)
    readers: dict[str, list[Reader]] = {}
    for entity in project.entities:
        for via, names in path_reads(entity, scopes[entity.name]).items():
            ref = entity.field(via)
            if ref is not None and ref.ref is not None:
                readers.setdefault(ref.ref, []).append(
                    Reader(entity.name, via, frozenset(names)))
    names = set(rollups) | set(readers)
    return Derived(
        {name: Dependents(tuple(rollups.get(name, ())), tuple(readers.get(name, ())))
         for name in names},
        {name: tuple(found) for name, found in stored.items()})
