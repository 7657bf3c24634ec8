"""Merging two records of an entity: the survivor keeps its id and takes, field by field,
the values chosen from the other; every reference to the other (from any entity, the
entity itself included, deleted records too) is re-pointed to the survivor; the other is
soft-deleted. Both keep their histories; each gets a `merge` entry naming the other
(`merged_from` on the survivor, `merged_into` on the other), and every re-pointed record
an `update` entry, all in one transaction.

The acting user must be able to update the survivor and delete the other; the values the
survivor takes must be fields she may write, and the result passes the update checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, RequestInvalid
from guanxi.messages import render
from guanxi.store import changing, outbox, rows, stages
from guanxi.store.batch import Row
from guanxi.store.records import Loaded, Record, changes_of, check_names, record_id_of
from guanxi.store.unit import Unit

SIDES = ("survivor", "other")


def _repoint(unit: Unit, target: str, old: int, new: int) -> int:
    """Every reference to `target` record `old` made to point at `new`, with history."""
    moved = 0
    for compiled in unit.app.entities.values():
        for name, spec in compiled.fields.items():
            if spec.type != "reference" or spec.ref != target:
                continue
            table = compiled.table
            found = unit.conn.execute(sa.select(table).where(
                table.c[name] == old).order_by(table.c.id)).mappings().all()
            if not found:
                continue
            for deleted in (False, True):
                settings: list[changing.Setting] = [
                    (Loaded(dict(row), True, True),
                     {name: new, "version": row["version"] + 1, "updated_at": unit.now})
                    for row in found if (row["deleted_at"] is not None) == deleted]
                if settings:
                    # The merge's own consequence: allowed by the merge, not by each row.
                    changing.persist(unit, compiled, settings, sa.true(), deleted=deleted)
            outbox.record(unit, compiled, [
                outbox.Change(compiled.name, row["id"], "update", {name: [old, new]})
                for row in found])
            moved += len(found)
    return moved


def merge(unit: Unit, entity: CompiledEntity, survivor_id: Any, other_id: Any,
          take: Mapping[str, str]) -> Record:
    """Store.merge: see there. The survivor as stored after the merge."""
    language, user = unit.language, unit.user
    keep = record_id_of(entity, survivor_id, language)
    gone = record_id_of(entity, other_id, language)
    if keep == gone:
        raise RequestInvalid(render("merge_itself", {"entity": entity.name}, language),
                             code="merge_itself")
    bad = sorted(f"{k}={v!r}" for k, v in take.items() if v not in SIDES)
    if bad:
        raise RequestInvalid(render("merge_side", {"given": bad, "allowed": SIDES},
                                    language), code="merge_side")
    survivor = rows.load_row(unit, entity, keep, lock=True)
    other = rows.load_row(unit, entity, gone, lock=True)
    if not survivor.may_update:
        raise AccessDenied(render("may_not_change", {"entity": entity.name}, language),
                           code="may_not_change")
    if not other.may_delete:
        raise AccessDenied(render("may_not_delete", {"entity": entity.name}, language),
                           code="may_not_delete")
    taken = {name: other.record.get(name) for name, side in take.items() if side == "other"}
    writable = entity.policy.writable_fields(user, survivor.record.get("state"))
    check_names(entity, taken, writable, language)
    record = dict(survivor.record)
    record.update(taken)
    # The other gives up the unique values the survivor takes before it is deleted.
    released = {name: None for name in taken
                if (spec := entity.fields.get(name)) is not None and spec.unique}
    gone_values = {"deleted_at": unit.now, "version": other.record["version"] + 1,
                   "updated_at": unit.now, **released}
    changing.persist(unit, entity, [(other, gone_values)],
                     entity.policy.rule(user, unit.ctx, "delete"))
    [row] = stages.checks(unit, entity, [Row(1, taken, record, frozenset(taken),
                                             record_id=keep)], creating=False)
    stages.raise_for(row)
    record = dict(row.record)
    _repoint(unit, entity.name, gone, keep)
    names = changing.shown(entity)
    diff = changes_of(survivor.record, record, names)
    values = {n: record[n] for n in names if record.get(n) != survivor.record.get(n)}
    # Re-pointing may have changed the survivor itself (a reference to the other).
    fresh = rows.load_row(unit, entity, keep, lock=True)
    values.update(version=fresh.record["version"] + 1, updated_at=unit.now)
    changing.persist(unit, entity, [(fresh, values)],
                     entity.policy.rule(user, unit.ctx, "update"))
    outbox.record(unit, entity, [
        outbox.Change(entity.name, gone, "merge",
                      {"merged_into": [None, keep],
                       **changes_of(other.record, gone_values, list(released))}),
        outbox.Change(entity.name, keep, "merge", {"merged_from": [None, gone], **diff}),
    ])
    return {**fresh.record, **values}
