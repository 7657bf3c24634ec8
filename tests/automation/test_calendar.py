"""Business calendars: open hours, China's holidays and make-up working days."""

from __future__ import annotations

import datetime as dt

from acme_world import shanghai
from guanxi.automation.calendar import BusinessCalendar
from guanxi.spec import NOWHERE, CalendarSpec

OFFICE = BusinessCalendar(CalendarSpec(
    "office", NOWHERE, "Asia/Shanghai", tuple((day, ((540, 1080),)) for day in range(5)),
    holidays="CN", extra_holidays=("2026-12-31",)))
HOUR = 3600


def test_friday_evening_plus_twelve_office_hours_is_tuesday_morning() -> None:
    assert OFFICE.add(shanghai(2026, 12, 4, 17), 12 * HOUR) == shanghai(2026, 12, 8, 11)


def test_a_weekend_counts_no_office_time() -> None:
    assert OFFICE.elapsed(shanghai(2026, 12, 4, 17), shanghai(2026, 12, 7, 9)) == HOUR


def test_the_national_day_holidays_are_closed() -> None:
    # 2026-10-01..07 are public holidays; 30 September 17:00 + 2h is 8 October 10:00.
    assert OFFICE.add(shanghai(2026, 9, 30, 17), 2 * HOUR) == shanghai(2026, 10, 8, 10)


def test_a_make_up_saturday_is_a_working_day() -> None:
    # Saturday 2026-10-10 is worked in exchange for the National Day week.
    assert OFFICE.is_open(shanghai(2026, 10, 10, 10))
    assert not OFFICE.is_open(shanghai(2026, 10, 17, 10))


def test_dates_listed_in_yaml_are_closed() -> None:
    assert not OFFICE.is_open(shanghai(2026, 12, 31, 10))


def test_without_a_calendar_time_runs_around_the_clock() -> None:
    always = BusinessCalendar(None)
    start = dt.datetime(2026, 12, 5, 23, tzinfo=dt.UTC)
    assert always.add(start, 2 * HOUR) == start + dt.timedelta(hours=2)


def test_no_office_time_after_closing_time_is_closing_time_itself() -> None:
    closing = shanghai(2026, 12, 8, 18)
    assert OFFICE.add(closing, 0) == closing
