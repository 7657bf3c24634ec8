"""My tasks: the open activities of a user, overdue, due today and upcoming.

An entity holds tasks when it has a `due` field (a date or a date and time) and a `done`
field (yes/no), as the activity of the examples does. A user's tasks are the records of
those entities she owns and may read that are not done. "Today" is the project's
`time_zone` day. Completing a task sets `done` through the Store (`Store.update`), so the
entity's access rules, validation, history and change events apply as to any edit.
Reminders before a task is due come from the entity's `reminders:` (automation timers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guanxi.errors import RequestInvalid
from guanxi.expr.functions import zone_info
from guanxi.identity import User
from guanxi.messages import render
from guanxi.spec import EntitySpec, ProjectSpec
from guanxi.store.facade import Store
from guanxi.store.records import Record

DUE, DONE = "due", "done"
MAX_TASKS = 500


@dataclass(frozen=True, slots=True)
class Task:
    entity: str
    record: Record

    @property
    def record_id(self) -> int:
        return int(self.record["id"])


@dataclass(slots=True)
class Tasks:
    """A user's open tasks, each list soonest first; `upcoming` ends with the undated."""

    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def task_entities(spec: ProjectSpec) -> list[EntitySpec]:
    """The entities whose records are tasks (a date `due` and a yes/no `done`)."""
    found = []
    for entity in spec.entities:
        due, done = entity.field(DUE), entity.field(DONE)
        if due is not None and due.type in ("date", "datetime") and done is not None \
                and done.type == "boolean":
            found.append(entity)
    return found


def local_day(value: Any, zone: str) -> dt.date | None:
    """The project-zone day of a `due` value (a date, or an aware or UTC datetime)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone_info(zone)).date()
    if isinstance(value, dt.date):
        return value
    return None


def _sort_key(task: Task) -> tuple[int, str, int]:
    due = task.record.get(DUE)
    text = due.isoformat() if isinstance(due, dt.date) else ""
    return (0 if due is not None else 1, text, task.record_id)


def my_tasks(store: Store, user: User, *, now: dt.datetime | None = None,
             entities: Sequence[str] | None = None) -> Tasks:
    """`user`'s open tasks that she may read, by when they are due."""
    spec = store.app.spec
    zone = spec.time_zone
    today = local_day(now or store.clock(), zone)
    found: list[Task] = []
    for entity in task_entities(spec):
        if entities is not None and entity.name not in entities:
            continue
        policy = store.app.entity(entity.name).policy
        if not policy.may(user, "read") or not {DUE, DONE, "owner"} <= \
                policy.visible_fields(user):
            continue
        page = store.list(user, entity.name, where="owner == current_user and done == false",
                          sort=(DUE,), limit=MAX_TASKS, with_total=False)
        found.extend(Task(entity.name, record) for record in page.items)
    tasks = Tasks()
    for task in sorted(found, key=_sort_key):
        day = local_day(task.record.get(DUE), zone)
        if day is None or today is None or day > today:
            tasks.upcoming.append(task)
        elif day == today:
            tasks.today.append(task)
        else:
            tasks.overdue.append(task)
    return tasks


def complete(store: Store, user: User, entity: str, record_id: int,
             expected_version: int | None = None) -> Record:
    """Mark a task done, as `user`, through the Store (its rules apply)."""
    store.app.entity(entity)  # an unknown entity: RequestInvalid naming the known ones
    if all(e.name != entity for e in task_entities(store.app.spec)):
        raise RequestInvalid(render("not_a_task", {"entity": entity}, user.language),
                             code="not_a_task")
    return store.update(user, entity, record_id, {DONE: True},
                        expected_version=expected_version)
