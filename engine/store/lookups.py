"""The pipeline's database checks, one query per field (or unique group) per batch:
references that do not resolve (missing, deleted, unreadable to the user, inactive
users) and unique values another record already has.

On PostgreSQL the keys of a batch go in one array parameter (`= ANY(:keys)`), so the
unique index is used whatever the table's statistics say; a large `IN` list over a
table filled in the same transaction (no statistics yet) is planned as a sequential
scan, and a bulk import would turn quadratic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.expr.functions import context_params
from guanxi.fields.values import is_empty
from guanxi.messages import render
from guanxi.store.batch import Batch, Row
from guanxi.store.records import unique_clash
from guanxi.store.unit import Unit
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

# Unique keys met earlier in one import, per unique group.
Seen = dict[tuple[str, ...], set[tuple[Any, ...]]]


def unique_groups(entity: CompiledEntity) -> list[tuple[str, ...]]:
    """The entity's unique fields (as groups of one) and unique indexes."""
    return [(f.name,) for f in entity.spec.fields if f.unique] + [
        i.fields for i in entity.spec.indexes if i.unique]


def among(column: sa.ColumnElement[Any], values: Iterable[Any],
          dialect: sa.Dialect) -> ColumnElement[bool]:
    """`column` is one of `values`: `= ANY(array)` on PostgreSQL, `IN` elsewhere."""
    values = list(values)
    if dialect.name == "postgresql":
        array = sa.bindparam(None, values, type_=postgresql.ARRAY(column.type))
        return column == sa.any_(array)
    return column.in_(values)


def _checked(row: Row, name: str) -> bool:
    """Whether the row's `name` is to be looked up: changed, filled, not already wrong."""
    return name in row.changed and name not in row.errors and row.record.get(name) is not None


def references(unit: Unit, entity: CompiledEntity, batch: Batch) -> Batch:
    """Stage: each reference and user field names a record the user may read and that is
    not deleted (or an active user)."""
    user, ctx, conn = unit.user, unit.ctx, unit.conn
    names = [n for n, t in entity.types.items()
             if t in ("reference", "user") and n != "created_by"]
    found_errors: list[dict[str, list[str]]] = [{} for _ in batch]
    for name in names:
        wanted = {row.record[name] for row in batch if _checked(row, name)}
        if not wanted:
            continue
        field = entity.fields.get(name)
        if field is not None and field.type == "reference" and field.ref:
            target = unit.app.entity(field.ref)
            table = target.table
            query = sa.select(table.c.id).where(
                among(table.c.id, wanted, unit.dialect), table.c.deleted_at.is_(None),
                target.policy.rule(user, ctx, "read"))
            code, params = "no_record", {"entity": target.name}
        else:
            users = unit.app.tables.users
            query = sa.select(users.c.id).where(among(users.c.id, wanted, unit.dialect),
                                                users.c.active.is_(True))
            code, params = "no_user", {}
        found = set(conn.execute(query, context_params(ctx)).scalars())
        for row, bucket in zip(batch, found_errors):
            if _checked(row, name) and row.record[name] not in found:
                bucket.setdefault(name, []).append(
                    render(code, {"value": row.record[name], **params}, unit.language))
    return [row.failing(errors) for row, errors in zip(batch, found_errors)]


def _taken(unit: Unit, entity: CompiledEntity, group: tuple[str, ...],
           keys: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], set[int]]:
    """The ids of the records holding each of `keys` (values of `group`)."""
    table = entity.table
    columns = [table.c[f] for f in group]
    if len(group) == 1:
        condition = among(columns[0], {k[0] for k in keys}, unit.dialect)
    elif unit.dialect.name == "postgresql":
        condition = sa.and_(*(among(c, {k[i] for k in keys}, unit.dialect)
                              for i, c in enumerate(columns)))
    else:
        condition = sa.tuple_(*columns).in_(list(dict.fromkeys(keys)))
    taken: dict[tuple[Any, ...], set[int]] = {}
    for record_id, *values in unit.conn.execute(sa.select(table.c.id, *columns).where(
            condition)):
        taken.setdefault(tuple(values), set()).add(record_id)
    return taken


def unique(unit: Unit, entity: CompiledEntity, batch: Batch, visible: frozenset[str],
           seen: Seen | None = None) -> Batch:
    """Stage: unique fields (and unique indexes) whose changed values another record
    already has (any record, readable to the user or not: see `unique_clash`), or an
    earlier row of the same import (`seen`). Empty values never clash. `visible`: the
    fields whose values the user knows."""
    seen = {} if seen is None else seen
    result = list(batch)
    for group in unique_groups(entity):
        keys = [None if (not set(group) & (row.changed - set(row.errors))
                         or any(is_empty(row.record.get(f)) for f in group))
                else tuple(row.record[f] for f in group) for row in result]
        present = [k for k in keys if k is not None]
        if not present:
            continue
        taken = _taken(unit, entity, group, present)
        earlier = seen.setdefault(group, set())
        for index, key in enumerate(keys):
            if key is None:
                continue
            row = result[index]
            if taken.get(key, set()) - {row.record_id} or key in earlier:
                message, names = unique_clash(entity.name, group,
                                              dict(zip(group, key, strict=True)), visible,
                                              unit.language)
                result[index] = row.failing({name: [message] for name in names})
            elif row.ok:
                earlier.add(key)
    return result
