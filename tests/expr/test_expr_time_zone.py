"""The project's time zone: `today()` and the date parts and period starts of moments are
taken in it, the same in Python and in SQL on both databases; dates are taken as they
are; without `time_zone:` everything is UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from guanxi.expr import Context, Scope, parse, to_python, to_sql
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec
from guanxi.store.database import create_engine

LOC = Loc("entities/visit.yaml", 1, 1)
VISIT = EntitySpec("visit", LOC, fields=(
    FieldSpec(name="at", type="datetime", loc=LOC),
    FieldSpec(name="on", type="date", loc=LOC),
))
SCOPE = Scope.for_entity(ProjectSpec("p", ".", LOC, entities=(VISIT,)), VISIT)
# Sunday 2026-11-29 23:30 UTC is Monday 07:30 in Shanghai, Sunday 18:30 in New York.
LATE_SUNDAY = datetime(2026, 11, 29, 23, 30)
# 2026-12-31 20:00 UTC is already 2027 in Shanghai.
NEW_YEAR = datetime(2026, 12, 31, 20, 0)
TEXTS = ("year(at)", "month(at)", "day(at)", "weekday(at)", "month_start(at)",
         "week_start(at)", "quarter_start(at)", "year_start(at)", "day(on)",
         "days_between(at, on)")
ZONES = ("UTC", "Asia/Shanghai", "America/New_York")


def python_value(text: str, zone: str, **record: Any) -> Any:
    return to_python(parse(text), SCOPE)(record, Context(user_id=1, zone=zone), None)


def test_today_is_the_date_in_the_projects_zone() -> None:
    assert Context(user_id=1, now=LATE_SUNDAY, zone="Asia/Shanghai").today == date(2026, 11, 30)


def test_today_is_the_utc_date_without_a_zone() -> None:
    assert Context(user_id=1, now=LATE_SUNDAY).today == date(2026, 11, 29)


def test_the_weekday_of_a_moment_is_taken_in_the_zone() -> None:
    assert [python_value("weekday(at)", zone, at=LATE_SUNDAY) for zone in ZONES] == [7, 1, 7]


def test_the_year_start_of_a_moment_is_taken_in_the_zone() -> None:
    assert python_value("year_start(at)", "Asia/Shanghai", at=NEW_YEAR) == date(2027, 1, 1)


def test_the_parts_of_a_date_do_not_move_with_the_zone() -> None:
    assert python_value("day(on)", "America/New_York", on=date(2026, 3, 8)) == 8


@pytest.fixture
def visits(db_url: str):
    engine = create_engine(db_url)
    metadata = sa.MetaData()
    table = sa.Table("visit", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("at", sa.DateTime), sa.Column("on", sa.Date))
    metadata.create_all(engine)
    rows = [{"id": 1, "at": LATE_SUNDAY, "on": date(2026, 3, 8)},
            {"id": 2, "at": NEW_YEAR, "on": date(2026, 12, 31)},
            {"id": 3, "at": datetime(2026, 7, 1, 3, 59, 59, 5), "on": date(2026, 7, 1)}]
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    yield engine, table, rows
    engine.dispose()


@pytest.mark.parametrize("zone", ZONES)
def test_sql_takes_moments_in_the_zone_as_python_does(visits, zone: str) -> None:
    engine, table, rows = visits
    ctx = Context(user_id=1, zone=zone)
    columns = [to_sql(parse(text), SCOPE, {"visit": table}, "visit", ctx).label(f"c{n}")
               for n, text in enumerate(TEXTS)]
    with engine.connect() as conn:
        found = conn.execute(sa.select(table.c.id, *columns).order_by(table.c.id)).all()
    for row, record in zip(found, rows, strict=True):
        expected = [to_python(parse(text), SCOPE)(record, ctx, None) for text in TEXTS]
        got = [date.fromisoformat(v) if isinstance(v, str) else v for v in row[1:]]
        assert got == expected, (zone, record)
