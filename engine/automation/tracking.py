"""Following the writes: the change events (`guanxi.store.events`, consumer
"automation") arm and cancel timers, move SLA clocks and enqueue assignments, in the
transaction that moves the consumer's cursor — so each event is acted on exactly once,
by whichever worker takes it.

The moment a record entered its state is the moment of the event that put it there
(`at`: the write's own time, or a historical import's), so timers count from the
write, not from when a worker saw it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from guanxi.automation import jobs, slas, timers
from guanxi.automation import records as stored
from guanxi.compile.app import App
from guanxi.expr import Context
from guanxi.spec import AssignmentSpec, ReminderSpec, SlaSpec, TimerSpec
from guanxi.store.events import Event, claim_in, pending
from guanxi.store.unit import resolver_of

CONSUMER = "automation"
ASSIGN_JOB = "assign"
STATE_KINDS = ("created", "imported", "restored", "transitioned")


@dataclass(frozen=True, slots=True)
class EntityPlan:
    """What automation watches on one entity."""

    timers: tuple[TimerSpec, ...] = ()
    slas: tuple[SlaSpec, ...] = ()
    assignments: tuple[AssignmentSpec, ...] = ()
    reminders: tuple[ReminderSpec, ...] = ()


@dataclass
class Plan:
    entities: dict[str, EntityPlan] = field(default_factory=dict)


_PLANS: dict[int, tuple[App, Plan]] = {}


def plan_of(app: App) -> Plan:
    """What automation watches in `app`, built once per app."""
    cached = _PLANS.get(id(app))
    if cached is not None and cached[0] is app:
        return cached[1]
    spec = app.spec
    plan = Plan()
    for entity in spec.entities:
        workflow = spec.workflow(entity.workflow) if entity.workflow else None
        rules = tuple(a for a in spec.assignments if a.entity == entity.name)
        found = EntityPlan(workflow.timers if workflow else (), entity.sla, rules,
                           entity.reminders)
        if found.timers or found.slas or found.assignments or found.reminders:
            plan.entities[entity.name] = found
    _PLANS[id(app)] = (app, plan)
    return plan


def _state_of(event: Event, record: dict[str, Any] | None) -> str | None:
    change = event.changes.get("state")
    if isinstance(change, list) and len(change) == 2:
        return str(change[1])
    return None if record is None else record.get("state")


def _assignments(conn: sa.Connection, app: App, event: Event, found: EntityPlan,
                 record: dict[str, Any], ctx: Context, now: dt.datetime) -> int:
    queued = 0
    resolve = resolver_of(app, conn)
    for rule in found.assignments:
        on_create = event.kind in ("created", "imported") and "create" in rule.on
        on_transition = event.kind == "transitioned" and event.transition in rule.on
        if not (on_create or on_transition):
            continue
        if on_create and record.get(rule.field) is not None:
            continue
        if not stored.holds(app, event.entity, rule.when, record, ctx, resolve):
            continue
        jobs.enqueue(conn, ASSIGN_JOB, {"rule": rule.name, "entity": event.entity,
                                        "record_id": event.record_id},
                     now=now, key=f"assign:{rule.name}:{event.id}")
        queued += 1
    return queued


def _slas(conn: sa.Connection, app: App, event: Event, found: EntityPlan,
          record: dict[str, Any], ctx: Context) -> list[str]:
    resolve = resolver_of(app, conn)
    done = []
    for sla in found.slas:
        def holds(text: str | None, default: bool, sla: SlaSpec = sla) -> bool:
            if text is None:
                return default
            return stored.holds(app, event.entity, text, record, ctx, resolve)
        what = slas.track(conn, app.spec, sla, event.entity, record, event.at,
                          applies=holds(sla.when, True), paused=holds(sla.pause_when, False),
                          stopped=holds(sla.stop_when, False))
        if what:
            done.append(f"sla {sla.name} {what} on {event.entity} {event.record_id}")
    return done


def moment_of(value: Any, time_zone: str) -> dt.datetime | None:
    """A date or datetime field's value as a UTC moment (a date: its midnight in the
    project's time zone)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day,
                           tzinfo=ZoneInfo(time_zone)).astimezone(dt.UTC)
    return None


def _remind(conn: sa.Connection, app: App, event: Event, reminder: ReminderSpec,
            record: dict[str, Any]) -> bool:
    """(Re-)arm a reminder for the record's current value of its field."""
    timers.cancel(conn, event.entity, event.record_id, "reminder", reminder.name)
    moment = moment_of(record.get(reminder.field), app.spec.time_zone)
    if moment is None or moment <= event.at:
        return False
    due = moment - dt.timedelta(seconds=reminder.before_seconds)
    timers.arm(conn, event.entity, event.record_id, "reminder", reminder.name, 0, due,
               event.at)
    return True


def _handle(conn: sa.Connection, app: App, event: Event, ctx: Context,
            now: dt.datetime) -> list[str]:
    found = plan_of(app).entities.get(event.entity)
    if found is None:
        return []
    if event.kind == "deleted":
        timers.cancel(conn, event.entity, event.record_id)
        return [f"cancel timers of {event.entity} {event.record_id}"]
    record = stored.load(app, conn, event.entity, event.record_id)
    if record is None:
        return []
    done: list[str] = []
    if found.timers and (event.kind in STATE_KINDS or "state" in event.changes):
        timers.enter_state(conn, app.spec, event.entity, event.record_id,
                           _state_of(event, record), found.timers, event.at)
    if found.slas:
        done.extend(_slas(conn, app, event, found, record, ctx))
    for reminder in found.reminders:
        moved = event.kind in ("created", "imported", "restored") or \
            reminder.field in event.changes
        if moved and _remind(conn, app, event, reminder, record):
            done.append(f"reminder {reminder.name} on {event.entity} {event.record_id}")
    if found.assignments and _assignments(conn, app, event, found, record, ctx, now):
        done.append(f"assign {event.entity} {event.record_id}")
    return done


def follow(engine: sa.Engine, app: App, ctx: Context, now: dt.datetime, *,
           batch: int = 500) -> tuple[int, list[str]]:
    """Take every change event not yet followed; (how many, what was done)."""
    seen = 0
    done: list[str] = []
    if not pending(engine, CONSUMER):
        return seen, done
    while True:
        with claim_in(engine, CONSUMER, batch) as (conn, events):
            for event in events:
                done.extend(_handle(conn, app, event, ctx, now))
        seen += len(events)
        if len(events) < batch:
            return seen, done
