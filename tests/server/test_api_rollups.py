"""acme's account roll-ups through the web: in the JSON API (sorted and filtered on,
refused on write) and on the account page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from server_app import PASSWORD, Client, dispose, make_app


@pytest.fixture
def acme(acme_copy: Path, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(acme_copy, sqlite_url, {"mona": ("sales_manager",)},
                         password=PASSWORD)
    store = app.state.holder.current().store
    mona = made["mona"]
    accounts = {name: store.create(mona, "account", {"name": name, "industry": "retail"})
                for name in ("Cancity", "Isdom")}
    deal = store.create(mona, "opportunity", {"name": "Big", "product": "gtx_pro",
                                              "account": accounts["Isdom"]["id"]})
    store.transition(mona, "opportunity", deal["id"], "engage")
    store.transition(mona, "opportunity", deal["id"], "win", {"close_value": 30000})
    yield SimpleNamespace(app=app, accounts=accounts)
    dispose(app)


def _signed_in(app) -> Client:
    client = Client(app)
    client.login("mona", PASSWORD)
    return client


def test_the_api_sorts_and_filters_accounts_by_won_total(acme):
    with _signed_in(acme.app) as client:
        body = client.get("/api/account", params={"sort": "-won_total",
                                                  "where": "won_total > 0"}).json()
    assert [(a["name"], a["won_total"]) for a in body["items"]] == [("Isdom", 30000.0)]


def test_the_api_refuses_to_write_a_rollup(acme):
    account = acme.accounts["Cancity"]
    with _signed_in(acme.app) as client:
        response = client.patch(f"/api/account/{account['id']}", json={"won_total": 5},
                                headers={"X-CSRF-Token": client.csrf("/")})
    assert response.status_code == 403
    assert "won_total" in response.text


def test_the_account_page_shows_the_rollups(acme):
    account = acme.accounts["Isdom"]
    with _signed_in(acme.app) as client:
        page = client.get(f"/e/account/{account['id']}").text
    assert "Won business" in page and ("30,000.00" in page or "30000.00" in page)
    assert "Open tickets" in page and "Last activity" in page
