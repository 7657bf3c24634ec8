"""The pipeline's database checks, one query per field (or unique group) per batch:
references that do not resolve (missing, deleted, unreadable to the user, inactive
users) and unique values another record already has.

On PostgreSQL the keys of a batch go in array parameters, unnested and joined
LATERAL to one equality lookup per key, so each key is an index probe whatever the
table's statistics say: a table filled in the same transaction has none yet, and an
`IN` list or `= ANY(array)` over it is planned as a sequential scan, which turns a
large bulk import quadratic.
"""

from __future__ import annotations

import json
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

# Unique keys of rows checked but not written, per unique group (see `remember`).
Seen = dict[tuple[str, ...], set[tuple[Any, ...]]]
# Keys given to SQLite as one JSON array (`probe`): more than this many, each a str or int.
_LIST_LIMIT = 16
_JSON_KEYS = (str, int)
_NONE: frozenset[tuple[Any, ...]] = frozenset()
_NO_IDS: frozenset[int] = frozenset()


def unique_groups(entity: CompiledEntity) -> list[tuple[str, ...]]:
    """The entity's unique fields (as groups of one) and unique indexes."""
    return [(f.name,) for f in entity.spec.fields if f.unique] + [
        i.fields for i in entity.spec.indexes if i.unique]


def probe(dialect: sa.Dialect, table: sa.Table, columns: Sequence[str],
          keys: Iterable[tuple[Any, ...]], *conditions: ColumnElement[bool]) -> sa.Select[Any]:
    """SELECT id, *`columns` of the rows of `table` whose `columns` equal one of `keys`
    and that meet `conditions`; `columns` are unique together (a unique field or
    index, or the id), so each key matches at most one row. On PostgreSQL one index
    probe per key (see above), elsewhere `IN` (over a JSON array of the keys, when there
    are many plain ones)."""
    keys = list(dict.fromkeys(keys))
    cols = [table.c[name] for name in columns]
    query: sa.Select[Any]
    if dialect.name == "postgresql":
        arrays = [sa.bindparam(None, [key[i] for key in keys],
                               type_=postgresql.ARRAY(col.type))
                  for i, col in enumerate(cols)]
        names = [f"k{i}" for i in range(len(cols))]
        given = sa.func.unnest(*arrays).table_valued(*names).render_derived().alias("gx_keys")
        # LIMIT 1 (the keys are unique) keeps the planner from flattening the probe
        # into a hash join over a sequential scan.
        found = sa.select(table.c.id, *cols).where(
            *(col == given.c[name] for col, name in zip(cols, names)), *conditions
        ).limit(1).lateral("gx_found")
        query = sa.select(*found.c).select_from(given.join(found, sa.true()))
    elif len(cols) == 1 and len(keys) > _LIST_LIMIT and all(
            type(key[0]) in _JSON_KEYS for key in keys):
        # Many plain keys in one JSON parameter, so the statement is compiled once: an
        # IN list is rendered anew for every count of keys.
        listed: sa.Select[Any] = sa.select(sa.column("value")).select_from(
            sa.func.json_each(sa.bindparam(None, json.dumps([key[0] for key in keys]),
                                           type_=sa.Text())))
        query = sa.select(table.c.id, *cols).where(cols[0].in_(listed), *conditions)
    elif len(cols) == 1:
        query = sa.select(table.c.id, *cols).where(cols[0].in_([k[0] for k in keys]),
                                                   *conditions)
    else:
        query = sa.select(table.c.id, *cols).where(sa.tuple_(*cols).in_(keys), *conditions)
    return query


def matching(unit: Unit, table: sa.Table, columns: Sequence[str],
             keys: Iterable[tuple[Any, ...]], *conditions: ColumnElement[bool]
             ) -> list[tuple[Any, ...]]:
    """The rows `probe` selects, as (id, *values) tuples."""
    query = probe(unit.dialect, table, columns, keys, *conditions)
    return [tuple(row) for row in unit.conn.execute(query, context_params(unit.ctx))]


def _checked(row: Row, name: str) -> bool:
    """Whether the row's `name` is to be looked up: changed, filled, not already wrong."""
    return name in row.changed and name not in row.errors and row.record.get(name) is not None


def references(unit: Unit, entity: CompiledEntity, batch: Batch,
               users: set[int] | None = None) -> Batch:
    """Stage: each reference and user field names a record the user may read and that is
    not deleted (or an active user). `users`: ids already found to be active users in
    this transaction (an import's earlier batches: nothing it writes changes a user),
    not looked up again; those found are added to it."""
    user, ctx = unit.user, unit.ctx
    names = [n for n, t in entity.types.items()
             if t in ("reference", "user") and n != "created_by"]
    found_errors: list[dict[str, list[str]]] = [{} for _ in batch]
    for name in names:
        # `_checked`, inline: this runs for every row of an import.
        wanted = {value for row in batch
                  if name in row.changed and (value := row.record.get(name)) is not None
                  and name not in row.errors}
        if not wanted:
            continue
        field = entity.fields.get(name)
        keys = [(value,) for value in wanted]
        if field is not None and field.type == "reference" and field.ref:
            target = unit.app.entity(field.ref)
            rows = matching(unit, target.table, ["id"], keys,
                            target.table.c.deleted_at.is_(None),
                            target.policy.rule(user, ctx, "read"))
            code, params = "no_record", {"entity": target.name}
        else:
            if users is not None and wanted <= users:
                continue
            table = unit.app.tables.users
            rows = matching(unit, table, ["id"], keys, table.c.active.is_(True))
            code, params = "no_user", {}
            if users is not None:
                users.update(row[0] for row in rows)
        found = {row[0] for row in rows}
        if wanted <= found:
            continue  # every value named a record: no row to blame
        for row, bucket in zip(batch, found_errors):
            if _checked(row, name) and row.record[name] not in found:
                bucket.setdefault(name, []).append(
                    render(code, {"value": row.record[name], **params}, unit.language))
    return [row.failing(errors) for row, errors in zip(batch, found_errors)]


def indexed(unit: Unit, entity: CompiledEntity) -> bool:
    """Whether the database holds a unique index (over the whole table, on exactly its
    columns) for each unique field and unique index of the entity, so that it refuses
    what `unique` would."""
    groups = unique_groups(entity)
    if not groups:
        return True
    table = entity.table
    inspector = sa.inspect(unit.conn)
    found: set[frozenset[str]] = set()
    for index in inspector.get_indexes(table.name, schema=table.schema):
        options = index.get("dialect_options") or {}
        if index.get("unique") and not any(k.endswith("_where") for k in options):
            found.add(frozenset(str(c) for c in index["column_names"]))
    for constraint in inspector.get_unique_constraints(table.name, schema=table.schema):
        found.add(frozenset(constraint["column_names"]))
    return all(frozenset(group) in found for group in groups)


def _taken(unit: Unit, entity: CompiledEntity, group: tuple[str, ...],
           keys: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], set[int]]:
    """The ids of the records holding each of `keys` (values of `group`)."""
    taken: dict[tuple[Any, ...], set[int]] = {}
    for record_id, *values in matching(unit, entity.table, group, keys):
        taken.setdefault(tuple(values), set()).add(record_id)
    return taken


def _unique_key(row: Row, group: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The row's values of `group` to check, or None: the write changes none of them
    (that it could read), or one is empty."""
    errors = row.errors
    if not any(f in row.changed and f not in errors for f in group):
        return None
    record = row.record
    key = tuple(record.get(f) for f in group)
    for value in key:
        if value is None or (not value.strip() if type(value) is str else is_empty(value)):
            return None
    return key


def unique(unit: Unit, entity: CompiledEntity, batch: Batch, visible: frozenset[str],
           seen: Seen | None = None) -> Batch:
    """Stage: unique fields (and unique indexes) whose changed values another record
    already has (any record, readable to the user or not: see `unique_clash`), an
    earlier row of the batch, or a row of an earlier batch that was checked but not
    written (`seen`, see `remember`). Empty values never clash. `visible`: the fields
    whose values the user knows.

    The rows of earlier batches that were written are found in the table itself, so an
    import keeps no set of every value it met: its memory does not grow with its size."""
    result = list(batch)
    for group in unique_groups(entity):
        keys = [_unique_key(row, group) for row in result]
        present = [k for k in keys if k is not None]
        if not present:
            continue
        taken = _taken(unit, entity, group, present)
        earlier = seen.get(group, _NONE) if seen else _NONE
        in_batch: set[tuple[Any, ...]] = set()
        for index, key in enumerate(keys):
            if key is None:
                continue
            row = result[index]
            if taken.get(key, _NO_IDS) - {row.record_id} or key in in_batch or key in earlier:
                message, names = unique_clash(entity.name, group,
                                              dict(zip(group, key, strict=True)), visible,
                                              unit.language)
                result[index] = row.failing({name: [message] for name in names})
            elif row.ok:
                in_batch.add(key)
    return result


def remember(entity: CompiledEntity, batch: Batch, seen: Seen) -> None:
    """Note in `seen` the unique values of the good rows of a batch that was checked but
    is not written (an all-or-nothing import after its first bad row, which goes on to
    report every bad row): later batches cannot find them in the table."""
    for group in unique_groups(entity):
        keys = {key for row in batch if row.ok
                and (key := _unique_key(row, group)) is not None}
        if keys:
            seen.setdefault(group, set()).update(keys)
