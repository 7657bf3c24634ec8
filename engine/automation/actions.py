"""Doing actions (`do:`) on a record, as the system actor, through the Store.

`notify` collects notifications (written by the caller in the transaction that finishes
the job, so a job that fails leaves none); `fire`, `set`, `create` and `assign` are Store
calls as `store.system`, so every rule, guard and grant holds and history records them.
A refused write raises the Store's error: the job is retried, then parked as failed
with that message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guanxi.automation import assignment, recipients
from guanxi.automation import records as stored
from guanxi.spec import ActionSpec, Text, TimerSpec
from guanxi.store.facade import Store
from guanxi.store.unit import resolver_of, transaction


@dataclass
class Outcome:
    """What a run of actions did: lines for people, and the notifications to send."""

    done: list[str] = field(default_factory=list)
    # (user ids, message, entity, record id)
    notices: list[tuple[list[int], Text, str, int]] = field(default_factory=list)


def timer_actions(timer: TimerSpec) -> tuple[ActionSpec, ...]:
    """A workflow timer's action as an ActionSpec."""
    if timer.action == "fire":
        return (ActionSpec("fire", timer.loc, transition=timer.target),)
    return (ActionSpec("notify", timer.loc, to=(timer.target,), message=timer.message),)


def _values(store: Store, entity: str, pairs: tuple[tuple[str, str], ...],
            record: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    app = store.app
    ctx = store.context(store.system, now)
    with transaction(store.engine, write=False) as conn:
        resolve = resolver_of(app, conn)
        return {name: stored.value(app, entity, text, record, ctx, resolve)
                for name, text in pairs}


def perform(store: Store, entity: str, record: Mapping[str, Any],
            actions: tuple[ActionSpec, ...], now: dt.datetime, outcome: Outcome) -> None:
    """Do `actions` on `record` (its stored row) of `entity`, in order."""
    app, system, record_id = store.app, store.system, int(record["id"])
    for action in actions:
        if action.do == "notify":
            with transaction(store.engine, write=False) as conn:
                users = recipients.recipients(app, conn, entity, record, action.to,
                                              resolver_of(app, conn))
            outcome.notices.append((users, action.message, entity, record_id))
            outcome.done.append(f"notify {', '.join(action.to)}: {len(users)} user(s)")
        elif action.do == "fire" and action.transition:
            store.transition(system, entity, record_id, action.transition)
            outcome.done.append(f"fire {action.transition}")
        elif action.do == "set":
            store.update(system, entity, record_id,
                         _values(store, entity, action.values, record, now))
            outcome.done.append(f"set {', '.join(n for n, _ in action.values)}")
        elif action.do == "create" and action.entity:
            made = store.create(system, action.entity,
                                _values(store, entity, action.values, record, now))
            outcome.done.append(f"create {action.entity} {made.get('id')}")
        elif action.do == "assign" and action.field:
            user = _assignee(store, entity, record, action)
            if user is not None:
                store.update(system, entity, record_id, {action.field: user})
            outcome.done.append(f"assign {action.field}: {user}")


def _assignee(store: Store, entity: str, record: Mapping[str, Any],
              action: ActionSpec) -> int | None:
    app = store.app
    with transaction(store.engine, write=True) as conn:
        if action.round_robin:
            return assignment.next_user(app, conn, f"action:{entity}.{action.field}",
                                        action.round_robin, "round_robin", entity,
                                        action.field or "assignee")
        resolve = resolver_of(app, conn)
        for path in action.to:
            found = recipients.follow(app, entity, record, path, resolve)
            if found is not None:
                return int(found)
    return None
