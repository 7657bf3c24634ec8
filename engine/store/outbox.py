"""The pipeline's last stages: after the rows are persisted, the synchronous hooks
(roll-ups and computed fields read through references: `guanxi.store.derived`), then
the history rows and the change events, each written with one executemany per batch,
in the write's own transaction. What the hooks derive on other records is recorded
once per record when the call ends (`derived_changes`), as an `update` by the writer.

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
from typing import Any, NamedTuple

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.identity import User
from guanxi.store import created, derived
from guanxi.store.prepared import Prepared, history_statement, insert_statement
from guanxi.store.records import history_row
from guanxi.store.unit import Unit

# What each history action is called in the events.
KINDS = {"create": "created", "update": "updated", "transition": "transitioned",
         "delete": "deleted", "restore": "restored", "import": "imported",
         "erase": "erased", "merge": "merged", "approval": "approval", "attach": "attached",
         "detach": "detached"}
# The advisory lock that orders event writers on PostgreSQL ("gx_event" as a number).
EVENT_LOCK = 0x67785F6576656E74


class Change(NamedTuple):
    """One record written: what history and the event say about it."""

    entity: str
    record_id: int
    action: str
    changes: Mapping[str, Any]
    transition: str | None = None
    # When it happened, if not the moment of the write (historical imports).
    at: dt.datetime | None = None
    # `changes` already written as JSON text (the new records of an import, when no
    # hook reads them); `changes` is then left empty.
    text: str | None = None


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
        "event", lambda: Prepared(insert_statement(events, names), unit.dialect,
                                  copy_into=events))


def _history(change: Change, user: User, now: dt.datetime) -> dict[str, Any]:
    return history_row(change.entity, change.record_id, user, change.at or now,
                       change.action, change.changes if change.text is None else change.text,
                       transition=change.transition)


def _history_text(unit: Unit) -> Prepared:
    """The INSERT of a history row whose `changes` are given as JSON text."""
    history = unit.app.tables.history

    def build() -> Prepared:
        names = ("entity", "record_id", "at", "user_id", "action", "transition")
        values: dict[str, Any] = {n: sa.bindparam(n, type_=history.c[n].type) for n in names}
        values["changes"] = sa.bindparam("changes", type_=sa.Text())
        # On PostgreSQL, COPY takes the text as the JSON column's value.
        return Prepared(history.insert().values(values), unit.dialect, copy_into=history)

    return unit.statements.get("history_text", build)


def encodes(unit: Unit, entity: CompiledEntity) -> bool:
    """Whether a write of many new records of `entity` may give their history as JSON
    text (`Change.text`): when no hook reads the changes."""
    return entity.name not in unit.app.derived.dependents


def record(unit: Unit, entity: CompiledEntity, changes: Sequence[Change]) -> None:
    """Stages after persist: the hooks, then one history row and one event per change.
    The values the hooks derive on other records are recorded when the call ends
    (`derived_changes`)."""
    if not changes:
        return
    pending = bool(unit.derived)
    for hook in after_persist(entity):
        hook(unit, entity, changes)
    if unit.derived and not pending:
        unit.closing.append(lambda: derived_changes(unit))
    journal(unit, changes)


def record_created(unit: Unit, entity: CompiledEntity, statement: created.HistorySql,
                   action: str, ids: Sequence[int]) -> None:
    """`record` for many new rows of an entity whose changes no hook reads (`encodes`),
    with consecutive `ids`: their history built in SQL from the rows (`created`), then
    their events copied from it, as `journal` does."""
    _with_events(unit, lambda: created.write(unit, statement, action, entity.name, ids[0],
                                             ids[-1]))


def derived_changes(unit: Unit) -> None:
    """Record what the call derived on other records (`derived.noted`): an `update`
    history row and event per record, by the acting user, with no hooks run again (the
    values are already up to date)."""
    for name, found in derived.noted(unit).items():
        journal(unit, [Change(name, record_id, "update", diff) for record_id, diff in found])


def journal(unit: Unit, changes: Sequence[Change]) -> None:
    """One history row and one event per change, one executemany each for many."""
    if not changes:
        return
    conn = unit.conn
    history = [_history(change, unit.user, unit.now) for change in changes]
    if unit.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(EVENT_LOCK)))
    if len(changes) == 1:
        row = history[0]
        history_statement(unit).run(conn, row).close()
        _event_statement(unit).run(conn, {**row, "kind": KINDS[row["action"]]}).close()
        return
    texts = changes[0].text is not None
    statement = _history_text(unit) if texts else history_statement(unit)
    _with_events(unit, lambda: statement.many(conn, history))


def _with_events(unit: Unit, write_history: Callable[[], None]) -> None:
    """Run `write_history` (many history rows), then copy the rows it wrote into the
    events, in SQL, so their changes are encoded once. No other writer appends history
    meanwhile (the SQLite write lock; the advisory lock `journal` takes on PostgreSQL)."""
    conn = unit.conn
    table = unit.app.tables.history
    before = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar()
    write_history()
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
