"""Import batches: every import run is a batch with an id (`gx_import`), and every record
it created or changed is journaled under it (`gx_import_row`, with the changes as
history records them), so `guanxi import undo BATCH` can revert it.

The two tables are the data layer's own: they are created, when missing, by the first
import into a database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from guanxi.errors import NotFound
from guanxi.fields.registry import UTCDateTime
from guanxi.identity import User
from guanxi.store.prepared import Prepared, insert_statement
from guanxi.store.records import user_id_of
from guanxi.store.unit import Unit
from sqlalchemy.dialects import postgresql

METADATA = sa.MetaData()
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

IMPORTS = sa.Table(
    "gx_import", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("file", sa.String(500), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    # running, done, failed, undone
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created", sa.Integer, nullable=False, default=0),
    sa.Column("updated", sa.Integer, nullable=False, default=0),
    sa.Column("unchanged", sa.Integer, nullable=False, default=0),
    sa.Column("failed", sa.Integer, nullable=False, default=0),
)

ROWS = sa.Table(
    "gx_import_row", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("gx_import.id"), nullable=False,
              index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    # create or update
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("changes", _JSON, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Batch:
    """One import run as journaled."""

    id: int
    entity: str
    file: str
    mode: str
    status: str
    started_at: dt.datetime
    created: int
    updated: int
    unchanged: int
    failed: int
    user_id: int | None = None


class Journaled(NamedTuple):
    """One record a batch created or changed."""

    number: int
    entity: str
    record_id: int
    action: str
    changes: Mapping[str, Any]


def ensure_tables(engine: sa.Engine) -> None:
    """Create the batch tables if the database lacks them."""
    METADATA.create_all(engine, checkfirst=True)


def start(engine: sa.Engine, user: User, entity: str, file: str, mode: str,
          now: dt.datetime, status: str = "running") -> int:
    """A new batch, running (or `queued`, to be run by a job); its id."""
    ensure_tables(engine)
    with engine.begin() as conn:
        return int(conn.execute(IMPORTS.insert().returning(IMPORTS.c.id), {
            "entity": entity, "file": file[-500:], "mode": mode,
            "user_id": user_id_of(user), "started_at": now, "status": status,
            "created": 0, "updated": 0, "unchanged": 0, "failed": 0}).scalar_one())


def begin(engine: sa.Engine, batch: int, now: dt.datetime) -> bool:
    """Move a queued batch to running; False when it is not queued (another run took
    it, or it ended)."""
    with engine.begin() as conn:
        moved = conn.execute(IMPORTS.update().where(
            IMPORTS.c.id == batch, IMPORTS.c.status == "queued").values(
            status="running", started_at=now))
    return bool(moved.rowcount)


def finish(engine: sa.Engine, batch: int, status: str, now: dt.datetime,
           counts: Mapping[str, int]) -> None:
    """Record how a batch ended."""
    with engine.begin() as conn:
        conn.execute(IMPORTS.update().where(IMPORTS.c.id == batch).values(
            status=status, finished_at=now, **counts))


_JOURNAL_SQLITE = ("INSERT INTO gx_import_row (import_id, number, entity, record_id, action,"
                   " changes) VALUES (?, ?, ?, ?, ?, ?)")


def journal(unit: Unit, batch: int, rows: Sequence[Journaled]) -> None:
    """Journal records a batch created or changed, in the write's transaction (on SQLite
    through the driver at once: a created record's changes are always empty; on
    PostgreSQL with COPY)."""
    conn = unit.conn
    if rows and conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_JOURNAL_SQLITE, [
            (batch, r.number, r.entity, r.record_id, r.action,
             json.dumps(dict(r.changes)) if r.changes else "{}") for r in rows])
    elif rows:
        statement = unit.statements.get("import_journal", lambda: Prepared(
            insert_statement(ROWS, _JOURNAL_COLUMNS), unit.dialect, copy_into=ROWS))
        statement.many(conn, [{
            "import_id": batch, "number": r.number, "entity": r.entity,
            "record_id": r.record_id, "action": r.action, "changes": dict(r.changes)}
            for r in rows])


_JOURNAL_COLUMNS = ("import_id", "number", "entity", "record_id", "action", "changes")
# The created records of one write, numbered consecutively from the first id: their row
# numbers in one JSON array, so the journal takes one statement and no row per record
# goes through the driver.
_JOURNAL_CREATED_SQLITE = (
    "INSERT INTO gx_import_row (import_id, number, entity, record_id, action, changes)"
    " SELECT ?, value, ?, ? + key, 'create', '{}' FROM json_each(?) ORDER BY key")


def journal_created(unit: Unit, batch: int, entity: str, numbers: Sequence[int],
                    ids: Sequence[int]) -> None:
    """Journal the records a batch created (row `numbers[i]` gave record `ids[i]`), in the
    write's transaction: as `journal` does, in one statement on SQLite when the ids are
    consecutive."""
    if not ids:
        return
    if (unit.dialect.name == "sqlite"
            and list(ids) == list(range(ids[0], ids[0] + len(ids)))):
        unit.conn.exec_driver_sql(_JOURNAL_CREATED_SQLITE,
                                  (batch, entity, ids[0], json.dumps(list(numbers))))
        return
    journal(unit, batch, [Journaled(number, entity, record_id, "create", {})
                          for number, record_id in zip(numbers, ids, strict=True)])


def get(engine: sa.Engine, batch: int) -> Batch:
    """The batch `batch`; NotFound when there is none."""
    ensure_tables(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(IMPORTS).where(IMPORTS.c.id == batch)).mappings().first()
    if row is None:
        raise NotFound("import", batch)
    return _batch(row)


def _batch(row: sa.RowMapping) -> Batch:
    return Batch(row["id"], row["entity"], row["file"], row["mode"], row["status"],
                 row["started_at"], row["created"], row["updated"], row["unchanged"],
                 row["failed"], row["user_id"])


def listing(engine: sa.Engine, limit: int = 50) -> list[Batch]:
    """The latest batches, newest first."""
    ensure_tables(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(IMPORTS).order_by(IMPORTS.c.id.desc()).limit(limit)
                            ).mappings().all()
    return [_batch(r) for r in rows]


def journaled(engine: sa.Engine, batch: int) -> list[Journaled]:
    """What a batch created or changed, last first (the order to revert it in)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(ROWS).where(ROWS.c.import_id == batch)
                            .order_by(ROWS.c.id.desc())).mappings().all()
    return [Journaled(r["number"], r["entity"], r["record_id"], r["action"], r["changes"])
            for r in rows]
