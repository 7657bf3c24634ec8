"""The history of an import's new records, built by SQLite from the inserted rows
(`guanxi.store.created`), reads exactly as the history Python writes for the same
records created one by one; where a value has no exact SQL form, Python writes it."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store import created
from guanxi.store.facade import Store
from sqlalchemy.dialects import sqlite
from store_project import add_account
from test_golden import assert_golden

MOMENT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)

PROJECT = {
    "guanxi.yaml": """
        project: kinds
        languages: [en]
        roles:
          clerk: {}
    """,
    "entities/item.yaml": """
        item:
          fields:
            name: {type: string, required: true}
            notes: {type: text}
            body: {type: markdown}
            mail: {type: email}
            phone: {type: phone}
            site: {type: url}
            size: {type: choice, options: [s, m, l]}
            count: {type: integer}
            price: {type: money}
            share: {type: percent}
            ratio: {type: decimal, scale: 4}
            active: {type: boolean}
            due: {type: date}
            helper: {type: user}
          access:
            clerk: {create: all, read: all, update: all}
    """,
}

ROWS = [
    {"name": "Plain", "count": 3, "price": "10", "share": 12, "ratio": "0.5", "active": True,
     "due": "2026-01-02", "size": "m"},
    {"name": '王小明 "quoted" \\ back\tslash é', "notes": "line one\nline two\u007f",
     "body": "*bold* <b>", "active": False, "price": "-12.5", "share": "0", "count": -7},
    {"name": "Sparse"},
    {"name": "Big", "price": "12345678901.99", "ratio": "-99999.9999", "count": 2 ** 40,
     "mail": "A.B@Example.CN", "phone": "+86 10 5550000", "site": "https://example.cn/a?b=c"},
]


def _store(write_project, url: str, name: str) -> tuple[Store, object]:
    root = write_project(PROJECT, name=name)
    store = Store(compile_app(load_project_or_raise(root)), url)
    store.create_schema()
    store.clock = lambda: MOMENT
    return store, add_account(store, "clara", ["clerk"])


def _histories(store: Store, user: object) -> list[dict[str, object]]:
    page = store.list(user, "item", sort=["id"], limit=100)
    return [store.history(user, "item", item["id"])[0]["changes"] for item in page.items]


@pytest.fixture
def stores(write_project, tmp_path):
    bulk = _store(write_project, f"sqlite:///{tmp_path / 'bulk.sqlite'}", "bulk")
    single = _store(write_project, f"sqlite:///{tmp_path / 'single.sqlite'}", "single")
    yield bulk, single
    bulk[0].dispose()
    single[0].dispose()


def test_an_imports_history_built_in_sql_reads_as_single_creates_write_it(stores, tmp_path):
    (bulk, clerk), (single, other) = stores
    helper = {"helper": clerk.id}  # type: ignore[attr-defined]
    assert bulk.bulk_insert(clerk, "item", [{**r, **helper} for r in ROWS]).inserted == 4
    for row in ROWS:
        single.create(other, "item", {**row, "helper": other.id})  # type: ignore[attr-defined]
    assert _histories(bulk, clerk) == _histories(single, other)
    # …and SQL wrote them: Python escapes characters outside ASCII, SQLite does not.
    with sqlite3.connect(tmp_path / "bulk.sqlite") as conn:
        texts = [text for (text,) in conn.execute("SELECT changes FROM gx_history")]
    assert "王小明" in texts[1]


@pytest.mark.parametrize("price", ["123456789012345678.25", "-0.00"])
def test_a_number_sql_cannot_write_exactly_is_written_by_python(stores, price):
    (bulk, clerk), (single, other) = stores
    rows = [{"name": "Odd", "price": price}, {"name": "Small"}]
    assert bulk.bulk_insert(clerk, "item", rows).inserted == 2
    for row in rows:
        single.create(other, "item", row)
    histories = _histories(bulk, clerk)
    assert histories == _histories(single, other)
    assert histories[0]["price"] == {"old": None, "new": price}


def test_the_history_sql_of_an_entity_matches_its_golden_file(write_project):
    app = compile_app(load_project_or_raise(write_project(PROJECT)))
    item = app.entity("item")
    statement = created.compile_history(item, created.shown_fields(item), sqlite.dialect(),
                                        historical=False)
    assert statement is not None
    assert_golden("item_history.sqlite.sql", statement.sql.replace(" || ", "\n  || "))


def test_an_entity_with_a_field_sql_cannot_write_exactly_has_no_history_sql(write_project):
    files = {**PROJECT, "entities/item.yaml": PROJECT["entities/item.yaml"].replace(
        "helper: {type: user}", "helper: {type: user}\n            seen: {type: datetime}")}
    app = compile_app(load_project_or_raise(write_project(files)))
    item = app.entity("item")
    assert created.compile_history(item, created.shown_fields(item), sqlite.dialect(),
                                   historical=False) is None
    assert created.compile_history(item, created.shown_fields(item),
                                   sa.create_engine("postgresql+psycopg://").dialect,
                                   historical=False) is None
