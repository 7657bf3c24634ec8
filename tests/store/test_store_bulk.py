"""Bulk inserts: every row validated and access-checked, reported per row, audited."""

from __future__ import annotations

import pytest
from guanxi.errors import AccessDenied, GuanxiError
from guanxi.store.facade import ImportReport, RowError
from store_project import open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


ROWS = [
    {"name": "Good one", "email": "one@example.com", "value": "10"},
    {"name": "", "value": "ten"},
    {"name": "Good two", "email": "two@example.com", "source": "referral", "referrer": "Bo"},
    {"name": "Copy", "email": "one@EXAMPLE.com"},
]


def test_all_or_nothing_inserts_nothing_when_a_row_is_bad(sales):
    report = sales.store.bulk_insert(sales.rep, "lead", ROWS, batch_size=2)
    assert report.inserted == 0
    assert [e.row for e in report.errors] == [2, 4]
    assert sales.store.count(sales.manager, "lead") == 0


def test_skip_bad_inserts_the_good_rows_and_reports_the_bad(sales):
    report = sales.store.bulk_insert(sales.rep, "lead", ROWS, mode="skip_bad", batch_size=2)
    assert report == ImportReport(2, [
        RowError(2, {"value": ["'ten' is not a number"], "name": ["is required"]}),
        RowError(4, {"email": ["'one@example.com' is already used by another lead"]}),
    ])
    page = sales.store.list(sales.rep, "lead", sort=["name"])
    assert [r["name"] for r in page.items] == ["Good one", "Good two"]


def test_a_clean_import_inserts_every_row_with_its_history(sales):
    rows = [{"name": f"lead {i}", "phone": f"555-{i:04}"} for i in range(25)]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, batch_size=10)
    assert report == ImportReport(25, [])
    page = sales.store.list(sales.rep, "lead", sort=["name"], limit=100)
    assert len(page.items) == 25 and page.items[0]["state"] == "new"
    assert page.items[0]["owner"] == sales.rep.id
    history = sales.store.history(sales.rep, "lead", page.items[0]["id"])
    assert [h["action"] for h in history] == ["create"]


def test_duplicates_within_one_import_are_reported(sales):
    rows = [{"name": "a", "email": "x@y.cn"}, {"name": "b", "email": "x@y.cn"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad")
    assert report.inserted == 1 and [e.row for e in report.errors] == [2]


def test_a_value_of_an_earlier_written_batch_is_found_in_the_table(sales):
    rows = [{"name": "a", "email": "x@y.cn"}, {"name": "b", "email": "z@y.cn"},
            {"name": "c", "email": "x@Y.cn"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, batch_size=1)
    assert report.inserted == 0 and [e.row for e in report.errors] == [3]
    assert sales.store.count(sales.manager, "lead") == 0


def test_rows_naming_unwritable_or_unknown_fields_are_reported(sales):
    rows = [{"name": "a", "income": "5"}, {"name": "b", "colour": "red"}, {"name": "c"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad")
    assert report.inserted == 1
    assert report.errors[0] == RowError(1, {"income": ["you may not set this field"]})
    assert list(report.errors[1].errors) == ["colour"]


def test_row_errors_are_in_the_users_language(sales):
    report = sales.store.bulk_insert(sales.zh_rep, "lead", [{"name": "王", "visits": "x"}])
    assert report.errors == [RowError(1, {"visits": ["'x' 不是整数"]})]


def test_references_are_checked_per_batch(sales):
    account = sales.store.create(sales.rep, "account", {"name": "Acme"})
    rows = [{"name": "a", "account": str(account["id"])}, {"name": "b", "account": "999"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad")
    assert report.inserted == 1
    assert report.errors == [RowError(2, {"account": ["there is no account 999 that you "
                                                      "can see"]})]


def test_a_user_who_may_not_create_is_denied(sales):
    with pytest.raises(AccessDenied):
        sales.store.bulk_insert(sales.auditor, "lead", [{"name": "a"}])


def test_an_unknown_mode_is_refused(sales):
    with pytest.raises(GuanxiError, match="mode"):
        sales.store.bulk_insert(sales.rep, "lead", [], mode="some")


def test_a_clash_with_a_stored_record_in_an_otherwise_good_batch_names_its_row(sales):
    sales.store.create(sales.rep, "lead", {"name": "stored", "email": "x@y.cn"})
    rows = [{"name": f"n{i}", "email": f"n{i}@y.cn"} for i in range(5)]
    rows[3]["email"] = "x@Y.cn"
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad")
    assert report == ImportReport(4, [
        RowError(4, {"email": ["'x@y.cn' is already used by another lead"]})])
    assert sales.store.count(sales.manager, "lead") == 5


def test_a_unique_field_without_its_index_in_the_database_is_still_checked(sales):
    import sqlalchemy as sa

    with sales.store.engine.begin() as conn:
        for index in sa.inspect(conn).get_indexes("lead"):
            if index["unique"]:
                conn.execute(sa.text(f'DROP INDEX "{index["name"]}"'))
    rows = [{"name": "a", "email": "x@y.cn"}, {"name": "b", "email": "x@y.cn"}]
    report = sales.store.bulk_insert(sales.rep, "lead", rows, mode="skip_bad")
    assert report.inserted == 1 and [e.row for e in report.errors] == [2]
    assert sales.store.count(sales.manager, "lead") == 1
