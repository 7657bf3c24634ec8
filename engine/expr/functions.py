"""The named functions (one table: signature, Python meaning, SQL meaning), the runtime
`Context`, and the few SQL building blocks whose spelling differs between SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from guanxi.expr import dates, rounding
from guanxi.expr.portable import portable as _portable
from guanxi.expr.types import Type, comparable, describe
from sqlalchemy.sql.expression import ColumnElement


@dataclass(frozen=True, slots=True)
class Context:
    """Who evaluates an expression, and when. `now` is naive UTC; `today` is its date
    in the project's time zone `zone` (an IANA name, default UTC).

    roles: the user's roles, already expanded through `includes`.
    team_mates: the users sharing a team with the user (`same_team`), themselves
    included when they are in a team; given by the Store's unit of work.
    """

    user_id: int | None
    roles: frozenset[str] = frozenset()
    now: datetime | None = None
    zone: str = "UTC"
    team_mates: frozenset[int] = frozenset()
    # The customer portal's principal (`current_contact`, `current_account`); None for staff.
    contact_id: int | None = None
    account_id: int | None = None

    def __post_init__(self) -> None:
        moment = self.now or datetime.now(UTC)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        object.__setattr__(self, "now", moment)

    @property
    def moment(self) -> datetime:
        assert self.now is not None
        return self.now

    @property
    def today(self) -> date:
        return self.local(self.moment).date()

    def local(self, moment: datetime) -> datetime:
        """A naive UTC moment as the wall-clock time of the project's zone (naive)."""
        if self.zone == "UTC":
            return moment
        return moment.replace(tzinfo=UTC).astimezone(zone_info(self.zone)).replace(
            tzinfo=None)


@lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo:
    """The time zone `name` (an IANA name such as Asia/Shanghai)."""
    return ZoneInfo(name)


# ------------------------------------------------------------ SQL building blocks


# `date + duration`: whole days are added (floor of seconds / 86400), as Python does.
date_shift = _portable(
    "gx_date_shift", sa.Date(),
    "date({0}, {1} || ' seconds')",
    "CAST({0} + {1} * INTERVAL '1 second' AS DATE)",
)
# SQLite: SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff'; shift the whole seconds and keep
# the fraction, so the result compares correctly with stored values as text.
datetime_shift = _portable(
    "gx_datetime_shift", sa.DateTime(),
    "(datetime(substr({0}, 1, 19), {1} || ' seconds') || substr({0}, 20))",
    "({0} + {1} * INTERVAL '1 second')",
)
# `a - b` of two datetimes in whole seconds (fractions of a second are ignored).
seconds_between = _portable(
    "gx_seconds_between", sa.BigInteger(),
    "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER)"
    " - CAST(strftime('%s', substr({1}, 1, 19)) AS INTEGER))",
    "CAST(EXTRACT(EPOCH FROM (date_trunc('second', {0}) - date_trunc('second', {1})))"
    " AS BIGINT)",
)
days_between_sql = _portable(
    "gx_days_between", sa.BigInteger(),
    "CAST(julianday(substr({1}, 1, 10)) - julianday(substr({0}, 1, 10)) AS INTEGER)",
    "(CAST({1} AS DATE) - CAST({0} AS DATE))",
)
# Tags are stored as a JSON list of strings (text on SQLite, json/jsonb/text on PostgreSQL).
# A tags column as a JSON list, or NULL; SQLAlchemy's JSON type stores None as JSON null.
tags_list = _portable(
    "gx_tags", sa.Text(),
    "nullif({0}, 'null')",
    "nullif(CAST({0} AS JSONB), CAST('null' AS JSONB))",
)
tags_have = _portable(
    "gx_tags_have", sa.Boolean(),
    "EXISTS (SELECT 1 FROM json_each({0}) AS gx_tag WHERE gx_tag.value = {1})",
    "(CAST({0} AS JSONB) @> jsonb_build_array(CAST({1} AS TEXT)))",
)
tags_length = _portable(
    "gx_tags_length", sa.BigInteger(),
    "json_array_length({0})",
    "jsonb_array_length(CAST({0} AS JSONB))",
)
# Text ordering by code point on both (UTF-8 bytes in SQLite, the "C" collation in PostgreSQL).
text_order = _portable(
    "gx_text_order", sa.Text(), "{0}", "(CAST({0} AS TEXT) COLLATE \"C\")"
)
# Case mapping of A-Z only, the same in SQLite (built-in lower/upper) and PostgreSQL ("C").
ascii_lower = _portable(
    "gx_lower", sa.Text(), "lower({0})", "lower(CAST({0} AS TEXT) COLLATE \"C\")"
)
ascii_upper = _portable(
    "gx_upper", sa.Text(), "upper({0})", "upper(CAST({0} AS TEXT) COLLATE \"C\")"
)
text_length = _portable(
    "gx_length", sa.BigInteger(), "length({0})", "char_length(CAST({0} AS TEXT))"
)
text_contains = _portable(
    "gx_contains", sa.Boolean(),
    "(instr({0}, {1}) > 0)",
    "(strpos(CAST({0} AS TEXT), CAST({1} AS TEXT)) > 0)",
)
text_starts_with = _portable(
    "gx_starts_with", sa.Boolean(),
    "(substr({0}, 1, length({1})) = {1})",
    "(substr(CAST({0} AS TEXT), 1, char_length(CAST({1} AS TEXT))) = CAST({1} AS TEXT))",
)
# Arithmetic: exact numerics on PostgreSQL; SQLite computes in floating point.
as_numeric = _portable("gx_numeric", sa.Numeric(), "{0}", "CAST({0} AS NUMERIC)")
round6 = _portable("gx_round6", sa.Numeric(), "round({0}, 6)",
                   "round(CAST({0} AS NUMERIC), 6)")
divide6 = _portable(
    "gx_divide6", sa.Numeric(),
    "round(CAST({0} AS REAL) / NULLIF({1}, 0), 6)",
    "round(CAST({0} AS NUMERIC(1000, 30)) / NULLIF(CAST({1} AS NUMERIC), 0), 6)",
)
remainder = _portable(
    "gx_remainder", sa.Numeric(),
    "({0} % NULLIF({1}, 0))",
    "MOD(CAST({0} AS NUMERIC), NULLIF(CAST({1} AS NUMERIC), 0))",
)


def false_if_null(condition: ColumnElement[Any]) -> ColumnElement[Any]:
    """A SQL condition that is false where it would be NULL (two-valued logic)."""
    return sa.func.coalesce(condition, sa.false(), type_=sa.Boolean())


# Bind parameters standing for the context when a condition is compiled once and run for
# many users and moments (`to_sql(..., parameters=True)`); `context_params` gives values.
CURRENT_USER_PARAM = "gx_current_user"
CURRENT_CONTACT_PARAM = "gx_current_contact"
CURRENT_ACCOUNT_PARAM = "gx_current_account"
NOW_PARAM = "gx_now"
TODAY_PARAM = "gx_today"
TEAM_PARAM = "gx_team_mates"


def context_param(name: str) -> ColumnElement[Any]:
    """The bind parameter `name` (one of the *_PARAM names); a value must be given when
    the statement runs (a statement run without it fails instead of matching nothing)."""
    kinds: dict[str, sa.types.TypeEngine[Any]] = {
        CURRENT_USER_PARAM: sa.BigInteger(), CURRENT_CONTACT_PARAM: sa.BigInteger(),
        CURRENT_ACCOUNT_PARAM: sa.BigInteger(), NOW_PARAM: sa.DateTime(), TODAY_PARAM: sa.Date(),
    }
    if name == TEAM_PARAM:
        return sa.bindparam(name, type_=sa.BigInteger(), required=True, expanding=True)
    kind = kinds[name]
    return sa.bindparam(name, type_=kind, required=True)


def context_params(ctx: Context) -> dict[str, Any]:
    """The values of the context's bind parameters, to pass when a statement runs."""
    return {CURRENT_USER_PARAM: ctx.user_id, NOW_PARAM: ctx.moment, TODAY_PARAM: ctx.today,
            TEAM_PARAM: sorted(ctx.team_mates), CURRENT_CONTACT_PARAM: ctx.contact_id,
            CURRENT_ACCOUNT_PARAM: ctx.account_id}


# ------------------------------------------------------------ the functions


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class SqlCall:
    """What a function's SQL meaning receives: compiled arguments, their types, context."""

    args: Sequence[ColumnElement[Any]]
    types: Sequence[Type]
    nodes: Sequence[Any]
    ctx: Context
    # The result decides only whether a row is kept (NULL may stand for false).
    positive: bool = False
    # now() and today() become bind parameters instead of the context's values.
    parameters: bool = False

    def condition(self, clause: ColumnElement[Any]) -> ColumnElement[Any]:
        """`clause` as this call's boolean result: bare where NULL counts as false anyway."""
        return clause if self.positive else false_if_null(clause)


@dataclass(frozen=True, slots=True)
class Function:
    """One named function.

    params: accepted kinds per parameter ("any" for every kind); variadic: the last
    parameter repeats. result: the result type given the argument types.
    python: the meaning on Python values (None is null); sql: the meaning in SQL.
    """

    name: str
    params: tuple[frozenset[str], ...]
    result: Callable[[Sequence[Type]], Type]
    python: Callable[[Sequence[Any], Context], Any]
    sql: Callable[[SqlCall], ColumnElement[Any]]
    description: str
    variadic: bool = False
    literal_text: bool = False
    signature: str = field(default="")
    # How many of the last parameters may be left out.
    optional: int = 0
    # (argument nodes, their types) -> (index of the argument at fault, message, hint),
    # or None when the arguments are right: what kinds alone cannot say.
    validate: Callable[[Sequence[Any], Sequence[Type]], Fault | None] | None = None


Fault = tuple[int, str, str | None]


def _kinds(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _t(kind: str, integral: bool = False) -> Callable[[Sequence[Type]], Type]:
    return lambda args: Type(kind, integral=integral)


def _first_type(args: Sequence[Type]) -> Type:
    known = [t for t in args if t.kind != "null"]
    if not known:
        return Type("null")
    if known[0].kind == "number":
        return Type("number", integral=all(t.integral for t in known))
    return known[0]


def _len(values: Sequence[Any], ctx: Context) -> Any:
    return None if values[0] is None else len(values[0])


def _len_sql(call: SqlCall) -> ColumnElement[Any]:
    if call.types[0].kind == "list":
        return tags_length(call.args[0])
    return text_length(call.args[0])


def _is_empty(values: Sequence[Any], ctx: Context) -> bool:
    return values[0] is None or values[0] == "" or values[0] == []


def _is_empty_sql(call: SqlCall) -> ColumnElement[Any]:
    arg, kind = call.args[0], call.types[0].kind
    if kind == "text":
        return call.condition(sa.or_(arg.is_(None), arg == sa.literal("", sa.Text())))
    if kind == "list":
        return call.condition(sa.or_(arg.is_(None), tags_length(arg) == 0))
    return arg.is_(None)


def _coalesce(values: Sequence[Any], ctx: Context) -> Any:
    return next((v for v in values if v is not None), None)


def _days_between(values: Sequence[Any], ctx: Context) -> Any:
    a, b = values
    if a is None or b is None:
        return None
    a = ctx.local(a).date() if isinstance(a, datetime) else a
    b = ctx.local(b).date() if isinstance(b, datetime) else b
    return (b - a).days


def _contains(values: Sequence[Any], ctx: Context) -> bool:
    text, part = values
    return text is not None and part is not None and part in text


def _starts_with(values: Sequence[Any], ctx: Context) -> bool:
    text, prefix = values
    return text is not None and prefix is not None and text.startswith(prefix)


def _today_sql(call: SqlCall) -> ColumnElement[Any]:
    if call.parameters:
        return context_param(TODAY_PARAM)
    return sa.literal(call.ctx.today, sa.Date())


def _now_sql(call: SqlCall) -> ColumnElement[Any]:
    if call.parameters:
        return context_param(NOW_PARAM)
    return sa.literal(call.ctx.moment, sa.DateTime())


def _has_role_sql(call: SqlCall) -> ColumnElement[Any]:
    role = call.nodes[0].value
    return sa.true() if role in call.ctx.roles else sa.false()


def _a_user(args: Sequence[Any], types: Sequence[Type]) -> Fault | None:
    if types[0].kind == "id" and types[0].ref not in (None, "user"):
        return (0, f"same_team() takes a user field; this is a reference to {types[0].ref}",
                "write same_team(owner) or same_team(assignee)")
    return None


def _same_team(values: Sequence[Any], ctx: Context) -> bool:
    return values[0] is not None and int(values[0]) in ctx.team_mates


def _same_team_sql(call: SqlCall) -> ColumnElement[Any]:
    if call.parameters:
        return call.condition(call.args[0].in_(context_param(TEAM_PARAM)))
    if not call.ctx.team_mates:
        return sa.false()
    return call.condition(call.args[0].in_(sorted(call.ctx.team_mates)))


def _if(values: Sequence[Any], ctx: Context) -> Any:
    condition, then, otherwise = values
    return then if condition is not None and bool(condition) else otherwise


def _if_sql(call: SqlCall) -> ColumnElement[Any]:
    chosen = sa.case((call.args[0], call.args[1]), else_=call.args[2])
    return call.condition(chosen) if call.types[1].kind == "boolean" else chosen


def _if_type(args: Sequence[Type]) -> Type:
    return _first_type(args[1:])


def _one_kind(args: Sequence[Any], types: Sequence[Type]) -> Fault | None:
    then, otherwise = types[1], types[2]
    if "null" in (then.kind, otherwise.kind) or comparable(then, otherwise):
        return None
    return (2, f"if() gives values of one kind; the second argument is {describe(then)}, "
               f"the third is {describe(otherwise)}",
            "write if(condition, a, b) with a and b of one kind")


def _literal_of(parse: Callable[[str], Any], name: str, example: str,
                ) -> Callable[[Sequence[Any], Sequence[Type]], Fault | None]:
    def validate(args: Sequence[Any], types: Sequence[Type]) -> Fault | None:
        node = args[0]
        if getattr(node, "kind", None) != "text" or getattr(node, "source", None) is None:
            return (0, f"{name}() needs its value in quotes", f"write {example}")
        problem = dates.literal_problem(parse, str(node.value))
        return None if problem is None else (0, problem, f"write {example}")

    return validate


def _places(args: Sequence[Any], types: Sequence[Type]) -> Fault | None:
    if len(args) < 2:
        return None
    node = args[1]
    value = getattr(node, "value", None)
    if getattr(node, "kind", None) != "number" or not isinstance(value, int) or not (
        0 <= value <= rounding.MAX_PLACES
    ):
        return (1, f"round() takes the decimal places as a whole number from 0 to "
                   f"{rounding.MAX_PLACES}", "write round(x, 2)")
    return None


def _round_type(args: Sequence[Type]) -> Type:
    return Type("number", integral=len(args) == 1)


def _round_sql(call: SqlCall) -> ColumnElement[Any]:
    if len(call.args) == 1:
        return rounding.round_whole(call.args[0])
    return rounding.round_places(call.args[0], call.args[1])


def _date_literal_sql(call: SqlCall) -> ColumnElement[Any]:
    return sa.literal(dates.parse_date(call.nodes[0].value), sa.Date())


def _datetime_literal_sql(call: SqlCall) -> ColumnElement[Any]:
    return sa.literal(dates.parse_datetime(call.nodes[0].value), sa.DateTime())


def _unary_sql(element: Callable[..., ColumnElement[Any]],
               ) -> Callable[[SqlCall], ColumnElement[Any]]:
    return lambda call: element(call.args[0])


def _local_args(call: SqlCall) -> list[ColumnElement[Any]]:
    """The call's arguments, each datetime read as the wall-clock time of the project's
    zone (dates as they are)."""
    if call.ctx.zone == "UTC":
        return list(call.args)
    zone = sa.literal(call.ctx.zone, sa.Text())
    return [dates.LOCAL_SQL(arg, zone) if kind.kind == "datetime" else arg
            for arg, kind in zip(call.args, call.types, strict=True)]


def _local_sql(element: Callable[..., ColumnElement[Any]],
               ) -> Callable[[SqlCall], ColumnElement[Any]]:
    """A date function whose datetime argument is first read as the wall-clock time of
    the project's zone (dates are taken as they are)."""
    def build(call: SqlCall) -> ColumnElement[Any]:
        return element(_local_args(call)[0])

    return build


_MOMENTS = frozenset({"date", "datetime"})
_NUMBER = frozenset({"number"})


def _date_functions() -> tuple[Function, ...]:
    parts = tuple(
        Function(name, (_MOMENTS,), _t("number", integral=True), dates.part(name),
                 _local_sql(dates.PART_SQL[name]), description)
        for name, description in (
            ("year", "the year of a date or datetime"),
            ("month", "the month (1-12) of a date or datetime"),
            ("day", "the day of the month (1-31) of a date or datetime"),
            ("weekday", "the ISO day of the week (Monday 1 … Sunday 7)"),
        )
    )
    starts = tuple(
        Function(name, (_MOMENTS,), _t("date"), dates.start(name),
                 _local_sql(dates.START_SQL[name]),
                 f"the first day of the {period} holding a date or datetime")
        for name, period in (("month_start", "month"), ("week_start", "week (Monday)"),
                             ("quarter_start", "quarter"), ("year_start", "year"))
    )
    units = tuple(
        Function(name, (_kinds("duration"),), _t("number"), dates.in_units(seconds),
                 _unary_sql(dates.UNITS_SQL[seconds]),
                 f"a duration in {name} (6 decimal places)")
        for name, seconds in (("hours", 3600), ("days", 86400))
    )
    literals = (
        Function("date", (_kinds("text"),), _t("date"),
                 lambda v, ctx: None if v[0] is None else dates.parse_date(v[0]),
                 _date_literal_sql, "the date written in quotes, YYYY-MM-DD",
                 validate=_literal_of(dates.parse_date, "date", 'date("2026-12-01")')),
        Function("datetime", (_kinds("text"),), _t("datetime"),
                 lambda v, ctx: None if v[0] is None else dates.parse_datetime(v[0]),
                 _datetime_literal_sql, "the moment written in quotes (ISO 8601), as UTC",
                 validate=_literal_of(dates.parse_datetime, "datetime",
                                      'datetime("2026-12-01T10:00:00+08:00")')),
    )
    return parts + starts + units + literals


def _number_functions() -> tuple[Function, ...]:
    return (
        Function("if", (_kinds("boolean"), _kinds("any"), _kinds("any")), _if_type, _if,
                 _if_sql, "the second value when the condition holds, else the third",
                 validate=_one_kind),
        Function("round", (_NUMBER, _NUMBER), _round_type, rounding.round_python,
                 _round_sql, "the number rounded half away from zero", optional=1,
                 validate=_places),
        Function("floor", (_NUMBER,), _t("number", integral=True), rounding.floor_python,
                 lambda c: rounding.floor_sql(c.args[0]), "the greatest whole number ≤ x"),
        Function("ceil", (_NUMBER,), _t("number", integral=True), rounding.ceil_python,
                 lambda c: rounding.ceil_sql(c.args[0]), "the least whole number ≥ x"),
    )


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("today", (), _t("date"), lambda v, ctx: ctx.today, _today_sql,
                 "the current date (in the project's time zone)"),
        Function("now", (), _t("datetime"), lambda v, ctx: ctx.moment, _now_sql,
                 "the current date and time (UTC)"),
        Function("len", (_kinds("text list"),), _t("number", integral=True), _len, _len_sql,
                 "the number of characters of a text, or of items of a tags field"),
        Function("lower", (_kinds("text"),), _t("text"),
                 lambda v, ctx: None if v[0] is None else v[0].translate(_ASCII_LOWER),
                 lambda c: ascii_lower(c.args[0]), "the text with A-Z made lowercase"),
        Function("upper", (_kinds("text"),), _t("text"),
                 lambda v, ctx: None if v[0] is None else v[0].translate(_ASCII_UPPER),
                 lambda c: ascii_upper(c.args[0]), "the text with a-z made uppercase"),
        Function("is_empty", (_kinds("any"),), _t("boolean"), _is_empty, _is_empty_sql,
                 "true when the value is null, empty text or an empty list"),
        Function("coalesce", (_kinds("any"), _kinds("any")), _first_type, _coalesce,
                 lambda c: sa.func.coalesce(*c.args), "the first value that is not null",
                 variadic=True),
        Function("days_between", (_kinds("date datetime"), _kinds("date datetime")),
                 _t("number", integral=True), _days_between,
                 lambda c: days_between_sql(*_local_args(c)),
                 "whole days from the first date to the second (b - a); a moment counts "
                 "by its date in the project's time zone"),
        Function("has_role", (_kinds("text"),), _t("boolean"),
                 lambda v, ctx: v[0] in ctx.roles, _has_role_sql,
                 "true when the user has the role (or a role that includes it)",
                 literal_text=True),
        Function("same_team", (_kinds("id"),), _t("boolean"), _same_team, _same_team_sql,
                 "true when the user in the field shares a team with the current user "
                 "(as a member or its manager)", validate=_a_user),
        Function("contains", (_kinds("text"), _kinds("text")), _t("boolean"), _contains,
                 lambda c: c.condition(text_contains(*c.args)),
                 "true when the text contains the part (case-sensitive)"),
        Function("starts_with", (_kinds("text"), _kinds("text")), _t("boolean"),
                 _starts_with, lambda c: c.condition(text_starts_with(*c.args)),
                 "true when the text begins with the prefix (case-sensitive)"),
        *_date_functions(),
        *_number_functions(),
    )
}

_SIGNATURES = {
    "today": "today()", "now": "now()", "len": "len(text or tags)", "lower": "lower(text)",
    "upper": "upper(text)", "is_empty": "is_empty(value)", "coalesce": "coalesce(a, b, …)",
    "days_between": "days_between(a, b)", "has_role": 'has_role("role")',
    "same_team": "same_team(user field)",
    "contains": "contains(text, part)", "starts_with": "starts_with(text, prefix)",
    "if": "if(condition, a, b)", "round": "round(x) or round(x, places)",
    "floor": "floor(x)", "ceil": "ceil(x)", "hours": "hours(duration)",
    "days": "days(duration)", "date": 'date("YYYY-MM-DD")',
    "datetime": 'datetime("YYYY-MM-DDTHH:MM:SS+08:00")',
    **{name: f"{name}(date)" for name in ("year", "month", "day", "weekday", "month_start",
                                          "week_start", "quarter_start", "year_start")},
}


def signature(name: str) -> str:
    """How a function is called, for messages and documentation."""
    return _SIGNATURES[name]
