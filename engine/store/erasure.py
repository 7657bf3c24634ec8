"""Erasure (the right to be forgotten): a record's `sensitive` fields anonymized, in the
record and in every old value its history and change events hold, leaving one `erase`
entry that names the fields erased and holds none of their values.

Administrators and the system actor only. The record keeps its other fields, its id and
its references; a required text field gets the mark `ERASED`, any other field becomes
empty. This is the one write that rewrites history: it removes values, never adds any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied
from guanxi.messages import render
from guanxi.store import changing, outbox, rows
from guanxi.store.unit import Unit

ERASED = "[erased]"
TEXTUAL = frozenset({"string", "text", "email", "phone", "url"})


def _scrubbed(changes: Mapping[str, Any] | None, names: frozenset[str]) -> dict[str, Any]:
    return {name: ([None if v is None else ERASED for v in pair]
                   if name in names and isinstance(pair, list) else pair)
            for name, pair in (changes or {}).items()}


def _rewrite(unit: Unit, table: sa.Table, entity: str, record_id: int,
             names: frozenset[str]) -> int:
    """Replace the erased fields' values in `table`'s change rows of the record."""
    conn = unit.conn
    found = conn.execute(sa.select(table.c.id, table.c.changes).where(
        table.c.entity == entity, table.c.record_id == record_id)).all()
    rewritten = 0
    for row_id, changes in found:
        if not changes or not names & set(changes):
            continue
        conn.execute(table.update().where(table.c.id == row_id).values(
            changes=_scrubbed(changes, names)))
        rewritten += 1
    return rewritten


def erase(unit: Unit, entity: CompiledEntity, record_id: Any, *, trusted: bool
          ) -> tuple[str, ...]:
    """Store.erase: see there. The names of the fields erased."""
    language = unit.language
    if not trusted:
        raise AccessDenied(render("may_not_erase", {"entity": entity.name}, language),
                           code="may_not_erase")
    loaded = rows.load_row(unit, entity, record_id, lock=True)
    old = loaded.record
    sensitive = [f for f in entity.spec.fields if f.sensitive]
    names = frozenset(f.name for f in sensitive)
    values: dict[str, Any] = {}
    for spec in sensitive:
        if old.get(spec.name) is None:
            continue
        values[spec.name] = ERASED if spec.required and spec.type in TEXTUAL else None
    tables = unit.app.tables
    # The names of files attached (in history as `attachment`) go with the values.
    scrubbed = names | {"attachment"} if names else names
    _rewrite(unit, tables.history, entity.name, old["id"], scrubbed)
    _rewrite(unit, tables.events, entity.name, old["id"], scrubbed)
    if values:
        values.update(version=old["version"] + 1, updated_at=unit.now)
        changing.persist(unit, entity, [(loaded, values)], sa.true())
    outbox.record(unit, entity, [outbox.Change(
        entity.name, old["id"], "erase",
        {name: [ERASED, None] for name in sorted(names) if old.get(name) is not None})])
    return tuple(sorted(n for n in names if old.get(n) is not None))
