"""The pipeline's last stages: after the rows are persisted, the synchronous hooks
(roll-ups and computed fields read through references: `guanxi.store.derived`), then
the history rows and the change events, each written with one executemany per batch,
in the write's own transaction.

Every write path (create, bulk insert, import, update, transition, delete, restore)
ends here, so history and events are written from one place and a committed write
always has both.

Event order: consumers read `gx_event` by id (see `guanxi.store.events`), so ids must
become visible in order. SQLite has one writer at a time. On PostgreSQL ids come from
a sequence in concurrent transactions, which may commit out of order; each writer
therefore takes a transaction-level advisory lock just before appending its events,
held until it commits, so the events of one transaction are appended and committed
before the next one's get their ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.identity import User
from guanxi.store import derived
from guanxi.store.prepared import Prepared, history_statement, insert_statement
from guanxi.store.records import history_row
from guanxi.store.unit import Unit

# What each history action is called in the events.
KINDS = {"create": "created", "update": "updated", "transition": "transitioned",
         "delete": "deleted", "restore": "restored", "import": "imported",
         "erase": "erased", "merge": "merged", "attach": "attached", "detach": "detached"}
# The advisory lock that orders event writers on PostgreSQL ("gx_event" as a number).
EVENT_LOCK = 0x67785F6576656E74


@dataclass(frozen=True, slots=True)
class Change:
    """One record written: what history and the event say about it."""

    entity: str
    record_id: int
    action: str
    changes: Mapping[str, Any]
    transition: str | None = None
    # When it happened, if not the moment of the write (historical imports).
    at: dt.datetime | None = None


# A synchronous stage run after persist, before history, in the same transaction.
Hook = Callable[[Unit, CompiledEntity, Sequence[Change]], None]


def after_persist(entity: CompiledEntity) -> tuple[Hook, ...]:
    """The synchronous stages run after `entity`'s rows are persisted: the values
    derived from them on other records (roll-ups, computed fields read through a
    reference; `guanxi.store.derived`), in the write's transaction."""
    del entity
    return (derived.maintain,)


def _event_statement(unit: Unit) -> Prepared:
    events = unit.app.tables.events
    names = ("entity", "record_id", "kind", "transition", "changes", "user_id", "at")
    return unit.statements.get(
        "event", lambda: Prepared(insert_statement(events, names), unit.dialect))


def _history(change: Change, user: User, now: dt.datetime) -> dict[str, Any]:
    return history_row(change.entity, change.record_id, user, change.at or now,
                       change.action, change.changes, transition=change.transition)


def record(unit: Unit, entity: CompiledEntity, changes: Sequence[Change]) -> None:
    """Stages after persist: the hooks, then one history row and one event per change."""
    if not changes:
        return
    for hook in after_persist(entity):
        hook(unit, entity, changes)
    conn = unit.conn
    history = [_history(change, unit.user, unit.now) for change in changes]
    if unit.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(EVENT_LOCK)))
    if len(changes) == 1:
        row = history[0]
        history_statement(unit).run(conn, row).close()
        _event_statement(unit).run(conn, {**row, "kind": KINDS[row["action"]]}).close()
        return
    # Many: the events are copied from the history rows just written, in SQL, so
    # their changes are encoded once. No other writer appends history meanwhile (the
    # SQLite write lock; the advisory lock above on PostgreSQL).
    table = unit.app.tables.history
    before = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar()
    history_statement(unit).many(conn, history)
    conn.execute(_copy_events(unit), {"gx_after": before})


def _copy_events(unit: Unit) -> Any:
    """INSERT INTO gx_event … SELECT … FROM gx_history WHERE id > :gx_after."""
    history, events = unit.app.tables.history, unit.app.tables.events

    def build() -> Any:
        kind = sa.case(*((history.c.action == action, sa.literal(kind))
                         for action, kind in KINDS.items()), else_=history.c.action)
        source = sa.select(history.c.entity, history.c.record_id, kind, history.c.transition,
                           history.c.changes, history.c.user_id, history.c.at).where(
            history.c.id > sa.bindparam("gx_after")).order_by(history.c.id)
        return events.insert().from_select(
            ["entity", "record_id", "kind", "transition", "changes", "user_id", "at"],
            source)

    return unit.statements.get("copy_events", build)
