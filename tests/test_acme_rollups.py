"""acme's account roll-ups on both databases: the won business, the open tickets and the
last activity of an account follow the writes to its opportunities, tickets and
activities (its membership tier is kept by the classification of insight/classes.yaml,
see tests/insight/test_segments_and_tiers.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from conftest import EXAMPLES
from guanxi.compile.app import App, compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account


@pytest.fixture(scope="module")
def acme_app() -> App:
    return compile_app(load_project_or_raise(EXAMPLES / "acme"))


@pytest.fixture
def acme(acme_app: App, db_url: str) -> Iterator[tuple[Store, User, User, dict[str, Any]]]:
    store = Store(acme_app, db_url)
    store.create_schema()
    manager = add_account(store, "mona", ["sales_manager"])
    agent = add_account(store, "sam", ["service_manager"])
    account = store.create(manager, "account", {"name": "Cancity", "industry": "retail"})
    yield store, manager, agent, account
    store.dispose()


def _won(store: Store, user: User, account: int, value: int) -> dict[str, Any]:
    deal = store.create(user, "opportunity", {"name": f"Deal {value}", "account": account,
                                              "product": "gtx_pro", "amount": value})
    store.transition(user, "opportunity", deal["id"], "engage")
    return store.transition(user, "opportunity", deal["id"], "win", {"close_value": value})


def test_won_total_sums_the_close_values_of_won_deals_only(acme):
    store, manager, _, account = acme
    _won(store, manager, account["id"], 4000)
    _won(store, manager, account["id"], 2500)
    store.create(manager, "opportunity", {"name": "Open deal", "account": account["id"],
                                          "product": "gtx_pro", "close_value": 9000})
    assert store.get(manager, "account", account["id"])["won_total"] == Decimal("6500.00")


def test_a_lost_deal_leaves_the_won_total(acme):
    store, manager, _, account = acme
    deal = _won(store, manager, account["id"], 5000)
    store.delete(manager, "opportunity", deal["id"])
    record = store.get(manager, "account", account["id"])
    assert record["won_total"] == Decimal("0.00")


def test_open_tickets_count_the_tickets_not_closed(acme):
    store, _, agent, account = acme
    first = store.create(agent, "ticket", {"subject": "Fan noise", "account": account["id"]})
    store.create(agent, "ticket", {"subject": "Invoice", "account": account["id"]})
    store.transition(agent, "ticket", first["id"], "assign", {"assignee": agent.id})
    store.transition(agent, "ticket", first["id"], "resolve", {"resolution": "Fixed"})
    assert store.get(agent, "account", account["id"])["open_tickets"] == 2
    store.transition(agent, "ticket", first["id"], "close")
    assert store.get(agent, "account", account["id"])["open_tickets"] == 1


def test_last_activity_is_the_latest_completed_activity(acme):
    store, manager, _, account = acme
    early = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    late = dt.datetime(2026, 4, 2, 15, tzinfo=dt.UTC)
    for due, done in ((early, True), (late, True), (late + dt.timedelta(days=9), False)):
        store.create(manager, "activity", {"subject": "Call", "account": account["id"],
                                           "due": due.isoformat(), "done": done})
    assert store.get(manager, "account", account["id"])["last_activity_at"] == late


def test_accounts_sort_and_filter_by_won_total(acme):
    store, manager, _, _ = acme
    other = store.create(manager, "account", {"name": "Isdom", "industry": "medical"})
    _won(store, manager, other["id"], 1200)
    page = store.list(manager, "account", sort=["-won_total"], where="won_total > 1000")
    assert [r["name"] for r in page.items] == ["Isdom"]
    assert [r["name"] for r in store.list(manager, "account", sort=["-won_total"]).items] == [
        "Isdom", "Cancity"]
