"""The write pipeline for new records: `create` (a batch of one) and `bulk_insert`
run the same stages (`guanxi.store.stages`) on a batch, then persist the good rows
with one executemany and end in `outbox.record` (hooks, history, events).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import GuanxiError
from guanxi.store import created, outbox, stages
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
        self.shown = created.shown_fields(entity)
        self.text = CreatedText(self.shown)
        # Many new rows whose changes nothing reads, on SQLite: history built in SQL.
        self.history_sql = created.compile_history(
            entity, self.shown, unit.dialect, historical=historical
        ) if outbox.encodes(unit, entity) else None

    def check(self, batch: Batch) -> Batch:
        """Every stage before persist, in order."""
        unit, entity = self.unit, self.entity
        batch = stages.names(unit, entity, batch, self.writable, self.names, self.allow)
        batch = stages.coercion(unit, entity, batch, self.allow)
        batch = stages.new_records(unit, entity, batch, self.state)
        if self.historical:
            batch = stages.historical(unit, entity, batch)
        batch = stages.computed(unit, entity, batch)
        batch = stages.validation(unit, entity, batch)
        batch = stages.database(unit, entity, batch, creating=True, seen=self.seen)
        return stages.create_rights(unit, entity, batch)

    def skip(self, batch: Batch) -> None:
        """A checked batch that is not written (an all-or-nothing import after a bad
        row): its unique values are remembered for the batches after it."""
        remember(self.entity, batch, self.seen)

    def write(self, batch: Batch) -> Batch:
        """Persist the (good) rows, then their history and events; the rows with ids."""
        if not batch:
            return batch
        records = [row.record for row in batch]
        ids = persist(self.unit, self.entity, records)
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
            # Many rows, nothing reads their changes: history's JSON text directly.
            encode = self.text
            changes = [outbox.Change(self.entity.name, row.record_id,  # type: ignore[arg-type]
                                     action, {}, text=encode(row.record),
                                     at=row.record["created_at"] if historical else None)
                       for row in batch]
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
