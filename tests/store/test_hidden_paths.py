"""Hidden fields stay hidden through reference paths, on examples/acme.

A sales rep may not see an account's `annual_revenue` or `address`, a service agent not
its `annual_revenue`. A condition on such a field is refused whether it is written on the
account itself or reached through references (`account.`, `parent.`, two hops), through
the Store and through the HTTP API, on both databases; otherwise a binary search over
`>=` would read the value out one answer at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from access_world import add_users
from guanxi.errors import GuanxiError, ValidationFailed
from guanxi.identity import User
from guanxi.server.auth import tokens
from guanxi.store.readable import fields_read, require_readable
from server_app import Client, dispose, make_app

ACME = Path(__file__).resolve().parent.parent.parent / "examples" / "acme"
USERS = {"rita": ("sales_rep",), "sam": ("service_agent",), "mona": ("sales_manager",)}


@pytest.fixture
def acme(db_url: str) -> Iterator[SimpleNamespace]:
    """The acme app over a fresh database, with an account whose revenue is 10394.50 and
    whose address starts "841 Market", its parent, a contact, and an opportunity, an
    activity and a ticket on it. Users are inserted directly: their tokens are what
    these tests use, and hashing passwords is deliberately slow."""
    app, _ = make_app(ACME, db_url)
    loaded = app.state.holder.current()
    people = [User(i, name, frozenset(roles))
              for i, (name, roles) in enumerate(USERS.items(), 1)]
    add_users(loaded.engine, loaded.app, people)
    rita, sam, mona = people
    store = loaded.store
    parent = store.create(mona, "account", {"name": "Mark Holdings",
                                            "annual_revenue": "90000", "address": "1 Bund"})
    account = store.create(mona, "account", {
        "name": "Mark Trading", "industry": "retail", "parent": parent["id"],
        "annual_revenue": Decimal("10394.50"), "address": "841 Market Street, Shanghai"})
    contact = store.create(mona, "contact", {"name": "Lin Wei", "account": account["id"],
                                            "email": "lin@example.com"})
    deal = store.create(rita, "opportunity", {"name": "GTX for Mark", "product": "gtx_pro",
                                              "account": account["id"]})
    activity = store.create(rita, "activity", {"subject": "Call Lin",
                                               "opportunity": deal["id"]})
    ticket = store.create(sam, "ticket", {"subject": "Broken fan", "account": account["id"]})
    clients: list[Client] = []

    def client_for(user: User) -> Client:
        token = tokens.issue(store.engine, user.id, "tests")
        client = Client(app, headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    yield SimpleNamespace(app=app, store=store, rita=rita, sam=sam, mona=mona,
                          parent=parent, account=account, contact=contact, deal=deal,
                          activity=activity, ticket=ticket, client_for=client_for)
    for client in clients:
        client.close()
    dispose(app)


# (who, entity, condition with {id} for the record's id) the issue's requests and more.
LEAKS = {
    "direct": ("rita", "account", "id == {id} and annual_revenue > 0"),
    "one hop": ("rita", "contact", "id == {id} and account.annual_revenue >= 10394"),
    "one hop, text": ("rita", "contact", 'id == {id} and starts_with(account.address, "841")'),
    "one hop, in a function": ("rita", "contact", "id == {id} and is_empty(account.address)"),
    "parent": ("rita", "account", "id == {id} and parent.annual_revenue > 0"),
    "two hops": ("rita", "activity", "id == {id} and opportunity.account.annual_revenue > 0"),
    "two hops, under not": ("rita", "activity",
                            "not (opportunity.account.annual_revenue < 10395)"),
    "service agent": ("sam", "ticket", "id == {id} and account.annual_revenue >= 10394"),
    "service agent, two hops": ("sam", "ticket",
                                "contact == null or account.parent.annual_revenue > 1"),
}


def record_id(acme: SimpleNamespace, entity: str) -> int:
    return {"account": acme.account, "contact": acme.contact, "activity": acme.activity,
            "ticket": acme.ticket}[entity]["id"]


@pytest.mark.parametrize("case", list(LEAKS))
def test_a_condition_on_a_hidden_field_on_any_hop_is_refused_by_the_store(acme, case):
    who, entity, condition = LEAKS[case]
    where = condition.format(id=record_id(acme, entity))
    with pytest.raises(GuanxiError, match=r"no field '(annual_revenue|address)'|"
                                          r"'annual_revenue': no such field") as caught:
        acme.store.count(getattr(acme, who), entity, where=where)
    assert "you can see" in str(caught.value)


@pytest.mark.parametrize("case", list(LEAKS))
def test_a_condition_on_a_hidden_field_on_any_hop_is_400_at_the_api(acme, case):
    who, entity, condition = LEAKS[case]
    where = condition.format(id=record_id(acme, entity))
    response = acme.client_for(getattr(acme, who)).get(
        f"/api/{entity}", params={"limit": "1", "where": where})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "bad_request"
    assert "you can see" in body["detail"]


def test_the_binary_search_of_the_issue_gets_no_answer(acme):
    rita = acme.client_for(acme.rita)
    answers = {
        rita.get("/api/contact", params={
            "limit": "1", "where": f"id == {acme.contact['id']} and "
                                   f"account.annual_revenue >= {bound}"}).status_code
        for bound in (10394, 10395)}
    assert answers == {400}


def test_the_refusal_names_only_fields_the_user_can_see(acme):
    with pytest.raises(GuanxiError) as caught:
        acme.store.count(acme.rita, "contact", where="account.annual_revenu > 0")
    message = str(caught.value)
    assert "fields of account:" in message and "industry" in message
    assert "annual_revenue" not in message and "address" not in message


def test_an_unknown_name_is_refused_like_a_hidden_one_without_naming_hidden_fields(acme):
    with pytest.raises(GuanxiError) as caught:
        acme.store.count(acme.rita, "account", where="annual_revenu > 0")
    assert "no such field you can see" in str(caught.value)
    assert "annual_revenue" not in str(caught.value)


def test_a_path_through_visible_fields_still_filters(acme):
    where = 'account.industry == "retail" and account.parent.name == "Mark Holdings"'
    assert acme.store.count(acme.rita, "contact", where=where) == 1
    assert acme.store.count(acme.rita, "activity",
                            where='opportunity.account.name == "Mark Trading"') == 1


def test_a_field_hidden_from_one_role_may_be_read_through_a_path_by_another(acme):
    # Service agents see the address (for repair visits), not the revenue.
    assert acme.store.count(acme.sam, "ticket",
                            where='starts_with(account.address, "841 Market")') == 1


def test_a_manager_who_sees_the_field_may_filter_through_the_path(acme):
    response = acme.client_for(acme.mona).get("/api/contact", params={
        "where": f"id == {acme.contact['id']} and account.annual_revenue >= 10394"})
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_sort_by_a_path_to_a_hidden_field_is_refused(acme):
    with pytest.raises(GuanxiError, match="no such field you can see"):
        acme.store.list(acme.rita, "contact", sort=["account.annual_revenue"])


def test_filter_by_a_path_to_a_hidden_field_is_refused(acme):
    with pytest.raises(GuanxiError, match="no such field you can see"):
        acme.store.list(acme.rita, "contact", filters={"account.annual_revenue": "10394.50"})


def test_fields_read_names_every_hop_of_every_path(acme):
    import guanxi.expr as expr

    scope = acme.app.state.holder.current().app.entity("activity").scope
    node = expr.parse('opportunity.account.parent.annual_revenue > 0 or subject == "x"')
    assert fields_read(scope, node) == {
        ("activity", "opportunity"), ("opportunity", "account"), ("account", "parent"),
        ("account", "annual_revenue"), ("activity", "subject")}
    assert fields_read(scope, "opportunity.account") == {
        ("activity", "opportunity"), ("opportunity", "account")}


def test_require_readable_checks_paths_for_later_features(acme):
    app = acme.app.state.holder.current().app
    require_readable(app, acme.rita, "contact", "account.industry", "export")
    with pytest.raises(GuanxiError, match=r"cannot export contact by 'account\.address'"):
        require_readable(app, acme.rita, "contact", "account.address", "export")


# ---------------------------------------------------------------- unknown fields on writes


def test_an_unknown_field_on_create_lists_only_fields_the_rep_may_write(acme):
    response = acme.client_for(acme.rita).post(
        "/api/lead", json={"name": "Bo", "source": "web", "colour": "red"})
    assert response.status_code == 422
    message = response.json()["fields"]["colour"][0]
    assert "unknown field 'colour'" in message and "name" in message
    assert "income" not in message and "address" not in message


def test_an_unknown_field_on_update_lists_only_fields_the_rep_may_write(acme):
    own = acme.store.create(acme.rita, "account", {"name": "Rita Trading"})
    with pytest.raises(ValidationFailed) as caught:
        acme.store.update(acme.rita, "account", own["id"], {"colour": "red"})
    message = caught.value.errors["colour"][0]
    assert "annual_revenue" not in message and "address" not in message
    assert "tier" not in message  # read-only for reps
