"""The date, choice and rounding functions: `if`, date parts, date literals, period starts,
`hours`/`days`, `round`/`floor`/`ceil`: what each computes in Python, and how a wrong
argument is reported. (That SQL computes the same: test_expr_parity.py.)"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from guanxi.expr import Context, ExprProblem, Scope, check, parse, to_python
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec

LOC = Loc("entities/deal.yaml", 1, 1)
DEAL = EntitySpec("deal", LOC, fields=(
    FieldSpec(name="value", type="money", loc=LOC),
    FieldSpec(name="count", type="integer", loc=LOC),
    FieldSpec(name="won", type="boolean", loc=LOC),
    FieldSpec(name="name", type="string", loc=LOC),
    FieldSpec(name="close_date", type="date", loc=LOC),
    FieldSpec(name="seen_at", type="datetime", loc=LOC),
    FieldSpec(name="wait", type="duration", loc=LOC),
))
SCOPE = Scope.for_entity(ProjectSpec("acme", ".", LOC, entities=(DEAL,)), DEAL)
CTX = Context(user_id=1, now=datetime(2026, 12, 1, 9, 0))
# A Sunday, 23:30 UTC.
SUNDAY = datetime(2026, 11, 29, 23, 30)


def run(text: str, **record: Any) -> Any:
    return to_python(parse(text), SCOPE)(record, CTX, None)


def only_problem(text: str, expect: str | None = None) -> ExprProblem:
    found = check(parse(text), SCOPE, expect)
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------ if


def test_if_gives_the_second_value_when_the_condition_holds() -> None:
    assert run('if(won, "yes", "no")', won=True) == "yes"


def test_if_gives_the_third_value_when_the_condition_is_false_or_empty() -> None:
    assert run('if(won, "yes", "no")', won=None) == "no"


def test_if_needs_a_condition_first() -> None:
    problem = only_problem("if(count, 1, 2)")
    assert "if() needs boolean as argument 1" in problem.message


def test_if_needs_both_values_of_one_kind() -> None:
    problem = only_problem('if(won, 1, "x")')
    assert problem.message == ("if() gives values of one kind; the second argument is "
                               "a number, the third is text")
    assert problem.offset == len("if(won, 1, ")


def test_if_may_give_null_on_one_side() -> None:
    assert run("if(won, value, null)", won=False, value=Decimal(3)) is None


# ------------------------------------------------------------ date parts


@pytest.mark.parametrize(("text", "value"), [
    ("year(close_date)", 2026), ("month(close_date)", 2), ("day(close_date)", 28),
    ("weekday(close_date)", 6),
])
def test_the_parts_of_a_date(text: str, value: int) -> None:
    assert run(text, close_date=date(2026, 2, 28)) == value


def test_weekday_counts_monday_as_one_and_sunday_as_seven() -> None:
    assert run("weekday(seen_at)", seen_at=SUNDAY) == 7
    assert run("weekday(seen_at + 1h)", seen_at=SUNDAY) == 1


def test_a_part_of_an_empty_date_is_empty() -> None:
    assert run("year(close_date)", close_date=None) is None


def test_a_part_of_text_is_refused_with_the_signature() -> None:
    problem = only_problem("year(name)")
    assert problem.message == "year() needs date or datetime as argument 1; 'name' is text"
    assert problem.hint == "write year(date)"


# ------------------------------------------------------------ literals


def test_a_date_literal_is_a_date() -> None:
    assert run('date("2026-12-01")') == date(2026, 12, 1)


def test_a_datetime_literal_with_an_offset_is_kept_as_utc() -> None:
    assert run('datetime("2026-12-01T10:00:00+08:00")') == datetime(2026, 12, 1, 2, 0)


def test_a_datetime_literal_without_an_offset_is_utc() -> None:
    assert run('datetime("2026-12-01T10:00")') == datetime(2026, 12, 1, 10, 0)


def test_a_date_literal_compares_with_a_date_field() -> None:
    assert run('close_date < date("2026-12-01")', close_date=date(2026, 11, 30)) is True


def test_a_date_literal_that_is_not_in_the_calendar_is_refused_where_written() -> None:
    problem = only_problem('date("2026-02-30")')
    assert problem.message == "'2026-02-30' is not a date of the calendar"
    assert problem.offset == len("date(")


def test_a_date_literal_in_another_format_is_refused() -> None:
    problem = only_problem('date("1.12.2026")')
    assert problem.message == "'1.12.2026' is not a date written YYYY-MM-DD"
    assert problem.hint == 'write date("2026-12-01")'


def test_a_date_literal_must_be_written_in_quotes() -> None:
    problem = only_problem("date(name)")
    assert problem.message == "date() needs its value in quotes"


# ------------------------------------------------------------ period starts


@pytest.mark.parametrize(("function", "start"), [
    ("month_start", date(2026, 11, 1)), ("week_start", date(2026, 11, 23)),
    ("quarter_start", date(2026, 10, 1)), ("year_start", date(2026, 1, 1)),
])
def test_the_start_of_the_period_holding_a_datetime(function: str, start: date) -> None:
    assert run(f"{function}(seen_at)", seen_at=SUNDAY) == start


def test_a_week_starts_on_the_monday_itself() -> None:
    assert run("week_start(close_date)", close_date=date(2026, 11, 30)) == date(2026, 11, 30)


def test_a_period_start_is_a_date() -> None:
    assert check(parse('month_start(seen_at) == date("2026-11-01")'), SCOPE) == []


# ------------------------------------------------------------ durations as numbers


def test_hours_of_a_duration() -> None:
    assert run("hours(90m)") == Decimal("1.5")


def test_days_of_a_datetime_difference() -> None:
    assert run("days(now() - seen_at)", seen_at=datetime(2026, 11, 30, 21, 0)) == Decimal("0.5")


def test_hours_of_a_number_is_refused() -> None:
    problem = only_problem("hours(count)")
    assert problem.message == "hours() needs duration as argument 1; 'count' is a number"


# ------------------------------------------------------------ rounding


@pytest.mark.parametrize(("text", "value"), [
    ("round(2.5)", 3), ("round(-2.5)", -3), ("round(2.449)", 2),
    ("round(2.345, 2)", Decimal("2.35")), ("round(-2.345, 2)", Decimal("-2.35")),
    ("floor(2.7)", 2), ("floor(-2.2)", -3), ("ceil(2.2)", 3), ("ceil(-2.7)", -2),
    ("floor(5)", 5),
])
def test_rounding(text: str, value: object) -> None:
    assert run(text) == value


def test_round_to_whole_gives_a_whole_number() -> None:
    assert check(parse("round(value) % 2 == 0"), SCOPE) == []


def test_round_takes_its_places_as_a_literal_from_0_to_6() -> None:
    problem = only_problem("round(value, count)")
    assert problem.message == "round() takes the decimal places as a whole number from 0 to 6"
    assert problem.offset == len("round(value, ")


def test_round_takes_one_or_two_arguments() -> None:
    problem = only_problem("round(value, 1, 2)")
    assert problem.message == "round() takes 1 to 2 arguments, not 3"


def test_rounding_an_empty_value_is_empty() -> None:
    assert run("floor(value)", value=None) is None
