"""The write pipeline for records that exist: `update`, `delete` and `restore` (a batch
of one), the transitions of `guanxi.store.workflow` and the changes and deletions of a
bulk save (`guanxi.store.saving`) run the named stages of `guanxi.store.stages`, then
`persist` them with compare-and-set and end in `outbox.record` (hooks, history, events).

actor and rights (the row read with the user's rights on it, its version) → names →
coercion → the stored record under the given values (`stages.merged`) → computed
fields → validation → references and unique values → persist (compare-and-set under
the user's update or delete condition) → history and change events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied
from guanxi.expr.functions import context_params
from guanxi.messages import render
from guanxi.store import outbox, rows, stages
from guanxi.store.batch import Row
from guanxi.store.records import Loaded, Record, changes_of, is_literal, unique_violation
from guanxi.store.unit import Unit

# A stored row and the values its write sets.
Setting = tuple[Loaded, Mapping[str, Any]]


def shown(entity: CompiledEntity, *, state: bool = False) -> list[str]:
    """The fields history records for a change (with `state`, the workflow state too)."""
    extra = ("owner", "state") if state else ("owner",)
    return [n for n in entity.types if n in entity.fields or n in extra]


def persist(unit: Unit, entity: CompiledEntity, settings: Sequence[Setting],
            permission: sa.ColumnElement[bool], *, deleted: bool = False,
            state: str | None = None) -> None:
    """Stage: write the rows that exist with compare-and-set: each only if it is still
    the version read (and, with `state`, in that state) and `permission` still holds.
    One row: one UPDATE; many: one executemany per set of columns written."""
    if len(settings) == 1 or not unit.dialect.supports_sane_multi_rowcount:
        for loaded, values in settings:
            rows.compare_and_set(unit, entity, loaded, values, permission, deleted=deleted,
                                 state=state)
        return
    groups: dict[tuple[str, ...], list[Setting]] = {}
    for setting in settings:
        groups.setdefault(tuple(setting[1]), []).append(setting)
    params = context_params(unit.ctx)
    for names, group in groups.items():
        statement = _many_statement(entity, names, permission, deleted=deleted)
        try:
            result = unit.conn.execute(statement, [
                {**params, "gx_id": loaded.record["id"],
                 "gx_version": loaded.record["version"],
                 **{f"gx_set_{n}": values[n] for n in names}}
                for loaded, values in group])
        except sa.exc.IntegrityError as error:
            translated = unique_violation(entity, error, unit.language)
            if translated is None:
                raise
            raise translated from None
        if result.rowcount != len(group):
            _refuse_unwritten(unit, entity, group, deleted=deleted)


def _many_statement(entity: CompiledEntity, names: tuple[str, ...],
                    permission: sa.ColumnElement[bool], *, deleted: bool) -> sa.Update:
    table = entity.table
    conditions = [table.c.id == sa.bindparam("gx_id", type_=table.c.id.type),
                  table.c.version == sa.bindparam("gx_version", type_=table.c.version.type),
                  table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None)]
    if not is_literal(permission, True):
        conditions.append(permission)
    return table.update().where(*conditions).values(
        {n: sa.bindparam(f"gx_set_{n}", type_=table.c[n].type) for n in names})


def _refuse_unwritten(unit: Unit, entity: CompiledEntity, group: Sequence[Setting], *,
                      deleted: bool) -> None:
    """Some rows of an executemany were not written: raise for the first of them, as a
    single compare-and-set would."""
    table = entity.table
    ids = [loaded.record["id"] for loaded, _ in group]
    versions = dict(unit.conn.execute(
        sa.select(table.c.id, table.c.version).where(table.c.id.in_(ids))).tuples().all())
    for loaded, values in group:
        if versions.get(loaded.record["id"]) != values.get("version"):
            rows.refuse_unmatched(unit, entity, loaded, deleted=deleted)
    raise AccessDenied(render("may_not_change", {"entity": entity.name}, unit.language),
                       code="may_not_change")


def update(unit: Unit, entity: CompiledEntity, record_id: Any, changes: Mapping[str, Any],
           expected_version: Any) -> Record:
    """Store.update: see there. The record as stored after the write."""
    user, language = unit.user, unit.language
    loaded = rows.load_row(unit, entity, record_id, lock=True)
    old = loaded.record
    rows.refuse_stale(entity.name, loaded, expected_version, language)
    if not loaded.may_update:
        raise AccessDenied(render("may_not_change", {"entity": entity.name}, language),
                           code="may_not_change")
    writable = entity.policy.writable_fields(user, old.get("state"))
    batch = [Row(1, changes, record_id=old["id"])]
    batch = stages.names(unit, entity, batch, writable, {})
    batch = stages.coercion(unit, entity, batch)
    batch = stages.merged(unit, entity, batch, {old["id"]: old})
    [row] = stages.checks(unit, entity, batch, creating=False)
    stages.raise_for(row)
    names = shown(entity)
    record = dict(row.record)
    diff = changes_of(old, record, names)
    if not diff:
        return old
    values = {n: record[n] for n in names if record.get(n) != old.get(n)}
    values.update(version=old["version"] + 1, updated_at=unit.now)
    persist(unit, entity, [(loaded, values)], entity.policy.rule(user, unit.ctx, "update"))
    record.update(values)
    outbox.record(unit, entity, [outbox.Change(entity.name, old["id"], "update", diff)])
    return record


def delete(unit: Unit, entity: CompiledEntity, record_id: Any, expected_version: Any) -> None:
    """Store.delete: see there."""
    language, now = unit.language, unit.now
    loaded = rows.load_row(unit, entity, record_id, lock=True)
    rows.refuse_stale(entity.name, loaded, expected_version, language)
    if not loaded.may_delete:
        raise AccessDenied(render("may_not_delete", {"entity": entity.name}, language),
                           code="may_not_delete")
    values = {"deleted_at": now, "version": loaded.record["version"] + 1, "updated_at": now}
    persist(unit, entity, [(loaded, values)],
            entity.policy.rule(unit.user, unit.ctx, "delete"))
    outbox.record(unit, entity, [outbox.Change(
        entity.name, loaded.record["id"], "delete",
        changes_of(loaded.record, values, ["deleted_at"]))])


def restore(unit: Unit, entity: CompiledEntity, record_id: Any) -> Record:
    """Store.restore: see there. The record as stored after the write."""
    language, now = unit.language, unit.now
    loaded = rows.load_row(unit, entity, record_id, deleted=True, lock=True)
    if not loaded.may_delete:
        raise AccessDenied(render("may_not_restore", {"entity": entity.name}, language),
                           code="may_not_restore")
    values = {"deleted_at": None, "version": loaded.record["version"] + 1, "updated_at": now}
    persist(unit, entity, [(loaded, values)],
            entity.policy.rule(unit.user, unit.ctx, "delete"), deleted=True)
    outbox.record(unit, entity, [outbox.Change(
        entity.name, loaded.record["id"], "restore",
        changes_of(loaded.record, values, ["deleted_at"]))])
    return {**loaded.record, **values}
