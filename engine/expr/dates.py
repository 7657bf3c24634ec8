"""Dates in expressions: literals (`date("2026-12-01")`), parts (`year(d)` …), period
starts (`month_start(d)` …) and durations as numbers (`hours(x)`, `days(x)`).

Datetimes are naive UTC; a datetime's parts and period starts are those of its date in
the project's time zone (`time_zone:` in guanxi.yaml, default UTC; the context's
`local`), in Python and in SQL (PostgreSQL `AT TIME ZONE`; SQLite the `gx_local`
function that `guanxi.store.database` registers on each connection). The Python
meanings take the values (None is null); the SQL meanings are elements spelled per
dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from guanxi.expr.portable import portable

_SIX_PLACES = Decimal("0.000001")


# ------------------------------------------------------------ literals


@lru_cache(maxsize=1024)
def parse_date(text: str) -> date:
    """The date written `YYYY-MM-DD`; ValueError with what is wrong otherwise."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"'{text}' is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date of the calendar") from None


@lru_cache(maxsize=1024)
def parse_datetime(text: str) -> datetime:
    """The moment written `YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z]` as naive UTC (no offset: UTC)."""
    if len(text) < 16 or text[10] not in "T ":
        raise ValueError(f"'{text}' is not a date and time written YYYY-MM-DDTHH:MM:SS")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date and time of the calendar") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def literal_problem(parse: Callable[[str], Any], text: str) -> str | None:
    """What is wrong with a date or datetime literal's text, or None."""
    try:
        parse(text)
    except ValueError as error:
        return str(error)
    return None


# ------------------------------------------------------------ Python meanings


def _day_of(value: date | datetime, ctx: Any) -> date:
    """The date of a date, or of a (naive UTC) moment in the context's time zone."""
    if isinstance(value, datetime):
        local = getattr(ctx, "local", None)
        return (local(value) if local is not None else value).date()
    return value


def local_text(text: str | None, zone: str) -> str | None:
    """SQLite's `gx_local(moment, zone)`: a stored UTC moment ('YYYY-MM-DD HH:MM:SS…')
    as the wall-clock time in `zone`, written the same way."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return local.isoformat(sep=" ", timespec="microseconds")


def part(name: str) -> Callable[[Sequence[Any], object], Any]:
    """year, month, day or weekday (ISO: Monday is 1) of a date or datetime."""
    def compute(values: Sequence[Any], ctx: object) -> Any:
        if values[0] is None:
            return None
        day = _day_of(values[0], ctx)
        return day.isoweekday() if name == "weekday" else getattr(day, name)

    return compute


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def _quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _year_start(day: date) -> date:
    return day.replace(month=1, day=1)


_STARTS: dict[str, Callable[[date], date]] = {
    "month_start": _month_start, "week_start": _week_start,
    "quarter_start": _quarter_start, "year_start": _year_start,
}


def start(name: str) -> Callable[[Sequence[Any], object], Any]:
    """The first day of the period (month, ISO week, quarter, year) holding the value."""
    first = _STARTS[name]

    def compute(values: Sequence[Any], ctx: object) -> Any:
        return None if values[0] is None else first(_day_of(values[0], ctx))

    return compute


def in_units(seconds: int) -> Callable[[Sequence[Any], object], Any]:
    """A duration as a number of hours or days, rounded to 6 places (half away from 0)."""
    def compute(values: Sequence[Any], ctx: object) -> Any:
        if values[0] is None:
            return None
        with localcontext() as context:
            context.prec = 80
            return (Decimal(values[0]) / seconds).quantize(_SIX_PLACES, ROUND_HALF_UP)

    return compute


# ------------------------------------------------------------ SQL meanings

# SQLite keeps dates as 'YYYY-MM-DD' and datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff': the
# first 10 characters are the date. ISO weekday: strftime('%w') is 0 on Sunday.
_SQLITE_DAY = "substr({0}, 1, 10)"
_SQLITE_WEEKDAY = f"((CAST(strftime('%w', {_SQLITE_DAY}) AS INTEGER) + 6) % 7 + 1)"
_PG_DAY = "CAST(CAST({0} AS DATE) AS TIMESTAMP)"

# A naive UTC moment as the wall-clock time of a zone ({1}: its IANA name).
LOCAL_SQL = portable("gx_local_time", sa.DateTime(), "gx_local({0}, {1})",
                     "(({0}) AT TIME ZONE 'UTC' AT TIME ZONE {1})")

PART_SQL = {
    name: portable(f"gx_{name}", sa.BigInteger(), sqlite, postgresql)
    for name, sqlite, postgresql in (
        ("year", f"CAST(strftime('%Y', {_SQLITE_DAY}) AS INTEGER)",
         f"CAST(EXTRACT(YEAR FROM {_PG_DAY}) AS BIGINT)"),
        ("month", f"CAST(strftime('%m', {_SQLITE_DAY}) AS INTEGER)",
         f"CAST(EXTRACT(MONTH FROM {_PG_DAY}) AS BIGINT)"),
        ("day", f"CAST(strftime('%d', {_SQLITE_DAY}) AS INTEGER)",
         f"CAST(EXTRACT(DAY FROM {_PG_DAY}) AS BIGINT)"),
        ("weekday", _SQLITE_WEEKDAY, f"CAST(EXTRACT(ISODOW FROM {_PG_DAY}) AS BIGINT)"),
    )
}
START_SQL = {
    name: portable(f"gx_{name}", sa.Date(), sqlite,
                   f"CAST(date_trunc('{unit}', {_PG_DAY}) AS DATE)")
    for name, unit, sqlite in (
        ("month_start", "month", f"date({_SQLITE_DAY}, 'start of month')"),
        ("week_start", "week",
         f"date({_SQLITE_DAY}, '-' || ({_SQLITE_WEEKDAY} - 1) || ' days')"),
        ("quarter_start", "quarter",
         f"date({_SQLITE_DAY}, 'start of month', '-' || "
         f"((CAST(strftime('%m', {_SQLITE_DAY}) AS INTEGER) - 1) % 3) || ' months')"),
        ("year_start", "year", f"date({_SQLITE_DAY}, 'start of year')"),
    )
}
UNITS_SQL = {
    seconds: portable(
        f"gx_in_{seconds}", sa.Numeric(),
        f"round(CAST({{0}} AS REAL) / {seconds}, 6)",
        f"round(CAST({{0}} AS NUMERIC(1000, 30)) / {seconds}, 6)",
    )
    for seconds in (3600, 86400)
}
