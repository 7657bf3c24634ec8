"""Listing and counting through the Store: where, filters, search, sort and pages."""

from __future__ import annotations

import pytest
from guanxi.errors import GuanxiError
from store_project import Sales, open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def add_leads(sales: Sales, *rows: dict, user=None):
    return [sales.store.create(user or sales.rep, "lead", row) for row in rows]


def names(page) -> list[str]:
    return [r["name"] for r in page.items]


def test_list_shows_only_readable_records_with_a_total(sales):
    add_leads(sales, {"name": "mine"})
    add_leads(sales, {"name": "theirs"}, user=sales.other_rep)
    page = sales.store.list(sales.rep, "lead")
    assert names(page) == ["mine"] and page.total == 1 and page.next_cursor is None
    assert sales.store.count(sales.manager, "lead") == 2


def test_default_order_is_newest_first(sales):
    add_leads(sales, {"name": "a"}, {"name": "b"}, {"name": "c"})
    assert names(sales.store.list(sales.rep, "lead")) == ["c", "b", "a"]


def test_where_filters_with_the_expression_language(sales):
    add_leads(sales, {"name": "small", "value": 10}, {"name": "big", "value": 5000},
              {"name": "none"})
    page = sales.store.list(sales.rep, "lead", where="value >= 100 or name == \"none\"",
                            sort=["name"])
    assert names(page) == ["big", "none"]
    assert sales.store.count(sales.rep, "lead", where="value < 100") == 1


def test_where_with_a_type_error_is_refused_with_the_checkers_message(sales):
    with pytest.raises(GuanxiError, match="where: "):
        sales.store.list(sales.rep, "lead", where='value > "lots"')


def test_where_on_an_unknown_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="nmae"):
        sales.store.count(sales.rep, "lead", where='nmae == "x"')


def test_where_on_a_hidden_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="income"):
        sales.store.count(sales.rep, "lead", where="income > 0")
    assert sales.store.count(sales.manager, "lead", where="income > 0") == 0


def test_filters_are_structured_equality(sales):
    add_leads(sales, {"name": "a", "source": "phone", "phone": "12345"},
              {"name": "b", "source": "web"}, {"name": "c", "source": "referral",
                                               "referrer": "Bo"})
    assert names(sales.store.list(sales.rep, "lead", filters={"source": "phone"})) == ["a"]
    two = sales.store.list(sales.rep, "lead", filters={"source": ["phone", "web"]}, sort=["name"])
    assert names(two) == ["a", "b"]
    assert sales.store.count(sales.rep, "lead", filters={"phone": None}) == 2


def test_filter_values_are_read_by_the_field_type(sales):
    add_leads(sales, {"name": "a", "visits": 3}, {"name": "b", "visits": 4})
    assert names(sales.store.list(sales.rep, "lead", filters={"visits": "3"})) == ["a"]
    with pytest.raises(GuanxiError, match="'three' is not a whole number"):
        sales.store.list(sales.rep, "lead", filters={"visits": "three"})


def test_filter_on_a_hidden_or_unknown_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="income"):
        sales.store.list(sales.rep, "lead", filters={"income": 1})
    with pytest.raises(GuanxiError, match="colour"):
        sales.store.list(sales.rep, "lead", filters={"colour": "red"})


def test_search_is_a_case_insensitive_substring_of_text_fields(sales):
    add_leads(sales, {"name": "Zhang San", "notes": "met at EXPO"}, {"name": "Li Si"},
              {"name": "100% sure"})
    assert names(sales.store.list(sales.rep, "lead", search="zhang")) == ["Zhang San"]
    assert names(sales.store.list(sales.rep, "lead", search="expo")) == ["Zhang San"]
    assert names(sales.store.list(sales.rep, "lead", search="%")) == ["100% sure"]
    assert sales.store.count(sales.rep, "lead", search="_") == 0


def test_search_finds_chinese_text(sales):
    add_leads(sales, {"name": "王伟"}, {"name": "李娜"})
    assert names(sales.store.list(sales.rep, "lead", search="王")) == ["王伟"]


def test_sort_by_several_fields_with_empty_values_last(sales):
    add_leads(sales, {"name": "b", "value": 5}, {"name": "a", "value": 5},
              {"name": "c"}, {"name": "d", "value": 9})
    ascending = sales.store.list(sales.rep, "lead", sort=["value", "name"])
    assert names(ascending) == ["a", "b", "d", "c"]
    descending = sales.store.list(sales.rep, "lead", sort=["-value", "-name"])
    assert names(descending) == ["d", "b", "a", "c"]


def test_sort_by_an_undeclared_field_is_refused(sales):
    with pytest.raises(GuanxiError, match="cannot sort lead by 'nmae'"):
        sales.store.list(sales.rep, "lead", sort=["nmae"])


def test_pages_follow_the_cursor_without_gaps_or_repeats(sales):
    add_leads(sales, *({"name": f"lead {i:02}", "value": i % 3 or None} for i in range(23)))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = sales.store.list(sales.rep, "lead", sort=["-value", "name"], limit=5,
                                after=cursor)
        seen += names(page)
        pages += 1
        assert page.total == 23
        cursor = page.next_cursor
        if cursor is None:
            break
    everything = names(sales.store.list(sales.rep, "lead", sort=["-value", "name"], limit=100))
    assert seen == everything and len(seen) == 23 and pages == 5


def test_a_cursor_for_another_sort_is_refused(sales):
    add_leads(sales, {"name": "a"}, {"name": "b"})
    page = sales.store.list(sales.rep, "lead", sort=["name"], limit=1)
    with pytest.raises(GuanxiError, match="invalid cursor"):
        sales.store.list(sales.rep, "lead", sort=["-name"], after=page.next_cursor)
    with pytest.raises(GuanxiError, match="invalid cursor"):
        sales.store.list(sales.rep, "lead", after="not a cursor")


def test_limit_must_be_reasonable(sales):
    with pytest.raises(GuanxiError, match="limit"):
        sales.store.list(sales.rep, "lead", limit=0)
    with pytest.raises(GuanxiError, match="limit"):
        sales.store.list(sales.rep, "lead", limit=100000)


def test_without_total_the_count_is_skipped(sales):
    add_leads(sales, {"name": "a"})
    assert sales.store.list(sales.rep, "lead", with_total=False).total is None
