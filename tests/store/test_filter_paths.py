"""A filter a user writes may follow references, but only into records that user may
read: a path to any other record is empty, so filters cannot probe hidden records."""

from __future__ import annotations

import pytest
from store_project import open_sales

OWN_ACCOUNTS_ONLY = {
    "entities/account.yaml": """
        account:
          fields:
            name: {type: string, required: true, unique: true}
            sector: {type: choice, options: [tech, retail]}
          access:
            rep: {create: all, read: owner == current_user, update: owner == current_user}
            manager: {create: all, read: all, update: all, delete: all}
    """,
}


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url, OWN_ACCOUNTS_ONLY)
    yield opened
    opened.store.dispose()


def test_a_path_into_a_record_the_user_cannot_read_matches_nothing(sales):
    store, rep, manager = sales.store, sales.rep, sales.manager
    secret = store.create(manager, "account", {"name": "Secret Holdings", "sector": "tech"})
    store.create(manager, "lead", {"name": "Lin", "account": secret["id"], "owner": rep.id})
    assert store.list(rep, "lead").total == 1

    probe = store.list(rep, "lead", where='account.name == "Secret Holdings"')
    assert [r["name"] for r in probe.items] == []
    assert store.list(manager, "lead", where='account.name == "Secret Holdings"').total == 1


def test_a_path_into_a_readable_record_still_filters(sales):
    store, rep = sales.store, sales.rep
    own = store.create(rep, "account", {"name": "Own Trading", "sector": "retail"})
    store.create(rep, "lead", {"name": "Lin", "account": own["id"], "phone": "+86 10 1234 5678"})
    store.create(rep, "lead", {"name": "Ma"})

    page = store.list(rep, "lead", where='account.sector == "retail"')
    assert [r["name"] for r in page.items] == ["Lin"]


def test_a_path_into_a_deleted_record_is_empty(sales):
    store, manager = sales.store, sales.manager
    gone = store.create(manager, "account", {"name": "Gone Ltd", "sector": "tech"})
    store.create(manager, "lead", {"name": "Lin", "account": gone["id"]})
    store.delete(manager, "account", gone["id"])

    assert store.list(manager, "lead", where='account.name == "Gone Ltd"').total == 0
    assert store.list(manager, "lead", where="account.name == null").total == 1
