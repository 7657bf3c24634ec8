"""What automation and reports did, as a scenario expects it: notifications a user got,
an SLA clock's status, a report's rows. Each check returns None when it holds, else
(expected, actual) as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from guanxi.automation import slas
from guanxi.automation.notifications import NOTIFICATIONS
from guanxi.identity import User
from guanxi.insight.result import ReportResult
from guanxi.insight.running import run_report
from guanxi.store.facade import Store

ROW_SEPARATOR = " / "


def notified(store: Store, user: User, count: int) -> tuple[str, str] | None:
    """`user` got `count` notifications."""
    with store.engine.connect() as conn:
        got = int(conn.execute(sa.select(sa.func.count()).where(
            NOTIFICATIONS.c.user_id == user.id)).scalar_one())
    return None if got == count else (str(count), str(got))


def sla_status(view: slas.ClockView | None) -> str:
    """running, paused, breached, met (stopped in time) or none (no clock)."""
    if view is None:
        return "none"
    if view.breached:
        return "breached"
    if view.stopped:
        return "met"
    return "paused" if view.paused else "running"


def sla(store: Store, entity: str, record_id: int, name: str, wanted: Mapping[str, Any],
        now: dt.datetime) -> tuple[str, str] | None:
    """Clock `name` of the record is in the status (and due at the moment) wanted."""
    views = {v.name: v for v in slas.clocks(store.engine, store.app.spec, entity,
                                               record_id, now)}
    view = views.get(name)
    actual = {"status": sla_status(view)}
    if "due" in wanted:
        due = view.due_at if view is not None else None
        actual["due"] = _moment(due)
    shown = {k: _moment(v) if isinstance(v, dt.datetime) else str(v)
             for k, v in wanted.items()}
    if shown == actual:
        return None
    return _pairs(shown), _pairs(actual)


def report(store: Store, user: User, name: str, wanted: Mapping[str, Any],
           now: dt.datetime) -> tuple[str, str] | None:
    """Report `name` run as `user` with the wanted params shows the rows (or total)
    wanted; a row is named by its group values as shown (or as stored), joined by
    " / "."""
    result = run_report(store, user, name, wanted.get("params") or None, now=now)
    rows = _rows(result)
    expected: dict[str, Mapping[str, Any]] = dict(wanted.get("rows") or {})
    if wanted.get("total"):
        expected[""] = wanted["total"]
    for row, measures in expected.items():
        label = f"row '{row}'" if row else "the total"
        if row not in rows:
            named = [ROW_SEPARATOR.join(r.shown) for r in result.rows]
            return (f"{label}: {_pairs(measures)}",
                    f"no such row (rows: {', '.join(repr(r) for r in named) or 'none'})")
        got = rows[row]
        for measure, value in measures.items():
            if measure not in got:
                return (f"{label}: {measure} = {value}",
                        f"no measure {measure} (measures: {', '.join(got)})")
            if not _same_number(value, got[measure]):
                return (f"{label}: {measure} = {value}",
                        f"{label}: {measure} = {_plain(got[measure])}")
    return None


def _rows(result: ReportResult) -> dict[str, dict[str, Any]]:
    """Each row by its group values as shown, and as stored (a choice's key)."""
    names = [m.spec.name for m in result.measures]
    shown = {ROW_SEPARATOR.join(row.shown): dict(zip(names, row.values))
             for row in result.rows}
    stored = {ROW_SEPARATOR.join(str(k) for k in row.keys): dict(zip(names, row.values))
              for row in result.rows}
    return {**stored, **shown}


def _same_number(want: Any, actual: Any) -> bool:
    if want is None or actual is None:
        return want is None and actual is None
    try:
        return Decimal(str(want)) == Decimal(str(actual))
    except InvalidOperation:
        return str(want) == str(actual)


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return "empty" if value is None else str(value)


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return "none"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _pairs(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())
