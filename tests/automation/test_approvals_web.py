"""Approvals, teams and lists by service level as people see them, on acme over HTTP:
the API, the inbox page, the record's page and history, the teams page for
administrators, the ticket list's `sla=` filter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from guanxi.automation.worker import Worker
from server_app import PASSWORD, Client, dispose, make_app

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"


@pytest.fixture
def site(sqlite_url: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    # The Store's side is tested on both databases (test_approvals, test_team_access).
    app, made = make_app(ACME, sqlite_url, {"rita": ("sales_rep",), "mona": ("sales_manager",),
                                        "ada": ("admin",)})
    yield app, made
    dispose(app)


def _deep_quote(app: Any, made: dict[str, Any]) -> int:
    """A quote with a 25% discount, submitted by rita and approved by mona: waiting for
    an administrator."""
    store = app.state.holder.current().store
    account = store.create(made["mona"], "account", {"name": "Probe Ltd"})
    quote = store.create(made["rita"], "quote", {
        "number": "Q-0901", "account": account["id"], "total": 10000, "discount": 25,
        "discount_reason": "A pilot site", "valid_until": "2099-01-31"})
    store.transition(made["rita"], "quote", quote["id"], "submit")
    with Client(app) as client:
        client.login("mona", PASSWORD)
        fired = client.post(f"/api/quote/{quote['id']}/transitions/approve",
                            headers={"X-CSRF-Token": client.csrf("/")}).json()
    assert (fired["state"], fired["approval"]["state"]) == ("submitted", "pending")
    return int(quote["id"])


def test_the_api_lists_and_decides_my_approvals(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    quote = _deep_quote(app, made)
    with Client(app) as client:
        client.login("ada", PASSWORD)
        [item] = client.get("/api/me/approvals").json()["items"]
        assert (item["entity"], item["record_id"], item["requester"]) == (
            "quote", quote, "mona")
        answer = client.post(f"/api/me/approvals/{item['id']}/decide",
                             json={"decision": "approve", "comment": "pilot, fine"},
                             headers={"X-CSRF-Token": client.csrf("/")})
        assert answer.json()["state"] == "approved"
        assert client.get(f"/api/quote/{quote}").json()["state"] == "approved"
        paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/me/approvals", "/api/me/approvals/{id}/decide"} <= set(paths)


def test_a_bad_decision_is_a_400_and_one_not_asked_a_409(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    _deep_quote(app, made)
    [item] = app.state.holder.current().store.approvals(made["ada"])
    url = f"/api/me/approvals/{item['id']}/decide"
    with Client(app) as client:
        client.login("ada", PASSWORD)
        answer = client.post(url, json={"decision": "maybe"},
                             headers={"X-CSRF-Token": client.csrf("/")})
        assert answer.status_code == 400
        assert "approve or reject" in answer.json()["detail"]
    with Client(app) as client:
        client.login("rita", PASSWORD)
        answer = client.post(url, json={"decision": "approve"},
                             headers={"X-CSRF-Token": client.csrf("/")})
        assert answer.status_code == 409


def test_the_inbox_page_rejects_with_a_comment_and_the_record_shows_it(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    quote = _deep_quote(app, made)
    with Client(app) as client:
        client.login("ada", PASSWORD)
        page = client.get("/approvals").text
        assert f'href="/e/quote/{quote}"' in page
        [item] = client.get("/api/me/approvals").json()["items"]
        done = client.form(f"/approvals/{item['id']}",
                           {"decision": "reject", "comment": "too deep"}, page="/approvals")
        assert done.status_code == 303
        record = client.get(f"/e/quote/{quote}").text
    assert "Rejected: approve — too deep" in record
    assert app.state.holder.current().store.get(made["mona"], "quote", quote)["state"] == "draft"


def test_a_pending_record_says_so_on_its_page(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    quote = _deep_quote(app, made)
    with Client(app) as client:
        client.login("mona", PASSWORD)
        assert "Waiting for approval: approve" in client.get(f"/e/quote/{quote}").text


def test_administrators_manage_teams_on_the_teams_page(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    with Client(app) as client:
        client.login("ada", PASSWORD)
        made_team = client.form("/admin/teams/new", {"team": "east", "username": "rita"},
                                page="/admin/teams")
        assert made_team.status_code == 303
        client.form("/admin/teams/east", {"action": "manager", "username": "mona"},
                    page="/admin/teams")
        page = client.get("/admin/teams").text
        refused = client.form("/admin/teams/new", {"team": "west", "username": "nobody"},
                              page="/admin/teams")
    assert '<span class="member">rita</span>' in page
    assert "<td>mona</td>" in page
    assert refused.status_code == 400
    assert "there is no user &#39;nobody&#39;" in refused.text


def test_only_administrators_see_the_teams_page(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    with Client(app) as client:
        client.login("mona", PASSWORD)
        assert client.get("/admin/teams").status_code == 403


def test_the_api_and_the_list_page_filter_by_service_level(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    with Client(app) as client:
        client.login("ada", PASSWORD)
        refused = client.get("/api/ticket?sla=late")
        listed = client.get("/api/ticket?sla=breaching&sort=sla_due")
        page = client.get("/e/ticket?sla=breached&sort=sla_due").text
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"sla": ["one of breached, breaching_soon, "
                                                "breaching, running"]}
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert 'href="?sla=breached&amp;sort=sla_due" aria-current="true"' in page


def test_deleting_the_record_takes_its_request_out_of_the_inbox(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    quote = _deep_quote(app, made)
    store = app.state.holder.current().store
    with Client(app) as client:
        client.login("ada", PASSWORD)
        gone = client.delete(f"/api/quote/{quote}", headers={"X-CSRF-Token": client.csrf("/")})
        assert gone.status_code == 204
        Worker(store).tick()
        assert client.get("/api/me/approvals").json()["items"] == []
        page = client.get("/approvals").text
    assert "Withdrawn (the record was deleted)" in page
    assert 'name="decision" value="approve"' not in page
    with Client(app) as client:
        client.login("mona", PASSWORD)
        restored = client.post(f"/api/quote/{quote}/restore",
                               headers={"X-CSRF-Token": client.csrf("/")})
        assert restored.status_code == 200
        record = client.get(f"/e/quote/{quote}").text
        told = client.get("/api/me/notifications").json()["items"]
    assert "Withdrawn (the record was deleted): approve" in record
    assert "Waiting for approval" not in record
    assert any(n["message"] == f"quote {quote} was deleted: your request for Approve is withdrawn"
               for n in told)
