"""Explaining access to a record tells that the record exists: only its readers and
administrators may ask."""

from __future__ import annotations

import pytest
from guanxi.errors import NotFound
from store_project import PROJECT, add_account, open_sales

WITH_ADMIN = {
    "guanxi.yaml": PROJECT["guanxi.yaml"] + "      admin: {admin: true}\n",
}


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url, WITH_ADMIN)
    yield opened
    opened.store.dispose()


def test_explaining_a_record_the_user_cannot_read_is_not_found(sales):
    lead = sales.store.create(sales.other_rep, "lead", {"name": "Ralf's lead"})

    with pytest.raises(NotFound):
        sales.store.explain(sales.rep, "lead", lead["id"])


def test_an_administrator_may_ask_why_a_record_is_unreadable_for_them(sales):
    admin = add_account(sales.store, "ada", ["admin"])
    lead = sales.store.create(sales.rep, "lead", {"name": "Rita's lead"})

    lines = sales.store.explain(admin, "lead", lead["id"])

    assert any("admin" in line for line in lines)
