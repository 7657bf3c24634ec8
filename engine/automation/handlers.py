"""What each kind of job does. A handler takes the Store, the job and the moment, does
its Store calls as the system actor, and returns what it did (for `guanxi worker`'s
output) with the notifications to send when the job completes.

Kinds: `timer` (a fired workflow timer or SLA step: its `when`, then its actions),
`assign` (an assignment rule on a record), `schedule` (a scheduled action on one
record). Other code may add kinds to `HANDLERS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from guanxi.automation import actions, asking, assignment, slas
from guanxi.automation import records as stored
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.spec import ActionSpec
from guanxi.store.facade import Store
from guanxi.store.unit import resolver_of, transaction

Handler = Callable[[Store, Job, dt.datetime], Outcome]


def _record(store: Store, entity: str, record_id: int) -> dict[str, Any] | None:
    with transaction(store.engine, write=False) as conn:
        return stored.load(store.app, conn, entity, record_id)


def _holds(store: Store, entity: str, text: str | None, record: dict[str, Any],
           now: dt.datetime) -> bool:
    with transaction(store.engine, write=False) as conn:
        return stored.holds(store.app, entity, text, record,
                            store.context(store.system, now), resolver_of(store.app, conn))


def run_timer(store: Store, job: Job, now: dt.datetime) -> Outcome:
    payload, outcome = job.payload, Outcome()
    entity, record_id = str(payload["entity"]), int(payload["record_id"])
    record = _record(store, entity, record_id)
    label = f"{payload['source']} {payload['name']} on {entity} {record_id}"
    if record is None:
        outcome.done.append(f"{label}: the record is gone")
        return outcome
    spec = store.app.spec
    todo: tuple[ActionSpec, ...] = ()
    if payload["source"] == asking.SOURCE:
        with transaction(store.engine, write=True) as conn:
            reminded = asking.remind_due(conn, store.app, int(payload["timer"]),
                                         int(payload["name"]), int(payload["step"]), now)
        outcome.done.append(f"{label}: already reminded" if reminded is None
                            else f"{label}: reminded {len(reminded)} approver(s)")
        return outcome
    if payload["source"] == "timer":
        entity_spec = spec.entity(entity)
        workflow = spec.workflow(entity_spec.workflow or "") if entity_spec else None
        timer = next((t for t in workflow.timers if t.name == payload["name"]), None) \
            if workflow else None
        if timer is None or record.get("state") != timer.state:
            outcome.done.append(f"{label}: no longer applies")
            return outcome
        if not _holds(store, entity, timer.when, record, now):
            outcome.done.append(f"{label}: its condition does not hold")
            return outcome
        todo = actions.timer_actions(timer)
    elif payload["source"] == "reminder":
        entity_spec = spec.entity(entity)
        reminder = next((r for r in entity_spec.reminders if r.name == payload["name"]),
                        None) if entity_spec else None
        if reminder is None or not _holds(store, entity, reminder.when, record, now):
            outcome.done.append(f"{label}: no longer applies")
            return outcome
        todo = reminder.actions
    else:
        entity_spec = spec.entity(entity)
        sla = next((s for s in entity_spec.sla if s.name == payload["name"]), None) \
            if entity_spec else None
        if sla is None:
            return outcome
        step = int(payload["step"])
        todo = sla.warn if step == slas.WARN_STEP else sla.breach[step].actions
        if step == 0:
            with transaction(store.engine, write=True) as conn:
                slas.breached(conn, entity, record_id, sla.name, now)
    outcome.done.append(label)
    actions.perform(store, entity, record, todo, now, outcome)
    return outcome


def run_assign(store: Store, job: Job, now: dt.datetime) -> Outcome:
    payload, outcome = job.payload, Outcome()
    rule = next((a for a in store.app.spec.assignments if a.name == payload["rule"]), None)
    entity, record_id = str(payload["entity"]), int(payload["record_id"])
    if rule is None:
        return outcome
    with transaction(store.engine, write=True) as conn:
        user = assignment.next_user(store.app, conn, rule.name, rule.role, rule.method,
                                    entity, rule.field, rule.team)
    if user is None:
        outcome.done.append(f"assign {entity} {record_id}: no active {rule.role}")
        return outcome
    store.update(store.system, entity, record_id, {rule.field: user})
    outcome.done.append(f"assign {entity} {record_id} to user {user} ({rule.name})")
    return outcome


def run_schedule(store: Store, job: Job, now: dt.datetime) -> Outcome:
    payload, outcome = job.payload, Outcome()
    schedule = next((s for s in store.app.spec.schedules if s.name == payload["schedule"]),
                    None)
    entity, record_id = str(payload["entity"]), int(payload["record_id"])
    record = _record(store, entity, record_id)
    if schedule is None or record is None:
        return outcome
    outcome.done.append(f"schedule {schedule.name} on {entity} {record_id}")
    actions.perform(store, entity, record, schedule.actions, now, outcome)
    return outcome


HANDLERS: dict[str, Handler] = {
    "timer": run_timer,
    "assign": run_assign,
    "schedule": run_schedule,
}
