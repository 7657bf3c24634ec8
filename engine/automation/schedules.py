"""Scheduled actions (`every:` in automation/*.yaml): at each occurrence, one job per
record of the entity matching `when`, doing the schedule's actions.

`every:` is a cron expression (five fields, read in the project's time zone, parsed by
`cronsim`: small, pure Python, well kept, and it handles daylight-saving changes as cron
does) or a duration (`1d`). `gx_schedule` keeps each schedule's next run; a schedule met
for the first time starts at its next occurrence. A run moves `next_run_at` past the
moment it ran at, so a clock set back finds nothing due, and runs missed while no worker
ran collapse into one. Each job's key names the schedule, the occurrence and the record:
an occurrence acts once on each record. A schedule whose action is `duplicates` acts on
the entity as a whole: one job per occurrence, of kind `duplicates`
(`guanxi.data.cleanup`).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.automation.cron import next_run
from guanxi.automation.tables import TABLES
from guanxi.spec import ScheduleSpec
from guanxi.store.facade import Store
from guanxi.store.unit import transaction
from sqlalchemy.dialects import postgresql, sqlite

SCHEDULES = TABLES.schedules
SCHEDULE_JOB = "schedule"
DUPLICATES_JOB = "duplicates"
PAGE = 500


def _matching(store: Store, schedule: ScheduleSpec) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        page = store.list(store.system, schedule.entity, where=schedule.when, sort=("id",),
                          limit=PAGE, after=after, with_total=False)
        ids.extend(int(record["id"]) for record in page.items)
        after = page.next_cursor
        if after is None:
            return ids


def take_due(conn: sa.Connection, schedule: ScheduleSpec, now: dt.datetime,
             time_zone: str) -> dt.datetime | None:
    """The occurrence of `schedule` due at `now`, its row moved past `now` (in `conn`'s
    transaction, the row locked); None when none is due (a schedule met for the first
    time gets its row, starting at its next occurrence)."""
    query = sa.select(SCHEDULES).where(SCHEDULES.c.name == schedule.name)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        insert = (postgresql.insert(SCHEDULES) if conn.dialect.name == "postgresql"
                  else sqlite.insert(SCHEDULES))
        conn.execute(insert.values(
            name=schedule.name, next_run_at=next_run(schedule, now, time_zone),
        ).on_conflict_do_nothing())
        return None
    occurrence: dt.datetime = row["next_run_at"]
    if occurrence > now:
        return None
    conn.execute(SCHEDULES.update().where(SCHEDULES.c.name == schedule.name).values(
        last_run_at=now, next_run_at=next_run(schedule, now, time_zone)))
    return occurrence


def run_due(store: Store, now: dt.datetime) -> list[str]:
    """Enqueue the jobs of every schedule due at `now`; what was done."""
    done = []
    spec = store.app.spec
    for schedule in spec.schedules:
        with transaction(store.engine, write=True) as conn:
            occurrence = take_due(conn, schedule, now, spec.time_zone)
            if occurrence is None:
                continue
            if any(action.do == DUPLICATES_JOB for action in schedule.actions):
                jobs.enqueue(conn, DUPLICATES_JOB, {"schedule": schedule.name,
                                                    "entity": schedule.entity}, now=now,
                             key=f"schedule:{schedule.name}:{occurrence.isoformat()}")
                conn.execute(SCHEDULES.update().where(
                    SCHEDULES.c.name == schedule.name).values(
                    last_run_at=now, next_run_at=next_run(schedule, now, spec.time_zone)))
                done.append(f"schedule {schedule.name}: duplicates of {schedule.entity}")
                continue
            records = _matching(store, schedule)
            jobs.enqueue_many(conn, [
                {"kind": SCHEDULE_JOB, "key": f"schedule:{schedule.name}:"
                 f"{occurrence.isoformat()}:{record_id}",
                 "payload": {"schedule": schedule.name, "entity": schedule.entity,
                             "record_id": record_id}} for record_id in records], now=now)
        done.append(f"schedule {schedule.name}: {len(records)} record(s)")
    return done
