"""Type checking expressions against an entity's fields: what names mean, and messages."""

from __future__ import annotations

from typing import Any

import pytest
from guanxi.expr import ExprProblem, Scope, check, fields_used, parse
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec

LOC = Loc("entities/lead.yaml", 3, 5)


def _field(name: str, type_: str, **keys: Any) -> FieldSpec:
    return FieldSpec(name=name, type=type_, loc=LOC, **keys)


ACCOUNT = EntitySpec("account", LOC, fields=(
    _field("sector", "choice", options=()),
    _field("parent", "reference", ref="account"),
))
LEAD = EntitySpec("lead", LOC, fields=(
    _field("email", "email"),
    _field("name", "string"),
    _field("value", "money"),
    _field("probability", "percent"),
    _field("count", "integer"),
    _field("vip", "boolean"),
    _field("close_date", "date"),
    _field("tags", "tags"),
    _field("account", "reference", ref="account"),
    _field("manager", "user"),
))
SCOPE = Scope.for_entity(ProjectSpec("acme", ".", LOC, entities=(ACCOUNT, LEAD)), LEAD)


def problems(text: str, expect: str | None = "boolean") -> list[ExprProblem]:
    return check(parse(text), SCOPE, expect)


def only_message(text: str, expect: str | None = "boolean") -> str:
    found = problems(text, expect)
    assert len(found) == 1, found
    return found[0].message


@pytest.mark.parametrize("text", [
    'email == "a@b.c"',
    "value * probability / 100 > 1000",
    'state == "new" and created_at < now() - 3d',
    "owner == current_user or manager == current_user",
    'account.sector == "retail"',
    'account.parent.parent.sector != null',
    '"vip" in tags and not is_empty(name)',
    "days_between(close_date, today()) > 30",
    "close_date + 2w >= today()",
    "count % 2 == 0",
    'has_role("sales_manager") or len(name) <= 3',
    'coalesce(name, email, "") != ""',
    "vip",
    "account == 3",
])
def test_well_typed_conditions_have_no_problems(text: str) -> None:
    assert problems(text) == []


def test_an_unknown_field_suggests_the_closest_name() -> None:
    assert problems('emial == "x"') == [
        ExprProblem("unknown field 'emial' — did you mean 'email'?", 0, None)
    ]


def test_an_unknown_field_without_a_close_name_lists_the_fields() -> None:
    (problem,) = problems("zzzzzz == 1")
    assert problem.message == "unknown field 'zzzzzz'"
    assert problem.hint is not None and "email" in problem.hint


def test_an_unknown_field_on_a_path_names_the_target_entity() -> None:
    assert problems('account.sectr == "x"') == [ExprProblem(
        "unknown field 'sectr' of 'account' — did you mean 'sector'?", 8, None
    )]


def test_a_path_must_go_through_a_reference() -> None:
    assert only_message("email.domain == 1") == (
        "'email' is not a reference, so '.domain' cannot follow it"
    )


def test_comparing_a_number_with_text_is_refused_at_the_operator() -> None:
    assert problems('value > "abc"') == [
        ExprProblem("'value > \"abc\"' compares a number with text", 6, None)
    ]


def test_a_user_is_not_comparable_with_text() -> None:
    assert only_message('owner == "bob"') == "'owner == \"bob\"' compares a user with text"


def test_references_to_different_entities_do_not_compare() -> None:
    assert only_message("account == owner") == (
        "'account == owner' compares an account record with a user"
    )


def test_an_unknown_function_suggests_the_closest_one() -> None:
    assert only_message("lenght(name) > 1") == "unknown function 'lenght' — did you mean 'len'?"


def test_a_function_with_the_wrong_number_of_arguments() -> None:
    (problem,) = problems("len(name, email) > 1")
    assert problem.message == "len() takes 1 argument, not 2"
    assert problem.hint == "write len(text or tags)"


def test_a_function_with_an_argument_of_the_wrong_kind() -> None:
    assert only_message("lower(value) == \"x\"") == (
        "lower() needs text as argument 1; 'value' is a number"
    )


def test_has_role_needs_a_literal_role_name() -> None:
    assert only_message("has_role(name)") == "has_role() needs a role name in quotes"


def test_same_team_takes_a_user_field() -> None:
    assert problems("same_team(manager)") == []
    assert only_message("same_team(account)") == (
        "same_team() takes a user field; this is a reference to account")


def test_a_condition_must_be_true_or_false() -> None:
    assert problems("value + 1") == [ExprProblem(
        "a condition must be true or false; this is a number", 0,
        "compare it with something, e.g. value > 0",
    )]


def test_a_computed_value_must_have_the_field_s_kind() -> None:
    assert problems("value * 2", expect="number") == []
    assert only_message("value > 2", expect="number") == (
        "the result must be a number; this is true or false"
    )


def test_null_is_not_a_condition_but_may_be_assigned() -> None:
    assert only_message("null") == "a condition must be true or false; this is null"
    assert problems("null", expect="date") == []


def test_a_list_is_written_only_after_in() -> None:
    assert only_message("tags == [\"a\"]") == (
        "a list [ … ] can only be written after 'in' or 'not in'"
    )


def test_any_kind_is_accepted_when_none_is_expected() -> None:
    assert problems("close_date + 1d", expect=None) == []


def test_and_joins_conditions_only() -> None:
    assert problems("vip and value") == [
        ExprProblem("'and' joins conditions; 'value' is a number", 8, None)
    ]


def test_in_needs_a_list_on_the_right() -> None:
    assert only_message('"x" in name') == (
        "'in' needs a list on its right, like [1, 2]; 'name' is text"
    )


def test_in_looks_for_an_item_of_the_list_s_kind() -> None:
    assert only_message("5 in tags") == "'5 in tags' looks for a number in a list"


def test_a_list_holds_one_kind() -> None:
    assert only_message('name in ["a", 2]') == (
        "a list's items must all be of one kind; '2' is a number, the ones before are text"
    )


def test_remainder_is_for_whole_numbers() -> None:
    assert only_message("value % 2 == 0") == (
        "'value % 2' uses % on a number that may have decimals; % works on whole numbers only"
    )


def test_subtracting_dates_points_to_days_between() -> None:
    (problem,) = problems("close_date - today() > 3d")
    assert problem.message == (
        "'close_date - today()' cannot subtract a date and a date with '-'"
    )
    assert problem.hint == "use days_between(a, b) for the number of days between two dates"


def test_true_and_false_cannot_be_ordered() -> None:
    assert only_message("vip > false") == "'vip > false': true or false cannot be ordered with '>'"


def test_ordering_against_null_is_refused() -> None:
    assert only_message("value > null") == (
        "'value > null' orders against null, which is never true"
    )


def test_not_needs_a_condition() -> None:
    assert only_message("not value") == "'not' needs a condition; 'value' is a number"


def test_every_problem_is_reported_at_once() -> None:
    assert [p.offset for p in problems("emial == 1 and nmae == 2")] == [0, 15]


def test_system_fields_are_known_and_state_is_text() -> None:
    assert problems('state == "new" and version > 1 and deleted_at == null') == []
    assert only_message("state > 1") == "'state > 1' compares text with a number"


def test_current_user_is_a_user() -> None:
    assert problems("current_user == owner") == []
    assert only_message("current_user == name") == (
        "'current_user == name' compares a user with text"
    )


def test_a_misspelt_current_user_is_suggested() -> None:
    assert only_message("owner == curent_user") == (
        "unknown field 'curent_user' — did you mean 'current_user'?"
    )


def test_fields_used_are_the_first_steps_of_names() -> None:
    node = parse('account.sector == "x" and value > len(name) and owner == current_user')
    assert fields_used(node) == frozenset({"account", "value", "name", "owner"})
