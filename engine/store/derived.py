"""Derived values kept up to date in the write's own transaction: roll-ups over the
records that reference a record, and computed fields that read through a reference.

This is the after-persist stage of the pipeline (`guanxi.store.outbox.after_persist`).
Given the changes one write made to entity C:

1. For each group of roll-ups over C through reference `via` (`guanxi.compile.rollups`),
   the parents touched are the old and new values of `via` of the changed rows (read
   from the changes, or from the table when the write did not move `via`). Writes that
   change none of the fields a roll-up reads are skipped.
2. The parents are locked (PostgreSQL: `SELECT … FOR NO KEY UPDATE`, in id order, so
   concurrent writers queue instead of deadlocking; SQLite has one writer), then one
   set-based UPDATE per group sets every roll-up from a correlated aggregate over the
   live children, so count, sum, min, max and avg are exact after creates, updates,
   re-pointing, deletes and restores alike. When a write only creates rows (create,
   bulk insert, import) and the group holds only counts and sums, one grouped query
   over the new rows gives what each parent gains and an executemany adds it, instead
   of aggregating every child again (an empty stored value is aggregated in full).
3. Records of entities whose computed fields read a changed field through a reference
   are found by their reference (one query).
4. Each record touched is read again: its computed fields are computed afresh (a tier
   computed from a roll-up follows it), the rules that read a changed field are checked
   (a rule `points >= 0` on a member refuses the redemption that would overdraw it: the
   whole write fails), and what changed becomes a change of that entity, so the stage
   runs again for it (a roll-up over a roll-up). The checker refuses cycles, so this
   ends.

What a call derives on a record is recorded once, when the call ends, in the same
transaction: one `update` history row and one `updated` change event per record whose
derived values moved, from their first old values to their latest new ones, by the
acting user (a bulk import of 100 batches touching one parent records it once).
Versions and `updated_at` are untouched, so a form open on the parent does not turn
stale because a child was added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import App, CompiledEntity
from guanxi.compile.rollups import Reader, RollupGroup
from guanxi.errors import ValidationFailed
from guanxi.expr.functions import context_params
from guanxi.messages import render
from guanxi.store.records import changes_of
from guanxi.store.unit import Unit, resolver_of

# A change as the stage reads it: (record id, action, {field: [old, new]}).
Moved = tuple[int, str, Mapping[str, Any]]
# Actions that change whether a row counts at all, whatever its fields.
_WHOLE = frozenset({"create", "import", "delete", "restore"})
# Creates, whose rows add to counts and sums without reading the other children.
_NEW = frozenset({"create", "import"})
# A group of roll-ups to set on a parent entity, and what new rows add to them (or None:
# aggregate every child again).
Work = tuple[RollupGroup, list[dict[str, Any]] | None]
# A chain of derived values longer than this is a cycle the checker did not refuse.
_MAX_DEPTH = 32


def maintain(unit: Unit, entity: CompiledEntity, changes: Sequence[Any]) -> None:
    """The stage: bring every value derived from the changed records of `entity` up
    to date (see the module). `changes` are `outbox.Change`s of this write."""
    if entity.name not in unit.app.derived.dependents:
        return
    moved = [(c.record_id, c.action, c.changes) for c in changes]
    _maintain(unit, entity.name, moved, 0)


def _maintain(unit: Unit, name: str, moved: Sequence[Moved], depth: int) -> None:
    dependents = unit.app.derived.dependents.get(name)
    if dependents is None or not moved:
        return
    if depth > _MAX_DEPTH:
        raise RuntimeError(f"derived values of '{name}' depend on each other in a cycle")
    touched: dict[str, set[int]] = {}
    work: dict[str, list[Work]] = {}
    for group in dependents.rollups:
        relevant = [m for m in moved if _relevant(m, group.reads)]
        if not relevant:
            continue
        adds: list[dict[str, Any]] | None = None
        if group.deltas is not None and all(m[1] in _NEW for m in relevant):
            adds = _deltas(unit, group, [m[0] for m in relevant])
            parents = {int(row["gx_parent"]) for row in adds}
        else:
            parents = _parents(unit, group, relevant)
        if parents:
            touched.setdefault(group.parent, set()).update(parents)
            work.setdefault(group.parent, []).append((group, adds))
    for reader in dependents.readers:
        found = _readers(unit, reader, moved)
        if found:
            touched.setdefault(reader.entity, set()).update(found)
    for parent, ids in sorted(touched.items()):
        again = _refresh(unit, unit.app.entities[parent], sorted(ids), work.get(parent, []))
        _maintain(unit, parent, again, depth + 1)


def _deltas(unit: Unit, group: RollupGroup, ids: Sequence[int]) -> list[dict[str, Any]]:
    """What the new child rows `ids` add to each count and sum of the group, per parent
    (`gx_parent`, `gx_d_<field>`): one grouped query over those rows."""
    assert group.deltas is not None
    deltas = group.deltas

    def build() -> Any:
        table = unit.app.tables.entities[group.child]
        via = table.c[group.via]
        return (sa.select(via.label("gx_parent"),
                          *(value.label(f"gx_d_{name}") for name, value in deltas.items()))
                .where(table.c.id.in_(sa.bindparam("gx_ids", expanding=True)),
                       via.is_not(None))
                .group_by(via))

    statement = unit.statements.get(("rollup_deltas", group.parent, group.child, group.via),
                                    build)
    params = context_params(unit.ctx)
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in unit.conn.execute(statement, {**params, "gx_ids": chunk}).mappings():
            known = found.get(row["gx_parent"])
            if known is None:
                found[row["gx_parent"]] = dict(row)
            else:
                for key in deltas:
                    known[f"gx_d_{key}"] += row[f"gx_d_{key}"]
    return list(found.values())


def _relevant(moved: Moved, reads: frozenset[str]) -> bool:
    _, action, changes = moved
    return action in _WHOLE or not reads.isdisjoint(changes)


def _parents(unit: Unit, group: RollupGroup, moved: Sequence[Moved]) -> set[int]:
    """The ids of the parents whose roll-ups in `group` the changes may move: old and
    new values of the reference, read from the table for rows that kept theirs."""
    parents: set[int] = set()
    unmoved: list[int] = []
    for record_id, action, changes in moved:
        if not _relevant((record_id, action, changes), group.reads):
            continue
        pair = changes.get(group.via)
        if pair is not None:
            parents.update(v for v in pair if isinstance(v, int))
        elif action not in ("create", "import"):
            unmoved.append(record_id)
    if unmoved:
        table = unit.app.tables.entities[group.child]
        via = table.c[group.via]
        for chunk in _chunks(unmoved):
            parents.update(unit.conn.execute(
                sa.select(via).where(table.c.id.in_(chunk), via.is_not(None))).scalars())
    return parents


def _readers(unit: Unit, reader: Reader, moved: Sequence[Moved]) -> set[int]:
    """The records of `reader.entity` whose computed fields read a changed field of the
    changed records through `reader.via`."""
    changed = [record_id for record_id, action, changes in moved
               if action not in _WHOLE and not reader.reads.isdisjoint(changes)]
    if not changed:
        return set()
    table = unit.app.tables.entities[reader.entity]
    found: set[int] = set()
    for chunk in _chunks(changed):
        found.update(unit.conn.execute(sa.select(table.c.id).where(
            table.c[reader.via].in_(chunk), table.c.deleted_at.is_(None))).scalars())
    return found


def _chunks(ids: Sequence[int], size: int = 1000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def _names(entity: CompiledEntity) -> list[str]:
    return [n for n in entity.types if n in entity.fields or n in ("owner", "state")]


def _refresh(unit: Unit, entity: CompiledEntity, ids: list[int],
             work: Sequence[Work]) -> list[Moved]:
    """Lock the records `ids`, set their roll-ups (`work`), compute their computed
    fields again and hold them to the rules about what changed; the changes made."""
    table, conn = entity.table, unit.conn
    before: dict[int, dict[str, Any]] = {}
    locking = unit.dialect.name == "postgresql"  # SQLite: the write lock is held already
    for chunk in _chunks(ids):
        query = sa.select(table).where(table.c.id.in_(chunk)).order_by(table.c.id)
        if locking:
            query = query.with_for_update(key_share=True)
        before.update((row["id"], dict(row)) for row in conn.execute(query).mappings())
    params = context_params(unit.ctx)
    for group, adds in work:
        if adds is None:
            statement = _rollup_statement(unit, entity, group)
            for chunk in _chunks(ids):
                conn.execute(statement, {**params, "gx_ids": chunk})
        elif adds:
            conn.execute(_delta_statement(unit, entity, group),
                         [{**params, **row} for row in adds])
    return _recompute_rows(unit, entity, before)


def _rollup_statement(unit: Unit, entity: CompiledEntity, group: RollupGroup) -> Any:
    table = entity.table

    def build() -> Any:
        return table.update().where(
            table.c.id.in_(sa.bindparam("gx_ids", expanding=True))).values(dict(group.values))

    return unit.statements.get(("rollup", group.parent, group.child, group.via), build)


def _delta_statement(unit: Unit, entity: CompiledEntity, group: RollupGroup) -> Any:
    """UPDATE parent SET f = f + :gx_d_f … WHERE id = :gx_parent (a value left empty,
    e.g. by a migration that added the column, is aggregated in full instead)."""
    table = entity.table
    assert group.deltas is not None
    deltas = group.deltas

    def build() -> Any:
        values = {name: sa.case((table.c[name].is_(None), group.values[name]),
                                else_=table.c[name] + sa.bindparam(
                                    f"gx_d_{name}", type_=table.c[name].type))
                  for name in deltas}
        return table.update().where(
            table.c.id == sa.bindparam("gx_parent", type_=table.c.id.type)).values(values)

    return unit.statements.get(("rollup_add", group.parent, group.child, group.via), build)


def _recompute_rows(unit: Unit, entity: CompiledEntity,
                    before: Mapping[int, Mapping[str, Any]]) -> list[Moved]:
    """Read the records again, fill their computed fields, check the rules reading what
    changed, write the computed values that moved; the changes, per record."""
    table, conn = entity.table, unit.conn
    resolve = resolver_of(unit.app, conn)
    names = _names(entity)
    validator = entity.validator
    moved: list[Moved] = []
    for chunk in _chunks(sorted(before)):
        rows = conn.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings().all()
        for row in rows:
            record = dict(row)
            old = before[record["id"]]
            validator.compute(record, unit.ctx, resolve, unit.language)
            computed = {c.field.name: record[c.field.name] for c in validator.computed
                        if record[c.field.name] != row[c.field.name]}
            if computed:
                conn.execute(table.update().where(table.c.id == record["id"]).values(
                    **computed))
            diff = changes_of(old, record, names)
            if not diff:
                continue
            if validator.rules:
                errors = validator.check_rules(record, frozenset(diff), unit.ctx,
                                               unit.language, resolve)
                if errors:
                    messages = [m for found in errors.values() for m in found]
                    raise ValidationFailed({"": [render("related_rule_failed", {
                        "entity": entity.name, "id": record["id"], "messages": messages},
                        unit.language)]})
            _note(unit, entity.name, record["id"], diff)
            moved.append((record["id"], "update", diff))
    return moved


def _note(unit: Unit, entity: str, record_id: int, diff: Mapping[str, list[Any]]) -> None:
    """Remember what this call derived on a record: the first old value of each field
    and its latest new one (recorded once when the call ends; `outbox`)."""
    noted = unit.derived.setdefault((entity, record_id), {})
    for name, (old, new) in diff.items():
        if name in noted:
            noted[name][1] = new
        else:
            noted[name] = [old, new]


def noted(unit: Unit) -> dict[str, list[tuple[int, dict[str, list[Any]]]]]:
    """What this call derived and has not recorded yet, per entity: (id, {field:
    [old, new]}) for the values that end different from where they began; then
    forgotten."""
    found: dict[str, list[tuple[int, dict[str, list[Any]]]]] = {}
    for (entity, record_id), fields in sorted(unit.derived.items()):
        diff = {name: pair for name, pair in fields.items() if pair[0] != pair[1]}
        if diff:
            found.setdefault(entity, []).append((record_id, diff))
    unit.derived.clear()
    return found


def recompute(unit: Unit, only: str | None = None) -> dict[str, int]:
    """Rebuild every roll-up and stored computed field (of entity `only`, or all), set
    based; per `entity.field`, how many records held a wrong value. Repeated until
    nothing moves, so values derived from derived values settle."""
    app = unit.app
    counts: dict[str, int] = {}
    names = [only] if only is not None else list(app.entities)
    for _ in range(len(app.entities) + 1):
        moved = 0
        for name in names:
            moved += _recompute_entity(unit, app, app.entities[name], counts)
        if not moved:
            break
    return counts


def _recompute_entity(unit: Unit, app: App, entity: CompiledEntity,
                      counts: dict[str, int]) -> int:
    table, conn = entity.table, unit.conn
    params = context_params(unit.ctx)
    moved = 0
    for group in app.derived.stored.get(entity.name, ()):
        for field, value in group.values.items():
            column = table.c[field]
            result = conn.execute(table.update().where(column.is_distinct_from(value))
                                  .values({field: value}), params)
            key = f"{entity.name}.{field}"
            counts[key] = counts.get(key, 0) + result.rowcount
            moved += result.rowcount
    if not entity.validator.computed:
        return moved
    resolve = resolver_of(app, conn)
    ids = conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars().all()
    for chunk in _chunks(ids):
        rows = conn.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings().all()
        for row in rows:
            record = dict(row)
            entity.validator.compute(record, unit.ctx, resolve, unit.language)
            computed = {c.field.name: record[c.field.name]
                        for c in entity.validator.computed
                        if record[c.field.name] != row[c.field.name]}
            if computed:
                conn.execute(table.update().where(table.c.id == record["id"]).values(
                    **computed))
                for name in computed:
                    key = f"{entity.name}.{name}"
                    counts[key] = counts.get(key, 0) + 1
                moved += 1
    return moved
