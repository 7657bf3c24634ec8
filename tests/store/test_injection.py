"""SQL injection attempts through every input the Store takes: refused, or bound as
harmless values. A canary table and the row counts show that nothing was executed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from guanxi.errors import GuanxiError, NotFound
from store_project import Sales, open_sales

PAYLOADS = [
    "'; DROP TABLE canary; --",
    "\"; DROP TABLE canary; --",
    "x' OR '1'='1",
    "1 OR 1=1",
    "1; DELETE FROM lead",
    "name) OR (1=1",
    "') UNION SELECT id, secret FROM canary --",
    "name; DROP TABLE canary",
    "%' OR 1=1 --",
    "\\'; DROP TABLE canary; --",
    "lead.id = 1 OR 1",
    "-- comment",
    "/* */ 1 = 1",
    "name\x00",
    "ｎａｍｅ",
]

WHERE_ATTEMPTS = [
    "name == \"x\" or 1 == 1; DROP TABLE canary",
    "name == 'x'; DROP TABLE canary",
    "name == \"'; DROP TABLE canary; --\"",
    "name == \"x\" UNION SELECT secret FROM canary",
    "canary.secret == \"s\"",
    "__import__(\"os\").system(\"true\")",
    "exec(\"1\")",
    "name.__class__ == \"x\"",
    "lower(name) == lower(\"'); DROP TABLE canary; --\")",
    "(" * 300 + "true" + ")" * 300,
    "value > 0 -- and owner == current_user",
    "sqlite_master.name == \"lead\"",
]


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    with opened.store.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE canary (id INTEGER PRIMARY KEY, secret TEXT)"))
        conn.execute(sa.text("INSERT INTO canary (id, secret) VALUES (1, 's3cret')"))
    opened.store.create(opened.rep, "lead", {"name": "Mine", "phone": "12345"})
    opened.store.create(opened.other_rep, "lead", {"name": "Theirs", "phone": "12345"})
    yield opened
    opened.store.dispose()


def assert_untouched(sales: Sales) -> None:
    with sales.store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT secret FROM canary")).scalar_one() == "s3cret"
        assert conn.execute(sa.text("SELECT count(*) FROM lead")).scalar_one() == 2
    assert sales.store.count(sales.manager, "lead") == 2


def readable_names(sales: Sales, **query) -> list[str]:
    return [r["name"] for r in sales.store.list(sales.rep, "lead", **query).items]


def test_where_refuses_anything_that_is_not_the_expression_language(sales):
    for text in WHERE_ATTEMPTS:
        try:
            found = readable_names(sales, where=text)
        except GuanxiError:
            found = None
        assert found in (None, [], ["Mine"]), text
    assert_untouched(sales)


def test_where_cannot_widen_the_users_read_access(sales):
    for text in ("true", "owner != current_user", "owner == owner", "id > 0 or true"):
        assert readable_names(sales, where=text) in ([], ["Mine"]), text


def test_search_binds_the_text_as_a_value(sales):
    for payload in PAYLOADS:
        assert readable_names(sales, search=payload) == [], payload
    assert_untouched(sales)


def test_filter_values_are_bound(sales):
    for payload in PAYLOADS:
        try:
            assert readable_names(sales, filters={"name": payload}) == [], payload
        except GuanxiError as refused:  # a value the field cannot hold (a NUL character)
            assert "is not text" in str(refused)
    assert_untouched(sales)


def test_filter_field_names_must_be_declared(sales):
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            readable_names(sales, filters={payload: "x"})
    assert_untouched(sales)


def test_sort_field_names_must_be_declared(sales):
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            readable_names(sales, sort=[payload])
        with pytest.raises(GuanxiError):
            readable_names(sales, sort=["-" + payload])
    assert_untouched(sales)


def test_field_names_in_writes_must_be_declared(sales):
    lead = sales.store.list(sales.rep, "lead").items[0]
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            sales.store.create(sales.rep, "lead", {"name": "x", payload: "y"})
        with pytest.raises(GuanxiError):
            sales.store.update(sales.rep, "lead", lead["id"], {payload: "y"})
    assert_untouched(sales)


def test_values_in_writes_are_stored_verbatim(sales):
    lead = sales.store.list(sales.rep, "lead").items[0]
    for payload in PAYLOADS:
        text = payload.replace("\x00", "")
        sales.store.update(sales.rep, "lead", lead["id"], {"notes": text})
        assert sales.store.get(sales.rep, "lead", lead["id"])["notes"] == text
    assert_untouched(sales)


def test_entity_names_and_record_ids_are_looked_up_not_executed(sales):
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            sales.store.get(sales.rep, payload, 1)
        with pytest.raises(NotFound):
            sales.store.get(sales.rep, "lead", payload)
    assert_untouched(sales)


def test_cursors_are_decoded_and_bound(sales):
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            readable_names(sales, after=payload)
    assert_untouched(sales)


def test_transition_names_are_looked_up(sales):
    lead = sales.store.list(sales.rep, "lead").items[0]
    for payload in PAYLOADS:
        with pytest.raises(GuanxiError):
            sales.store.transition(sales.rep, "lead", lead["id"], payload)
    assert_untouched(sales)
