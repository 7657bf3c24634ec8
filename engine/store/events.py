"""Reading the change events: each named consumer takes the events in order, exactly
once, from any number of processes.

Every committed write appended its events to `gx_event` in its own transaction (see
`guanxi.store.outbox`). A consumer claims the next events after its cursor
(`gx_event_cursor`) inside a transaction that holds the cursor row locked (PostgreSQL:
`SELECT … FOR UPDATE`; SQLite: the write lock taken at BEGIN); the cursor moves past
them when the block ends without an error, in the same transaction. So two processes
of one consumer never take the same events, and events a failing block took are
claimed again. Work done in the block should be idempotent or committed with it.

Events carry every changed value, hidden fields included: consumers act as the
system, and whoever reads events (or the table) must be trusted with every field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.compile.tables import define_event_tables
from guanxi.store.unit import transaction
from sqlalchemy.dialects import postgresql, sqlite

_EVENTS, _CURSORS = define_event_tables(sa.MetaData())


@dataclass(frozen=True, slots=True)
class Event:
    """One record written: `kind` is created, updated, transitioned, deleted, restored
    or imported; `changes` maps each changed field to [old, new] (JSON values);
    `user_id` is who wrote it (None: the engine itself)."""

    id: int
    entity: str
    record_id: int
    kind: str
    transition: str | None
    changes: dict[str, Any]
    user_id: int | None
    at: dt.datetime


def _start(conn: sa.Connection, consumer: str) -> int:
    """The consumer's cursor, its row created at 0 the first time, locked."""
    insert = (postgresql.insert(_CURSORS) if conn.dialect.name == "postgresql"
              else sqlite.insert(_CURSORS))
    conn.execute(insert.values(consumer=consumer, position=0).on_conflict_do_nothing())
    query = sa.select(_CURSORS.c.position).where(_CURSORS.c.consumer == consumer)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


@contextmanager
def claim(engine: sa.Engine, consumer: str, limit: int = 100) -> Iterator[list[Event]]:
    """The next (at most `limit`) events for `consumer`, oldest first; they count as
    delivered when the block ends without an error, and are claimed again otherwise.
    Other processes claiming for the same consumer wait until the block ends."""
    with claim_in(engine, consumer, limit) as (_, events):
        yield events


@contextmanager
def claim_in(engine: sa.Engine, consumer: str,
             limit: int = 100) -> Iterator[tuple[sa.Connection, list[Event]]]:
    """`claim`, with the transaction's connection: what the block writes there commits
    together with the cursor's move (exactly once per event)."""
    with transaction(engine, write=True) as conn:
        position = _start(conn, consumer)
        rows = conn.execute(sa.select(_EVENTS).where(_EVENTS.c.id > position)
                            .order_by(_EVENTS.c.id).limit(limit)).mappings().all()
        events = [Event(**row) for row in rows]
        yield conn, events
        if events:
            conn.execute(_CURSORS.update().where(_CURSORS.c.consumer == consumer)
                         .values(position=events[-1].id))


def move_to(conn: sa.Connection, consumer: str, event_id: int) -> None:
    """Set `consumer`'s cursor to `event_id` in `conn`'s transaction (locking its row),
    for a consumer that rebuilt what it keeps from the records themselves."""
    _start(conn, consumer)
    conn.execute(_CURSORS.update().where(_CURSORS.c.consumer == consumer)
                 .values(position=event_id))


def started(engine: sa.Engine, consumer: str) -> bool:
    """Whether `consumer` has a cursor yet (it took events, or was moved)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(_CURSORS.c.position)
                            .where(_CURSORS.c.consumer == consumer)).first() is not None


def last_id(conn: sa.Connection) -> int:
    """The id of the newest change event (0 if none)."""
    return int(conn.execute(sa.select(sa.func.max(_EVENTS.c.id))).scalar() or 0)


def pending(engine: sa.Engine, consumer: str) -> bool:
    """Whether events exist past `consumer`'s cursor (a read, without locking: to skip
    a claim when there is nothing to take)."""
    with engine.connect() as conn:
        cursor = sa.select(_CURSORS.c.position).where(_CURSORS.c.consumer == consumer)
        found = conn.execute(sa.select(_EVENTS.c.id).where(
            _EVENTS.c.id > sa.func.coalesce(cursor.scalar_subquery(), 0)).limit(1)).first()
    return found is not None


def position(engine: sa.Engine, consumer: str) -> int:
    """The id of the last event `consumer` has taken (0 if none)."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(_CURSORS.c.position)
                             .where(_CURSORS.c.consumer == consumer)).scalar()
    return int(found or 0)
