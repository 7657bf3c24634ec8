"""Evaluating expressions in Python on record dicts: the semantics, one behaviour each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from guanxi.expr import Context, ExprInvalid, Scope, parse, to_python
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec

LOC = Loc("entities/deal.yaml", 1, 1)


def _field(name: str, type_: str, **keys: Any) -> FieldSpec:
    return FieldSpec(name=name, type=type_, loc=LOC, **keys)


ACCOUNT = EntitySpec("account", LOC, fields=(
    _field("sector", "choice"),
    _field("parent", "reference", ref="account"),
))
DEAL = EntitySpec("deal", LOC, fields=(
    _field("name", "string"),
    _field("value", "money"),
    _field("count", "integer"),
    _field("won", "boolean"),
    _field("close_date", "date"),
    _field("seen_at", "datetime"),
    _field("wait", "duration"),
    _field("tags", "tags"),
    _field("account", "reference", ref="account"),
))
SCOPE = Scope.for_entity(ProjectSpec("acme", ".", LOC, entities=(ACCOUNT, DEAL)), DEAL)
NOW = datetime(2026, 11, 22, 8, 30, 15, 250000)
CTX = Context(user_id=7, roles=frozenset({"sales"}), now=NOW)
ACCOUNTS = {1: {"sector": "retail", "parent": 2}, 2: {"sector": "银行", "parent": None}}


def resolve(entity: str, record_id: int) -> dict[str, Any] | None:
    return ACCOUNTS.get(record_id) if entity == "account" else None


def run(text: str, ctx: Context = CTX, **record: Any) -> Any:
    return to_python(parse(text), SCOPE)(record, ctx, resolve)


# ------------------------------------------------------------ two-valued logic

def test_a_comparison_with_null_is_false() -> None:
    assert run("value > 100", value=None) is False
    assert run("value <= 100", value=None) is False


def test_not_of_a_comparison_with_null_is_true() -> None:
    assert run("not (value > 100)", value=None) is True


def test_inequality_with_null_is_false_too() -> None:
    assert run('name != "x"', name=None) is False


def test_equality_with_the_null_literal_tests_for_empty() -> None:
    assert run("value == null", value=None) is True
    assert run("value != null", value=Decimal("1")) is True
    assert run("value == null", value=Decimal("0")) is False


def test_a_missing_key_is_null() -> None:
    assert run("name == null") is True


def test_a_null_boolean_field_is_not_true() -> None:
    assert run("won", won=None) is False
    assert run("not won", won=None) is True
    assert run("won == false", won=None) is False


def test_and_or_combine_conditions() -> None:
    assert run("count > 1 and count < 5", count=3) is True
    assert run("count < 1 or count > 5", count=3) is False


def test_in_finds_equal_items() -> None:
    assert run("count in [1, 2, 3]", count=2) is True
    assert run('name in ["a", "b"]', name="c") is False


def test_null_is_in_no_list_and_so_not_in_every_list() -> None:
    assert run("count in [1, null]", count=None) is False
    assert run("count not in [1, 2]", count=None) is True


def test_in_a_tags_field() -> None:
    assert run('"vip" in tags', tags=["new", "vip"]) is True
    assert run('"vip" in tags', tags=None) is False
    assert run('"vip" not in tags', tags=[]) is True


# ------------------------------------------------------------ numbers

def test_decimal_arithmetic_is_exact() -> None:
    assert run("value + 0.2 == 0.3", value=Decimal("0.1")) is True


def test_division_is_rounded_to_six_places_half_away_from_zero() -> None:
    compute = to_python(parse("value / 3"), SCOPE)
    assert compute({"value": Decimal("2")}, CTX, None) == Decimal("0.666667")
    assert compute({"value": Decimal("-2")}, CTX, None) == Decimal("-0.666667")


def test_division_of_whole_numbers_is_not_truncated() -> None:
    assert to_python(parse("count / 2"), SCOPE)({"count": 7}, CTX, None) == Decimal("3.5")


def test_division_by_zero_is_null() -> None:
    assert run("value / 0 == null", value=Decimal("5")) is True
    assert run("count % 0 == null", count=5) is True


def test_whole_number_arithmetic_stays_whole() -> None:
    assert to_python(parse("count * 3 - 1"), SCOPE)({"count": 4}, CTX, None) == 11


def test_remainder_keeps_the_sign_of_the_dividend() -> None:
    assert to_python(parse("count % 3"), SCOPE)({"count": -7}, CTX, None) == -1


def test_floats_are_read_as_decimals() -> None:
    assert run("value * 3 == 0.3", value=0.1) is True


def test_arithmetic_with_null_is_null() -> None:
    assert run("value + 1 == null", value=None) is True


# ------------------------------------------------------------ text

def test_plus_joins_text() -> None:
    assert run('name + "!" == "hi!"', name="hi") is True


def test_text_orders_by_code_point() -> None:
    assert run('name < "a"', name="Z") is True
    assert run('name > "z"', name="关系") is True


def test_lower_and_upper_change_ascii_letters_only() -> None:
    assert run('lower(name) == "abcÄ"', name="ABcÄ") is True
    assert run('upper(name) == "ABCé"', name="abcé") is True


def test_len_counts_characters_and_tags() -> None:
    assert run("len(name) == 2", name="关系") is True
    assert run("len(tags) == 2", tags=["a", "b"]) is True
    assert run("len(name) == null", name=None) is True


def test_contains_and_starts_with_are_case_sensitive() -> None:
    assert run('contains(name, "cm")', name="Acme") is True
    assert run('contains(name, "AC")', name="Acme") is False
    assert run('starts_with(name, "Ac")', name="Acme") is True
    assert run('starts_with(name, "")', name=None) is False


def test_is_empty_covers_null_empty_text_and_empty_lists() -> None:
    assert [run("is_empty(name)", name=v) for v in (None, "", " ")] == [True, True, False]
    assert [run("is_empty(tags)", tags=v) for v in (None, [], ["a"])] == [True, True, False]
    assert run("is_empty(value)", value=Decimal("0")) is False


def test_coalesce_takes_the_first_value_that_is_not_null() -> None:
    assert run('coalesce(name, "none") == "none"', name=None) is True
    assert run('coalesce(name, "none") == ""', name="") is True


# ------------------------------------------------------------ dates, times, durations

def test_today_and_now_come_from_the_context() -> None:
    assert run("close_date == today()", close_date=date(2026, 11, 22)) is True
    assert run("seen_at == now()", seen_at=NOW) is True


def test_an_aware_now_is_taken_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    ctx = Context(user_id=None, now=datetime(2026, 11, 22, 9, 0, tzinfo=beijing))
    assert ctx.now == datetime(2026, 11, 22, 1, 0)
    assert ctx.today == date(2026, 11, 22)


def test_a_context_without_now_uses_the_current_moment() -> None:
    before = datetime.now(UTC).replace(tzinfo=None)
    assert Context(user_id=None).moment >= before


def test_date_plus_duration_adds_whole_days() -> None:
    assert run("close_date + 3d == today()", close_date=date(2026, 11, 19)) is True
    assert run("close_date + 12h == today()", close_date=date(2026, 11, 22)) is True


def test_date_minus_part_of_a_day_is_the_day_before() -> None:
    assert run("close_date - 1h == today()", close_date=date(2026, 11, 23)) is True


def test_datetime_minus_duration_shifts_the_time() -> None:
    assert run("seen_at - 90m == now()", seen_at=NOW + timedelta(minutes=90)) is True


def test_now_minus_a_datetime_is_a_duration() -> None:
    assert run("now() - seen_at > 12h", seen_at=NOW - timedelta(hours=13)) is True
    assert run("now() - seen_at > 12h", seen_at=NOW - timedelta(hours=11)) is False


def test_datetime_difference_drops_fractions_of_a_second_first() -> None:
    seen = datetime(2026, 11, 21, 20, 30, 14, 950000)  # 12 hours and 0.3 s before NOW
    assert to_python(parse("now() - seen_at"), SCOPE)({"seen_at": seen}, CTX, None) == 43201


def test_a_duration_field_is_seconds() -> None:
    assert run("wait >= 2w", wait=14 * 86400) is True


def test_days_between_counts_calendar_days() -> None:
    assert run("days_between(close_date, today()) == 3", close_date=date(2026, 11, 19)) is True
    assert run(
        "days_between(seen_at, close_date) == -1",
        seen_at=datetime(2026, 11, 23, 23, 59), close_date=date(2026, 11, 22),
    ) is True


# ------------------------------------------------------------ names and roles

def test_current_user_is_the_context_s_user() -> None:
    assert run("owner == current_user", owner=7) is True
    assert run("owner == current_user", Context(user_id=None), owner=7) is False


def test_has_role_reads_the_context_s_roles() -> None:
    assert run('has_role("sales")') is True
    assert run('has_role("admin")') is False


def test_same_team_reads_the_context_s_team_mates() -> None:
    mates = Context(user_id=7, team_mates=frozenset({7, 9}))
    assert run("same_team(owner)", mates, owner=9) is True
    assert run("same_team(owner)", mates, owner=8) is False
    assert run("same_team(owner)", mates, owner=None) is False


def test_a_path_follows_references_through_the_resolver() -> None:
    assert run('account.sector == "retail"', account=1) is True
    assert run('account.parent.sector == "银行"', account=1) is True


def test_a_path_is_null_without_a_resolver_or_a_target() -> None:
    evaluate = to_python(parse("account.sector == null"), SCOPE)
    assert evaluate({"account": 1}, CTX) is True
    assert evaluate({"account": 99}, CTX, resolve) is True
    assert evaluate({"account": None}, CTX, resolve) is True


def test_compiling_an_ill_typed_expression_is_refused() -> None:
    with pytest.raises(ExprInvalid) as caught:
        to_python(parse('value > "x"'), SCOPE)
    assert caught.value.problems[0].message == "'value > \"x\"' compares a number with text"


def test_an_aware_datetime_in_a_record_is_taken_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    seen = datetime(2026, 11, 22, 16, 30, 15, 250000, tzinfo=beijing)  # NOW, in Beijing
    assert run("seen_at == now()", seen_at=seen) is True
