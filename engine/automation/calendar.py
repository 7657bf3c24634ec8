"""Business calendars: counting time in working hours.

A calendar (`calendars:` in guanxi.yaml) has a time zone, open hours per weekday, the
public holidays of a country from the `holidays` library — with China's official
make-up working days (weekends worked in exchange for a long holiday), which the library
lists as `weekend_workdays` — and dates listed in YAML (`extra_holidays`,
`extra_workdays`). A make-up working day takes the hours of the first weekday that has
any.

`add(start, seconds)` is the moment `seconds` of open time after `start`; `elapsed(a, b)`
is the open time between two moments. Without a calendar, time runs around the clock.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_data
from guanxi.spec import CalendarSpec

# How far a search for open time goes before giving up (a calendar with no hours).
MAX_DAYS = 3 * 366


@lru_cache(maxsize=64)
def _country(code: str, year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(holidays, make-up working days) of a country in a year."""
    found = holiday_data.country_holidays(code, years=[year])
    workdays: set[dt.date] = getattr(found, "weekend_workdays", set())
    return frozenset(found), frozenset(d for d in workdays if d.year == year)


def known_country(code: str) -> bool:
    """Whether the `holidays` library knows the country code (e.g. CN)."""
    return code in holiday_data.list_supported_countries()


class BusinessCalendar:
    """Open hours of one calendar (None: always open, in UTC)."""

    def __init__(self, spec: CalendarSpec | None) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone) if spec is not None else dt.UTC
        self.week = dict(spec.week) if spec is not None else {}
        self.holidays = frozenset(dt.date.fromisoformat(d) for d in spec.extra_holidays) \
            if spec is not None else frozenset()
        self.workdays = frozenset(dt.date.fromisoformat(d) for d in spec.extra_workdays) \
            if spec is not None else frozenset()
        self.makeup_hours = next((hours for _, hours in sorted(self.week.items()) if hours), ())

    def hours(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The open periods of a local date, in minutes from midnight."""
        if self.spec is None:
            return ((0, 24 * 60),)
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.week.get(day.weekday()) or self.makeup_hours
        if self.spec.holidays:
            official, makeup = _country(self.spec.holidays, day.year)
            if day in makeup:
                return self.week.get(day.weekday()) or self.makeup_hours
            if day in official:
                return ()
        return self.week.get(day.weekday(), ())

    def _day_periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        out = []
        for begin, end in self.hours(day):
            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone)
            out.append((midnight + dt.timedelta(minutes=begin),
                        midnight + dt.timedelta(minutes=end)))
        return out

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment `seconds` of open time after `start` (UTC); no time after `start`
        is `start` itself, even at closing time (a breach step `after: 0h` fires at the
        due moment, not at the next opening)."""
        if self.spec is None or seconds <= 0:
            return start + dt.timedelta(seconds=seconds)
        left = dt.timedelta(seconds=seconds)
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(MAX_DAYS):
            for begin, end in self._day_periods(day):
                begin = max(begin, local)
                if begin >= end:
                    continue
                if begin + left <= end:
                    return (begin + left).astimezone(dt.UTC)
                left -= end - begin
            day += dt.timedelta(days=1)
        raise ValueError(f"calendar {self.spec.name!r} has no open hours in {MAX_DAYS} days")

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> int:
        """Seconds of open time between `start` and `end` (0 if end is not later)."""
        if end <= start:
            return 0
        if self.spec is None:
            return int((end - start).total_seconds())
        total = dt.timedelta()
        local, stop = start.astimezone(self.zone), end.astimezone(self.zone)
        day = local.date()
        while day <= stop.date():
            for begin, finish in self._day_periods(day):
                begin, finish = max(begin, local), min(finish, stop)
                if begin < finish:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return int(total.total_seconds())

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(begin <= local < end for begin, end in self._day_periods(local.date()))
