"""Armed timers (`gx_timer`): one row per timer waiting on a record.

A workflow timer is armed when its record enters the timer's state (the moment of the
write that put it there, from the change event), due `after` later (in business hours
with `calendar:`), and cancelled when the record leaves the state or is deleted. SLA
clocks arm their warning and breach steps here too (`guanxi.automation.slas`).

`sweep` takes the pending timers due at a moment, marks them fired and enqueues one job
per timer (key `timer:<id>`) in the same transaction, so a timer fires once whatever
the clock does afterwards: a moment in the past finds nothing pending that is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.automation.calendar import BusinessCalendar
from guanxi.automation.tables import TABLES
from guanxi.spec import ProjectSpec, TimerSpec
from guanxi.store.unit import transaction

TIMERS = TABLES.timers
TIMER_JOB = "timer"


def calendar_of(spec: ProjectSpec, name: str | None) -> BusinessCalendar:
    return BusinessCalendar(spec.calendar(name) if name else None)


def arm(conn: sa.Connection, entity: str, record_id: int, source: str, name: str,
        step: int, due_at: dt.datetime, now: dt.datetime) -> None:
    conn.execute(TIMERS.insert().values(
        entity=entity, record_id=record_id, source=source, name=name, step=step,
        due_at=due_at, state="pending", armed_at=now))


def cancel(conn: sa.Connection, entity: str, record_id: int, source: str | None = None,
           name: str | None = None) -> int:
    """Cancel a record's pending timers (of one source and name, when given)."""
    condition = [TIMERS.c.entity == entity, TIMERS.c.record_id == record_id,
                 TIMERS.c.state == "pending"]
    if source is not None:
        condition.append(TIMERS.c.source == source)
    if name is not None:
        condition.append(TIMERS.c.name == name)
    return int(conn.execute(TIMERS.update().where(*condition)
                            .values(state="cancelled")).rowcount)


def fired_steps(conn: sa.Connection, entity: str, record_id: int, source: str,
                name: str, since: dt.datetime) -> set[int]:
    """The steps of a record's timer already fired, armed at or after `since`."""
    rows = conn.execute(sa.select(TIMERS.c.step).where(
        TIMERS.c.entity == entity, TIMERS.c.record_id == record_id,
        TIMERS.c.source == source, TIMERS.c.name == name, TIMERS.c.state == "fired",
        TIMERS.c.armed_at >= since))
    return {int(step) for step in rows.scalars()}


def enter_state(conn: sa.Connection, spec: ProjectSpec, entity: str, record_id: int,
                state: str | None, timers: Sequence[TimerSpec], at: dt.datetime) -> None:
    """The record entered `state` at `at`: cancel its workflow timers, arm the state's."""
    cancel(conn, entity, record_id, "timer")
    for timer in timers:
        if timer.state == state:
            due = calendar_of(spec, timer.calendar).add(at, timer.after_seconds)
            arm(conn, entity, record_id, "timer", timer.name, 0, due, at)


def sweep(engine: sa.Engine, now: dt.datetime, *, limit: int = 1000) -> int:
    """Fire the pending timers due at `now` (at most `limit`): each marked fired and
    given its job, in one transaction. Returns how many fired."""
    with engine.connect() as conn:  # a read first: an idle pass takes no write lock
        if conn.execute(sa.select(TIMERS.c.id).where(
                TIMERS.c.state == "pending", TIMERS.c.due_at <= now).limit(1)).first() is None:
            return 0
    chosen = (sa.select(TIMERS.c.id, TIMERS.c.entity, TIMERS.c.record_id, TIMERS.c.source,
                        TIMERS.c.name, TIMERS.c.step)
              .where(TIMERS.c.state == "pending", TIMERS.c.due_at <= now)
              .order_by(TIMERS.c.due_at, TIMERS.c.id).limit(limit)
              .with_for_update(skip_locked=True))
    with transaction(engine, write=True) as conn:
        rows = conn.execute(chosen).all()
        if not rows:
            return 0
        ids = [row.id for row in rows]
        conn.execute(TIMERS.update().where(TIMERS.c.id.in_(ids))
                     .values(state="fired", fired_at=now))
        jobs.enqueue_many(conn, [_job(row._mapping) for row in rows], now=now)
    return len(rows)


def _job(row: Any) -> dict[str, Any]:
    return {"kind": TIMER_JOB, "key": f"timer:{row['id']}",
            "payload": {"timer": int(row["id"]), "entity": row["entity"],
                        "record_id": int(row["record_id"]), "source": row["source"],
                        "name": row["name"], "step": int(row["step"])}}


def pending(engine: sa.Engine, entity: str, record_id: int) -> list[dict[str, Any]]:
    """A record's pending timers, soonest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(TIMERS).where(
            TIMERS.c.entity == entity, TIMERS.c.record_id == record_id,
            TIMERS.c.state == "pending").order_by(TIMERS.c.due_at)).mappings().all()
    return [dict(row) for row in rows]
