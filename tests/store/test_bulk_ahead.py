"""A bulk insert whose next batches are checked in a second process (`guanxi.store.ahead`)
while this one writes: the same report and records, batches that need the database
checked here, and nothing written when the checking process dies."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from guanxi.errors import GuanxiError
from guanxi.store import ahead
from guanxi.store.facade import ImportReport, RowError
from store_project import open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def leads(count: int) -> list[dict[str, Any]]:
    return [{"name": f"lead {i}", "email": f"l{i}@example.com", "value": str(i)}
            for i in range(count)]


def test_the_rows_after_the_first_batch_are_checked_in_another_process(sales, monkeypatch):
    parent = os.getpid()
    checked_in: set[int] = set()
    prepare = ahead.Creation.prepare

    def noting(self, batch, unit=None):
        checked_in.add(os.getpid())
        if os.getpid() != parent:  # the child tells by the rows' names
            batch = [row._replace(given={**row.given, "name": row.given["name"] + " *"})
                     for row in batch]
        return prepare(self, batch, unit)

    monkeypatch.setattr(ahead.Creation, "prepare", noting)
    report = sales.store.bulk_insert(sales.rep, "lead", leads(6), batch_size=2, ahead=True)
    assert report == ImportReport(6, [])
    names = [r["name"] for r in sales.store.list(sales.manager, "lead", sort=["id"]).items]
    assert names == ["lead 0", "lead 1", "lead 2 *", "lead 3 *", "lead 4 *", "lead 5 *"]


def test_a_rule_reading_through_a_reference_is_checked_in_the_importing_process(sales):
    retail = sales.store.create(sales.rep, "account", {"name": "Shop", "sector": "retail"})
    rows = [{"name": f"n{i}", "account": retail["id"]} for i in range(4)]
    rows[3]["phone"] = "555-0101"
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad", batch_size=2,
                                     ahead=True)
    expected = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad",
                                       batch_size=2, ahead=False)
    assert report == expected and report.inserted == 1
    assert [e.row for e in report.errors] == [1, 2, 3]


def test_rows_naming_unknown_fields_are_reported_as_when_checked_here(sales):
    rows = [*leads(3), {"name": "x", "colour": "red"}, {"name": "y", "income": "5"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad", batch_size=2,
                                     ahead=True)
    assert report.inserted == 3
    assert [e.row for e in report.errors] == [4, 5]
    assert report.errors[1] == RowError(5, {"income": ["you may not set this field"]})


def test_a_checking_process_that_dies_fails_the_import_and_writes_nothing(sales):
    parent = os.getpid()

    def rows() -> Iterator[dict[str, Any]]:
        for number, values in enumerate(leads(8), 1):
            if number == 6 and os.getpid() != parent:
                os._exit(3)
            yield values

    with pytest.raises(GuanxiError, match="ended unexpectedly") as raised:
        sales.store.bulk_insert(sales.rep, "lead", rows(), batch_size=2, ahead=True)
    assert raised.value.code == "import_checker_failed"
    assert sales.store.count(sales.manager, "lead") == 0


def test_the_database_is_whole_after_the_checking_process_ends(sales):
    report = sales.store.bulk_insert(sales.rep, "lead", leads(50), batch_size=7, ahead=True)
    assert report.inserted == 50
    sales.store.create(sales.rep, "lead", {"name": "after"})
    assert sales.store.count(sales.manager, "lead") == 51
    url = sales.store.engine.url
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM lead").fetchone() == (51,)


def test_one_batch_is_checked_here_without_a_second_process(sales, monkeypatch):
    def refuse() -> int:
        raise AssertionError("forked for one batch")

    monkeypatch.setattr(os, "fork", refuse)
    report = sales.store.bulk_insert(sales.rep, "lead", leads(3), batch_size=5, ahead=True)
    assert report == ImportReport(3, [])


def test_no_second_process_is_forked_from_a_process_running_threads(monkeypatch):
    monkeypatch.setattr("threading.active_count", lambda: 2)
    assert not ahead.possible()


def test_the_process_checking_ahead_reads_no_table(sales, monkeypatch):
    """The child's unit refuses to follow references; a batch that needs one is sent
    back. Here: every batch of leads with an account."""
    retail = sales.store.create(sales.rep, "account", {"name": "Shop", "sector": "tech"})
    rows = [{"name": f"n{i}", "account": retail["id"]} for i in range(6)]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, batch_size=2, ahead=True)
    assert report == ImportReport(6, [])
    with sales.store.engine.connect() as conn:
        accounts = conn.execute(sa.text("SELECT count(*) FROM lead WHERE account IS NOT NULL"))
        assert accounts.scalar_one() == 6


def test_rows_that_read_the_same_store_as_they_are_made_are_imported(sales):
    """A generator over the Store runs in the checking process after the first batch
    (with connections of its own there); the import and the Store afterwards work."""
    sales.store.create(sales.rep, "account", {"name": "Acme"})

    def rows() -> Iterator[dict[str, Any]]:
        for values in leads(6):
            accounts = sales.store.count(sales.manager, "account")
            yield {**values, "phone": f"555-{accounts:04}"}

    report = sales.store.bulk_insert(sales.rep, "lead", rows(), batch_size=2, ahead=True)
    assert report == ImportReport(6, [])
    phones = {r["phone"] for r in sales.store.list(sales.manager, "lead").items}
    assert phones == {"555-0001"}
    sales.store.create(sales.rep, "account", {"name": "After"})
    assert sales.store.count(sales.manager, "account") == 2
