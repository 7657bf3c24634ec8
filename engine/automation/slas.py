"""SLA clocks (`gx_sla_clock`): per record and policy, business time against a target.

A policy (`sla:` in an entity, `guanxi.spec.SlaSpec`) starts a clock on a record at
the write after which its `when` holds (for most records, their creation); the target
comes from the record's `by` field (priority by default); time counts in the policy's
calendar; while `pause_when` holds the clock stands still
(the business time used so far is kept); once `stop_when` holds (or `when` no longer
does) it stops for good. Each change of the record (its change event) updates the
clock; the warning (`warn_at`, a share of the target) and each breach step are armed
as timers (`guanxi.automation.timers`, source "sla", step -1 for the warning) and
re-armed when the clock pauses, resumes or gets a new target (a changed priority). A
step that has fired once for a clock never fires again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.automation import timers
from guanxi.automation.tables import TABLES
from guanxi.spec import ProjectSpec, SlaSpec

CLOCKS = TABLES.slas
WARN_STEP = -1


@dataclass(frozen=True, slots=True)
class ClockView:
    """A clock as shown on a record's page and in the API."""

    name: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    target_seconds: int
    left_seconds: int
    paused: bool
    stopped: bool
    breached: bool

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "started_at": self.started_at.isoformat(),
                "due_at": self.due_at.isoformat() if self.due_at else None,
                "target_seconds": self.target_seconds,
                "business_seconds_left": self.left_seconds, "paused": self.paused,
                "stopped": self.stopped, "breached": self.breached}


def _key(entity: str, record_id: int, name: str) -> Any:
    return sa.and_(CLOCKS.c.entity == entity, CLOCKS.c.record_id == record_id,
                   CLOCKS.c.name == name)


def _arm(conn: sa.Connection, spec: ProjectSpec, sla: SlaSpec, entity: str,
         record_id: int, clock: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """(Re-)arm the clock's warning and breach steps from its running start."""
    timers.cancel(conn, entity, record_id, "sla", sla.name)
    since = clock["running_since"]
    calendar = timers.calendar_of(spec, sla.calendar)
    left = max(clock["target_seconds"] - clock["used_seconds"], 0)
    due = calendar.add(since, left)
    warn = None
    fired = timers.fired_steps(conn, entity, record_id, "sla", sla.name, clock["started_at"])
    if sla.warn_at is not None and sla.warn:
        warn_left = int(clock["target_seconds"] * sla.warn_at) - clock["used_seconds"]
        if warn_left > 0:
            warn = calendar.add(since, warn_left)
            if WARN_STEP not in fired:
                timers.arm(conn, entity, record_id, "sla", sla.name, WARN_STEP, warn, at)
    for index, step in enumerate(sla.breach):
        if index not in fired:
            timers.arm(conn, entity, record_id, "sla", sla.name, index,
                       calendar.add(due, step.after_seconds), at)
    return {"due_at": due, "warn_at": warn}


def track(conn: sa.Connection, spec: ProjectSpec, sla: SlaSpec, entity: str,
          record: dict[str, Any], at: dt.datetime, applies: bool, paused: bool,
          stopped: bool) -> str | None:
    """Update the record's clock for `sla` after a change at `at`; what happened."""
    record_id = int(record["id"])
    row = conn.execute(sa.select(CLOCKS).where(_key(entity, record_id, sla.name))
                       ).mappings().first()
    target = sla.target_for(record.get(sla.by))
    if row is None:
        if not applies or stopped or target is None:
            return None
        start = at  # the write after which `when` holds (for a new record: its creation)
        clock: dict[str, Any] = {"entity": entity, "record_id": record_id, "name": sla.name,
                 "started_at": start, "target_seconds": target, "used_seconds": 0,
                 "running_since": None if paused else start,
                 "paused_at": at if paused else None}
        if not paused:
            clock.update(_arm(conn, spec, sla, entity, record_id, clock, at))
        conn.execute(CLOCKS.insert().values(**clock))
        return "started"
    clock = dict(row)
    if clock["stopped_at"] is not None:
        return None
    calendar = timers.calendar_of(spec, sla.calendar)
    changes: dict[str, Any] = {}
    if stopped or not applies:
        if clock["running_since"] is not None:
            changes["used_seconds"] = clock["used_seconds"] + calendar.elapsed(
                clock["running_since"], at)
        changes.update(stopped_at=at, running_since=None)
        timers.cancel(conn, entity, record_id, "sla", sla.name)
        what = "stopped"
    elif paused and clock["running_since"] is not None:
        changes.update(used_seconds=clock["used_seconds"] + calendar.elapsed(
            clock["running_since"], at), running_since=None, paused_at=at)
        timers.cancel(conn, entity, record_id, "sla", sla.name)
        what = "paused"
    elif not paused and (clock["running_since"] is None
                         or (target is not None and target != clock["target_seconds"])):
        if clock["running_since"] is None:
            clock.update(running_since=at, paused_at=None)
            what = "resumed"
        else:
            what = "re-targeted"
        if target is not None:
            clock["target_seconds"] = target
        changes.update(running_since=clock["running_since"], paused_at=clock["paused_at"],
                       target_seconds=clock["target_seconds"],
                       **_arm(conn, spec, sla, entity, record_id, clock, at))
    else:
        return None
    conn.execute(CLOCKS.update().where(_key(entity, record_id, sla.name)).values(**changes))
    return what


def breached(conn: sa.Connection, entity: str, record_id: int, name: str,
             now: dt.datetime) -> None:
    conn.execute(CLOCKS.update().where(_key(entity, record_id, name),
                                       CLOCKS.c.breached_at.is_(None))
                 .values(breached_at=now))


def clocks(engine: sa.Engine, spec: ProjectSpec, entity: str, record_id: int,
           now: dt.datetime) -> list[ClockView]:
    """The record's clocks as of `now`."""
    entity_spec = spec.entity(entity)
    policies = {sla.name: sla for sla in entity_spec.sla} if entity_spec else {}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(CLOCKS).where(
            CLOCKS.c.entity == entity, CLOCKS.c.record_id == record_id)
            .order_by(CLOCKS.c.name)).mappings().all()
    out = []
    for row in rows:
        sla = policies.get(row["name"])
        calendar = timers.calendar_of(spec, sla.calendar if sla else None)
        used = row["used_seconds"]
        if row["running_since"] is not None:
            used += calendar.elapsed(row["running_since"], now)
        left = row["target_seconds"] - used
        out.append(ClockView(
            name=row["name"], started_at=row["started_at"], due_at=row["due_at"],
            target_seconds=row["target_seconds"], left_seconds=left,
            paused=row["paused_at"] is not None and row["stopped_at"] is None,
            stopped=row["stopped_at"] is not None,
            breached=left < 0 or row["breached_at"] is not None))
    return out


@dataclass(frozen=True, slots=True)
class Due:
    """A running clock, for the "breaching soon" list."""

    entity: str
    record_id: int
    name: str
    due_at: dt.datetime


def breaching(engine: sa.Engine, *, entity: str | None = None,
              limit: int = 200) -> list[Due]:
    """The running clocks (neither paused nor stopped), soonest due first (already
    breached ones first of all)."""
    query = (sa.select(CLOCKS.c.entity, CLOCKS.c.record_id, CLOCKS.c.name, CLOCKS.c.due_at)
             .where(CLOCKS.c.stopped_at.is_(None), CLOCKS.c.running_since.is_not(None),
                    CLOCKS.c.due_at.is_not(None))
             .order_by(CLOCKS.c.due_at, CLOCKS.c.entity, CLOCKS.c.record_id).limit(limit))
    if entity is not None:
        query = query.where(CLOCKS.c.entity == entity)
    with engine.connect() as conn:
        return [Due(str(row.entity), int(row.record_id), str(row.name), row.due_at)
                for row in conn.execute(query)]
