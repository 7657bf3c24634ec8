"""Sales targets (quotas) and their attainment (`targets:` in insight/*.yaml).

A target sums a field (`sum`, e.g. close_value) of an entity's records meeting `when`
(e.g. won deals), placed in a period (`month`, `quarter` or `year`) by a date field
(`date`), per user (the user field `owner`) or team (`teams:` in guanxi.yaml: its
members' sum). Amounts come from the YAML (`values:`) or are entered by the `managers`
roles on `/targets/NAME` (`gx_target`; an entered amount wins).

Attainment is computed for a reader: the sum is a report over the entity run as the
reader (`guanxi.insight.running`), so her row rules hold; a reader who manages no
targets sees only her own line (a rep sees her attainment, not her colleagues').
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from guanxi.identity import User
from guanxi.insight.definitions import GroupSpec, MeasureSpec, ReportSpec, TargetSpec
from guanxi.insight.running import run
from guanxi.insight.tables import TARGETS
from guanxi.spec import ProjectSpec
from guanxi.store.facade import Store
from guanxi.store.unit import transaction
from sqlalchemy.dialects import postgresql, sqlite

PERIODS = ("month", "quarter", "year")
_PERIOD = {"month": re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$"),
           "quarter": re.compile(r"^([0-9]{4})-Q([1-4])$"),
           "year": re.compile(r"^([0-9]{4})$")}
MAX_AMOUNT = Decimal("1e15")


@dataclass(frozen=True, slots=True)
class Attainment:
    """One line: who (`user:…`/`team:…`), shown as `label`, the target, what was reached,
    and their ratio (None without a target)."""

    who: str
    label: str
    target: Decimal | None
    reached: Decimal
    ratio: Decimal | None

    @property
    def percent(self) -> int:
        if self.ratio is None:
            return 0
        return int((self.ratio * 100).to_integral_value(ROUND_HALF_UP))


# ------------------------------------------------------------ periods


def period_of(kind: str, day: dt.date) -> str:
    if kind == "year":
        return f"{day.year}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def period_bounds(kind: str, text: str) -> tuple[dt.date, dt.date] | None:
    """The first day of the period and the first day after it; None if not one."""
    match = _PERIOD[kind].match(text)
    if match is None:
        return None
    year = int(match.group(1))
    if kind == "year":
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    month = int(match.group(2)) if kind == "month" else (int(match.group(2)) - 1) * 3 + 1
    span = 1 if kind == "month" else 3
    end_month = month + span
    end = dt.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return dt.date(year, month, 1), end


def amount_error(text: str) -> str | None:
    """The message code of what is wrong with an amount typed on the page, or None."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return "target_amount_invalid"
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        return "target_amount_invalid"
    return None


# ------------------------------------------------------------ amounts and attainment


def manages(spec: ProjectSpec, target: TargetSpec, user: User) -> bool:
    """Whether `user` may enter the target's amounts and see everyone's attainment."""
    roles = spec.expand_roles(user.roles)
    return bool(roles & set(target.managers)) or any(
        r.admin for r in spec.roles if r.name in roles)


def amounts(store: Store, target: TargetSpec, period: str) -> dict[str, Decimal]:
    """who -> amount for the period: declared, then entered (entered wins)."""
    found = {v.who: v.amount for v in target.values if v.period == period}
    with store.engine.connect() as conn:
        for row in conn.execute(sa.select(TARGETS.c.who, TARGETS.c.amount).where(
                TARGETS.c.target == target.name, TARGETS.c.period == period)):
            found[str(row.who)] = Decimal(row.amount)
    return found


def save_amount(store: Store, target: TargetSpec, who: str, period: str,
                amount: Decimal, user: User) -> None:
    """Enter (or replace) an amount."""
    values = {"target": target.name, "who": who, "period": period, "amount": amount,
              "set_by": user.id, "set_at": store.clock()}
    with transaction(store.engine, write=True) as conn:
        insert = (postgresql.insert(TARGETS) if conn.dialect.name == "postgresql"
                  else sqlite.insert(TARGETS))
        conn.execute(insert.values(**values).on_conflict_do_update(
            index_elements=["target", "who", "period"],
            set_={"amount": amount, "set_by": user.id, "set_at": values["set_at"]}))


def reached_report(target: TargetSpec, start: dt.date, end: dt.date) -> ReportSpec:
    within = (f'{target.date} >= date("{start.isoformat()}") and '
              f'{target.date} < date("{end.isoformat()}")')
    when = f"({target.when}) and {within}" if target.when else within
    return ReportSpec(name=target.name, entity=target.entity, loc=target.loc, when=when,
                      groups=(GroupSpec(target.owner, target.loc),),
                      measures=(MeasureSpec("reached", f"sum({target.value})", target.loc),))


def _user_ids(store: Store, usernames: set[str]) -> dict[str, tuple[int, str]]:
    users = store.app.tables.users
    with store.engine.connect() as conn:
        return {str(r.username): (int(r.id), str(r.display_name or r.username))
                for r in conn.execute(sa.select(users.c.id, users.c.username,
                                                users.c.display_name).where(
                    users.c.username.in_(sorted(usernames))))}


def attainment(store: Store, user: User, target: TargetSpec, period: str,
               now: dt.datetime | None = None) -> list[Attainment]:
    """The period's lines the reader may see: every user and team with a target (only
    her own line unless she manages the target), what each reached as she may read it."""
    bounds = period_bounds(target.period, period)
    if bounds is None:
        return []
    spec = store.app.spec
    wanted = amounts(store, target, period)
    if not manages(spec, target, user):
        wanted = {k: v for k, v in wanted.items() if k == f"user:{user.username}"}
        wanted.setdefault(f"user:{user.username}", Decimal(-1))
    result = run(store, user, reached_report(target, *bounds), now=now)
    reached_by_id: dict[Any, Decimal] = {
        row.keys[0]: Decimal(row.values[0] or 0) for row in result.rows}
    names: set[str] = set()
    for who in wanted:
        kind, _, name = who.partition(":")
        team = spec.team(name) if kind == "team" else None
        names.update([name] if kind == "user" else (team.members if team else ()))
    ids = _user_ids(store, names)
    lines = []
    for who in sorted(wanted, key=lambda w: (w.startswith("team:"), w)):
        kind, _, name = who.partition(":")
        if kind == "team":
            team = spec.team(name)
            members = team.members if team else ()
            reached = sum((reached_by_id.get(ids[m][0], Decimal(0)) for m in members
                           if m in ids), Decimal(0))
            label = (team.label.get(user.language) or team.label.get("en")
                     if team and team.label else None) or name
        else:
            found = ids.get(name)
            reached = reached_by_id.get(found[0], Decimal(0)) if found else Decimal(0)
            label = found[1] if found else name
        amount: Decimal | None = wanted[who] if wanted[who] >= 0 else None
        ratio = (reached / amount).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
            if amount else None
        lines.append(Attainment(who, label, amount, reached.quantize(Decimal("0.01")), ratio))
    return lines


def current_period(store: Store, target: TargetSpec, now: dt.datetime | None = None) -> str:
    return period_of(target.period, store.context(store.system, now).today)

