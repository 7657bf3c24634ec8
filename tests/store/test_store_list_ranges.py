"""Lists through the Store: ranges of ordered fields, page offsets and the sums of a
filtered list, under the reader's row rules and hidden fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from guanxi.errors import GuanxiError
from guanxi.store.filters import FilterError, FilterScope, Range, parse_filters
from store_project import Sales, open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def add_leads(sales: Sales, *rows: dict, user=None):
    return [sales.store.create(user or sales.rep, "lead", row) for row in rows]


def names(page) -> list[str]:
    return sorted(r["name"] for r in page.items)


def test_a_money_range_keeps_both_ends(sales):
    add_leads(sales, {"name": "a", "value": 99}, {"name": "b", "value": 100},
              {"name": "c", "value": 500}, {"name": "d", "value": 501}, {"name": "e"})
    page = sales.store.list(sales.rep, "lead", filters={"value": Range("100", "500")})
    assert names(page) == ["b", "c"]


def test_a_range_open_at_one_end(sales):
    add_leads(sales, {"name": "a", "value": 10}, {"name": "b", "value": 1000})
    assert names(sales.store.list(sales.rep, "lead", filters={"value": Range("500")})) == ["b"]
    assert names(sales.store.list(sales.rep, "lead",
                                  filters={"value": Range(None, "500")})) == ["a"]


def test_a_date_range(sales):
    add_leads(sales, {"name": "old", "since": dt.date(2025, 12, 31)},
              {"name": "new", "since": dt.date(2026, 1, 15)})
    page = sales.store.list(sales.rep, "lead",
                            filters={"since": Range("2026-01-01", "2026-01-31")})
    assert names(page) == ["new"]


def test_a_datetime_range_ending_on_a_date_includes_that_day(sales):
    add_leads(sales, {"name": "today"})
    today = dt.datetime.now(dt.UTC).date().isoformat()
    page = sales.store.list(sales.rep, "lead", filters={"created_at": Range(today, today)})
    assert names(page) == ["today"]


def test_a_range_end_its_field_cannot_hold_is_refused(sales):
    with pytest.raises(GuanxiError, match="value"):
        sales.store.list(sales.rep, "lead", filters={"value": Range("lots")})


def test_url_ranges_are_read_from_from_and_to():
    scope = FilterScope("lead", {"value": "money", "name": "string"})
    (found,) = parse_filters([("value.from", "10"), ("value.to", "20")], scope)
    assert found.field == "value" and found.value == Range("10", "20")


def test_a_range_on_a_field_without_order_is_a_bad_filter():
    scope = FilterScope("lead", {"value": "money", "name": "string"})
    with pytest.raises(FilterError) as raised:
        parse_filters([("name.from", "a")], scope)
    assert raised.value.code == "bad_filter"


def test_a_range_on_an_unknown_field_is_an_unknown_filter():
    scope = FilterScope("lead", {"value": "money"})
    with pytest.raises(FilterError) as raised:
        parse_filters([("income.to", "5")], scope)
    assert raised.value.code == "unknown_filter"


def test_an_offset_skips_records_in_order(sales):
    add_leads(sales, *({"name": f"l{n}"} for n in range(5)))
    page = sales.store.list(sales.rep, "lead", sort=["name"], limit=2, offset=2)
    assert [r["name"] for r in page.items] == ["l2", "l3"] and page.total == 5


def test_a_negative_offset_is_refused(sales):
    with pytest.raises(GuanxiError, match="page"):
        sales.store.list(sales.rep, "lead", offset=-1)


def test_sums_cover_every_matching_record_not_only_the_page(sales):
    add_leads(sales, *({"name": f"l{n}", "value": 100} for n in range(5)))
    page = sales.store.list(sales.rep, "lead", limit=2, sums=["value"])
    assert len(page.items) == 2 and page.sums["value"] == Decimal("500")


def test_sums_keep_to_the_readers_rows(sales):
    add_leads(sales, {"name": "mine", "value": 10})
    add_leads(sales, {"name": "theirs", "value": 1000}, user=sales.other_rep)
    assert sales.store.list(sales.rep, "lead", sums=["value"]).sums["value"] == 10
    assert sales.store.list(sales.manager, "lead", sums=["value"]).sums["value"] == 1010


def test_a_sum_of_a_hidden_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="income"):
        sales.store.list(sales.rep, "lead", sums=["income"])


def test_a_sum_of_a_text_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="name"):
        sales.store.list(sales.manager, "lead", sums=["name"])
