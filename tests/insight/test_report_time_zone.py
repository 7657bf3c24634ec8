"""Date buckets of moments are taken in the project's time zone (`time_zone:`), on
SQLite and PostgreSQL alike, and agree with a Python computation with zoneinfo around
the midnights where the zone's date and UTC's differ."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from guanxi.compile.app import compile_app
from guanxi.insight.drill import drill_where
from guanxi.insight.running import run_report
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from report_world import add_user

ZONES = ["Asia/Shanghai", "America/New_York"]


def project(zone: str) -> dict[str, str]:
    return {
        "guanxi.yaml": f"""
            project: calls
            time_zone: {zone}
            roles:
              boss: {{admin: true}}
        """,
        "entities/call.yaml": """
            call:
              fields:
                subject: {type: string}
                at: {type: datetime}
              access:
                boss: {create: all, read: all, update: all}
        """,
        "insight/reports.yaml": """
            reports:
              by_day: {entity: call, group: [{field: at, by: day}], measures: {calls: count()}}
              by_week: {entity: call, group: [{field: at, by: week}], measures: {calls: count()}}
              by_month: {entity: call, group: [{field: at, by: month}], measures: {calls: count()}}
              by_quarter: {entity: call, group: [{field: at, by: quarter}],
                           measures: {calls: count()}}
              by_year: {entity: call, group: [{field: at, by: year}], measures: {calls: count()}}
        """,
    }


def moments() -> list[dt.datetime]:
    """UTC moments a minute either side of local midnights at the turn of a year, a
    quarter, a month and a week, and at New York's change to summer time."""
    found = []
    for local_midnight in ("2025-12-29", "2026-01-01", "2026-03-08", "2026-03-09",
                           "2026-04-01", "2026-06-01", "2026-10-05"):
        for zone in ZONES:
            start = dt.datetime.fromisoformat(local_midnight).replace(tzinfo=ZoneInfo(zone))
            utc = start.astimezone(dt.UTC).replace(tzinfo=None)
            found += [utc - dt.timedelta(minutes=1), utc, utc + dt.timedelta(minutes=1)]
    return found


def bucket(by: str, day: dt.date) -> dt.date:
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


@pytest.fixture(params=ZONES)
def calls(request, write_project, db_url):
    zone = request.param
    app = compile_app(load_project_or_raise(write_project(project(zone))))
    store = Store(app, db_url)
    store.create_schema()
    boss = add_user(store, "bo", ["boss"])
    made = [store.create(boss, "call", {"subject": f"c{i}", "at": moment.isoformat() + "Z"})
            for i, moment in enumerate(moments())]
    yield store, boss, zone, made
    store.dispose()


@pytest.mark.parametrize("by", ["day", "week", "month", "quarter", "year"])
def test_date_buckets_of_moments_are_taken_in_the_projects_time_zone(calls, by):
    store, boss, zone, _ = calls
    expected = Counter(bucket(by, m.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date())
                       for m in moments())
    result = run_report(store, boss, f"by_{by}")
    assert {row.keys[0]: row.values[0] for row in result.rows} == dict(expected)


def test_a_day_buckets_drill_down_lists_the_moments_of_that_local_day(calls):
    store, boss, _, _ = calls
    result = run_report(store, boss, "by_day")
    for row in result.rows:
        where = drill_where(result.report, result.groups, row, {})
        listed = store.list(boss, "call", where=where, limit=100, with_total=False)
        assert len(listed.items) == row.values[0]
