"""Numbers beyond what the database columns hold are refused as bad input (a per-field
error, a not-found id, a located expression error), never passed on to fail in SQL."""

from __future__ import annotations

import pytest
from guanxi.errors import GuanxiError, NotFound, ValidationFailed
from guanxi.expr import ExprSyntaxError, parse
from store_project import open_sales

TOO_BIG = 2**63


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def test_an_integer_beyond_64_bits_is_a_field_error(sales):
    with pytest.raises(ValidationFailed) as refused:
        sales.store.create(sales.rep, "lead", {"name": "Lin", "visits": TOO_BIG})

    assert refused.value.errors["visits"] == [
        f"{TOO_BIG} is outside the whole numbers that can be stored "
        "(from -9223372036854775808 to 9223372036854775807)"]
    assert sales.store.count(sales.manager, "lead") == 0


def test_an_integer_within_range_is_stored_as_given(sales):
    lead = sales.store.create(sales.rep, "lead", {"name": "Lin", "visits": 99})
    assert sales.store.get(sales.rep, "lead", lead["id"])["visits"] == 99


def test_a_reference_beyond_the_id_range_is_not_a_record_id(sales):
    with pytest.raises(ValidationFailed) as refused:
        sales.store.create(sales.rep, "lead", {"name": "Lin", "account": TOO_BIG})

    assert refused.value.errors["account"] == [
        f"{TOO_BIG} is not a record id (a positive whole number)"]


def test_an_owner_beyond_the_id_range_is_refused(sales):
    with pytest.raises(ValidationFailed) as refused:
        sales.store.create(sales.manager, "lead", {"name": "Lin", "owner": TOO_BIG})

    assert list(refused.value.errors) == ["owner"]


@pytest.mark.parametrize("record_id", [TOO_BIG, 2**31, str(TOO_BIG)])
def test_a_record_id_beyond_the_id_range_is_not_found(sales, record_id):
    with pytest.raises(NotFound):
        sales.store.get(sales.manager, "lead", record_id)


def test_a_filter_with_a_number_too_large_is_refused(sales):
    with pytest.raises(GuanxiError, match="too large"):
        sales.store.list(sales.manager, "lead", where=f"visits == {TOO_BIG}")


@pytest.mark.parametrize(("text", "message"), [
    (f"visits > {TOO_BIG}", f"the number {TOO_BIG} is too large"),
    ("value > 1" + "0" * 40 + ".5", "has too many digits"),
    ("age > 99999999999999999999w", "the duration 99999999999999999999w is too long"),
])
def test_expression_literals_beyond_the_database_range_are_syntax_errors(text, message):
    with pytest.raises(ExprSyntaxError, match=message) as refused:
        parse(text)
    assert refused.value.offset == text.index(text.split()[-1])
