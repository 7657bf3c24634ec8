"""Recurrences (`every:`): a cron expression read by `cronsim` in a time zone, or a
duration."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from guanxi.spec import ScheduleSpec


def valid_cron(text: str) -> str | None:
    """None when `text` is a cron expression cronsim reads, else why not."""
    try:
        CronSim(text, dt.datetime(2026, 1, 1))
    except CronSimError as error:
        return str(error)
    return None


def next_run(schedule: ScheduleSpec, after: dt.datetime, time_zone: str) -> dt.datetime:
    """The first occurrence of `schedule` strictly after `after`."""
    if schedule.every_seconds is not None:
        return after + dt.timedelta(seconds=max(schedule.every_seconds, 1))
    local = after.astimezone(ZoneInfo(time_zone))
    return next(iter(CronSim(schedule.every, local))).astimezone(dt.UTC)
