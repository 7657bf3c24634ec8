"""The write pipeline for new records: `create` (a batch of one) and `bulk_insert`
run the same stages (`guanxi.store.stages`) on a batch, then persist the good rows
with one executemany and end in `outbox.record` (hooks, history, events).

A bulk write may leave a batch's unique check to the database (`check` with
`defer_unique`): when every row of the batch is good otherwise and each unique field or
index of the entity has its unique index in the database, the batch is written at once
under a savepoint (`attempt`); only when an index refuses a value is the batch rolled
back to it and checked value by value (`recheck`), giving the same row errors as the
check before writing would have. Imports of new, distinct records, the common case, skip
one query and a pass over the batch per unique field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import GuanxiError, ValidationFailed
from guanxi.store import created, lookups, outbox, stages
from guanxi.store.batch import Batch, Errors, Row
from guanxi.store.lookups import Seen, remember
from guanxi.store.prepared import Prepared, allocate_ids, insert_statement
from guanxi.store.records import CreatedText, created_changes, unique_violation
from guanxi.store.unit import Unit


class Creation:
    """The new-record pipeline of one write on one entity, and what it remembers
    across the batches of an import (names already checked, the unique values of rows
    checked but not written)."""

    def __init__(self, unit: Unit, entity: CompiledEntity, *,
                 historical: bool = False) -> None:
        self.unit = unit
        self.entity = entity
        # A historical import: records as they were (state, times), history `import`.
        self.historical = historical
        self.allow = stages.HISTORICAL if historical else frozenset()
        self.state = entity.machine.initial if entity.machine else None
        self.writable = entity.policy.writable_fields(unit.user, self.state, "create")
        self.names: dict[frozenset[str], tuple[Errors, GuanxiError | None]] = {}
        self.seen: Seen = {}
        # Users found active by the reference check of an earlier batch.
        self.users: set[int] = set()
        self.shown = created.shown_fields(entity)
        self.text = CreatedText(self.shown)
        # Many new rows whose changes nothing reads, on SQLite: history built in SQL.
        self.history_sql = created.compile_history(
            entity, self.shown, unit.dialect, historical=historical
        ) if outbox.encodes(unit, entity) else None
        # Whether the database's unique indexes can check a batch (`check`); None: not
        # looked at yet.
        self._indexed: bool | None = None
        # The last batch `check` left to the database's unique indexes.
        self._deferred: Batch | None = None

    def check(self, batch: Batch, *, defer_unique: bool = False) -> Batch:
        """Every stage before persist, in order. `defer_unique`: the caller writes the
        batch next if it is good; its unique values are then left to the database (see
        the module) when it can be, and `deferred` says so."""
        return self.finish(self.prepare(batch), defer_unique=defer_unique)

    def prepare(self, batch: Batch, unit: Unit | None = None) -> Batch:
        """The stages that read no table but through `unit.resolve` (default: this
        write's unit): names, coercion, defaults, computed fields, validation."""
        unit = unit or self.unit
        entity = self.entity
        batch = stages.names(unit, entity, batch, self.writable, self.names, self.allow)
        batch = stages.coercion(unit, entity, batch, self.allow)
        batch = stages.new_records(unit, entity, batch, self.state)
        if self.historical:
            batch = stages.historical(unit, entity, batch)
        batch = stages.computed(unit, entity, batch)
        return stages.validation(unit, entity, batch)

    def with_texts(self, batch: Batch, unit: Unit | None = None) -> Batch:
        """The good rows of a prepared `batch` with their history text (`Row.text`),
        when `write` would encode it in Python (many rows of an entity whose history is
        not built in SQL and whose changes no hook reads): for a process that prepares
        batches for another. `unit` as for `prepare`."""
        if (self.history_sql is not None or len(batch) < 2
                or not outbox.encodes(unit or self.unit, self.entity)):
            return batch
        encode = self.text
        return [row._replace(text=encode(row.record)) if row.ok else row for row in batch]

    def finish(self, batch: Batch, *, defer_unique: bool = False) -> Batch:
        """The stages after `prepare`, up to persist: references, unique values (see
        `check`), the create condition."""
        unit, entity = self.unit, self.entity
        batch = lookups.references(unit, entity, batch, self.users)
        self._deferred = None
        if defer_unique and len(batch) > 1 and not self.seen and self.indexed():
            tentative = stages.create_rights(unit, entity, batch)
            if all(row.ok for row in tentative):
                self._deferred = tentative
                return tentative
        batch = stages.unique(unit, entity, batch, creating=True, seen=self.seen)
        return stages.create_rights(unit, entity, batch)

    def indexed(self) -> bool:
        """Whether every unique field and unique index of the entity has its unique index
        in the database (looked at once)."""
        if self._indexed is None:
            self._indexed = lookups.indexed(self.unit, self.entity)
        return self._indexed

    def deferred(self, batch: Batch) -> bool:
        """Whether `batch` (as `check` returned it) has its unique values unchecked."""
        return batch is self._deferred

    def attempt(self, batch: Batch) -> Batch | None:
        """`write` for a `deferred` batch, its rows persisted under a savepoint: the rows
        with ids, or None when a unique index refused a value (nothing of the batch is
        written; `recheck` says which rows clash)."""
        records = [row.record for row in batch]
        savepoint = self.unit.conn.begin_nested()
        try:
            ids = persist(self.unit, self.entity, records)
        except ValidationFailed:  # a unique index refused a value
            savepoint.rollback()
            return None
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        self._deferred = None
        return self._written(batch, records, ids)

    def recheck(self, batch: Batch) -> Batch:
        """The unique check `check` left to the database, done now (the rows are good
        otherwise, so the create rights need not be checked again)."""
        self._deferred = None
        return stages.unique(self.unit, self.entity, batch, creating=True, seen=self.seen)

    def skip(self, batch: Batch) -> None:
        """A checked batch that is not written (an all-or-nothing import after a bad
        row): its unique values are remembered for the batches after it."""
        remember(self.entity, batch, self.seen)

    def write(self, batch: Batch) -> Batch:
        """Persist the (good) rows, then their history and events; the rows with ids."""
        if not batch:
            return batch
        records = [row.record for row in batch]
        return self._written(batch, records, persist(self.unit, self.entity, records))

    def _written(self, batch: Batch, records: Sequence[Mapping[str, Any]],
                 ids: Sequence[int]) -> Batch:
        """After persist: the history and events of the rows (whose `records` were
        given `ids`); the rows with their ids."""
        texts = [row.text for row in batch]
        batch = [Row(row.number, row.given, row.record, row.changed, row.errors, None,
                     record_id) for row, record_id in zip(batch, ids)]
        action = "import" if self.historical else "create"
        historical = self.historical
        statement = self.history_sql
        if (statement is not None and len(batch) > 1 and ids[-1] - ids[0] == len(ids) - 1
                and statement.exact(records)):
            outbox.record_created(self.unit, self.entity, statement, action, ids)
            return batch
        if len(batch) > 1 and outbox.encodes(self.unit, self.entity):
            # Many rows, nothing reads their changes: history's JSON text directly (made
            # ahead by `with_texts`, or here).
            encode = self.text
            changes = [outbox.Change(self.entity.name, row.record_id,  # type: ignore[arg-type]
                                     action, {},
                                     text=encode(row.record) if text is None else text,
                                     at=row.record["created_at"] if historical else None)
                       for row, text in zip(batch, texts)]
        else:
            changes = [outbox.Change(self.entity.name, row.record_id,  # type: ignore[arg-type]
                                     action, created_changes(row.record, self.shown),
                                     at=row.record["created_at"] if historical else None)
                       for row in batch]
        outbox.record(self.unit, self.entity, changes)
        return batch


def persist(unit: Unit, entity: CompiledEntity, records: Sequence[Mapping[str, Any]]
            ) -> Sequence[int]:
    """Stage: INSERT the records; their ids. One row: INSERT … RETURNING id. Many: the
    ids are allocated first (on SQLite after the largest, the write lock being held; on
    PostgreSQL from the sequence), then the rows go in with one executemany (SQLite) or
    one COPY (PostgreSQL). A unique constraint the database refuses is a
    ValidationFailed."""
    table = entity.table
    conn = unit.conn
    try:
        if len(records) == 1:
            statement = unit.statements.get(("create", entity.name),
                                            lambda: table.insert().returning(table.c.id))
            return [conn.execute(statement, dict(records[0])).scalar_one()]
        allocated = allocate_ids(conn, table, len(records))
        rows = [{**record, "id": record_id} for record_id, record in zip(allocated, records)]
        names = tuple(rows[0])
        prepared = unit.statements.get(
            ("insert", entity.name, names),
            lambda: Prepared(insert_statement(table, names), conn.dialect, copy_into=table))
        try:
            prepared.many(conn, rows)
        except conn.dialect.loaded_dbapi.IntegrityError as error:
            raise sa.exc.IntegrityError(prepared.sql, None, error) from error
        return allocated
    except sa.exc.IntegrityError as error:
        translated = unique_violation(entity, error, unit.language)
        if translated is None:
            raise
        raise translated from None
