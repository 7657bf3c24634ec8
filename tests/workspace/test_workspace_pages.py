"""The workspace over real HTTP: /search and /api/search, a record's timeline with its
note form, and /tasks with its one-click completion."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi.automation import notifications
from server_app import Client, dispose, make_app
from workspace_project import PROJECT


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One app for the module (signing in hashes passwords: done once per user)."""
    root = tmp_path_factory.mktemp("workspace")
    for relative, text in PROJECT.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    app, made = make_app(root, f"sqlite:///{root / 'crm.sqlite'}",
                         {"rita": ("rep",), "mona": ("manager",), "rolf": ("rep",)})
    clients: dict[str, Client] = {}
    yield app, made, app.state.holder.current().store, clients
    for client in clients.values():
        client.close()
    dispose(app)


@pytest.fixture
def crm(served):
    app, made, store, _ = served
    return app, made, store


@pytest.fixture
def signed_in(served):
    app, _, _, clients = served

    def client_of(app_, username):
        assert app_ is app
        if username not in clients:
            clients[username] = Client(app)
            clients[username].login(username, "long-secret-pw")
        return KeptOpen(clients[username])

    return client_of


class KeptOpen:
    """A module's signed-in client in a `with` block that leaves it open."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __enter__(self) -> Client:
        return self.client

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_search_page_groups_what_a_manager_finds_by_entity(crm, signed_in):
    app, users, store = crm
    account = store.create(users["mona"], "account", {"name": "Hottechi"})
    store.create(users["mona"], "deal", {"name": "Renewal", "account": account["id"]})
    with signed_in(app, "mona") as client:
        page = client.get("/search", params={"q": "hottechi"})
    assert page.status_code == 200
    assert 'data-entity="account"' in page.text and 'data-entity="deal"' in page.text
    assert "Account: Hottechi" in page.text  # the deal was found through its account


def test_the_search_api_answers_grouped_json_for_the_type_ahead(crm, signed_in):
    app, users, store = crm
    store.create(users["rita"], "account", {"name": "Quokka"})
    store.create(users["mona"], "account", {"name": "Quokka too"})
    with signed_in(app, "rita") as client:
        answer = client.get("/api/search", params={"q": "quokka"}).json()
    assert [(g["entity"], [h["title"] for h in g["hits"]]) for g in answer["groups"]] == [
        ("account", ["Quokka"])]
    assert answer["groups"][0]["hits"][0]["url"].startswith("/e/account/")


def test_the_search_api_refuses_a_limit_out_of_range(crm, signed_in):
    app, _, _ = crm
    with signed_in(app, "rita") as client:
        answer = client.get("/api/search", params={"q": "x", "limit": "0"})
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_limit")


def test_the_search_api_needs_a_sign_in(crm):
    app, _, _ = crm
    with Client(app) as client:
        assert client.get("/api/search", params={"q": "x"}).status_code == 401


def test_the_search_api_is_in_the_openapi_document(crm, signed_in):
    app, _, _ = crm
    with signed_in(app, "rita") as client:
        document = client.get("/openapi.json").json()
    assert "/api/search" in document["paths"]


def test_a_note_posted_on_a_record_shows_on_its_timeline_and_notifies_the_mentioned(crm, signed_in):
    app, users, store = crm
    deal = store.create(users["rita"], "deal", {"name": "Talk"})
    url = f"/e/deal/{deal['id']}"
    with signed_in(app, "rita") as client:
        posted = client.form(url + "/notes", {"body": "@mona please join the call"}, page=url)
        assert posted.status_code == 303
        page = client.get(url, params={"kind": "note"})
    assert "please join the call" in page.text
    assert [n.source for n in notifications.inbox(store.engine, users["mona"].id)] == [
        "mention"]


def test_the_timeline_shows_activities_and_changes_filtered_by_kind(crm, signed_in):
    app, users, store = crm
    deal = store.create(users["rita"], "deal", {"name": "Busy"})
    store.create(users["rita"], "activity", {"subject": "Kick-off meeting", "kind": "meeting",
                                             "deal": deal["id"]})
    store.transition(users["rita"], "deal", deal["id"], "win")
    url = f"/e/deal/{deal['id']}"
    with signed_in(app, "rita") as client:
        everything = client.get(url).text
        activities = client.get(url, params={"kind": "activity"}).text
    assert "Kick-off meeting" in everything and "Win → Won" in everything
    assert "Kick-off meeting" in activities and "Win → Won" not in activities


def test_a_note_without_a_csrf_token_is_refused(crm, signed_in):
    app, users, store = crm
    deal = store.create(users["rita"], "deal", {"name": "Guarded"})
    with signed_in(app, "rita") as client:
        answer = client.post(f"/e/deal/{deal['id']}/notes", data={"body": "x"})
    assert answer.status_code == 403


def test_no_note_on_someone_elses_record(crm, signed_in):
    app, users, store = crm
    deal = store.create(users["rita"], "deal", {"name": "Private"})
    with signed_in(app, "rolf") as client:
        answer = client.form(f"/e/deal/{deal['id']}/notes", {"body": "hi"}, page="/tasks")
    assert answer.status_code == 404


def test_my_tasks_lists_mine_and_completes_one_with_a_click(crm, signed_in):
    app, users, store = crm
    now = dt.datetime.now(dt.UTC)
    deal = store.create(users["rita"], "deal", {"name": "Follow"})
    task = store.create(users["rita"], "activity", {
        "subject": "Call back", "due": now - dt.timedelta(days=2), "deal": deal["id"]})
    store.create(users["mona"], "activity", {"subject": "Not hers", "due": now,
                                             "deal": deal["id"]})
    with signed_in(app, "rita") as client:
        page = client.get("/tasks").text
        assert 'data-part="overdue"' in page and "Call back" in page and "Not hers" not in page
        done = client.form(f"/tasks/activity/{task['id']}/complete",
                           {"version": task["version"]}, page="/tasks")
        assert done.status_code == 303
    assert store.get(users["rita"], "activity", task["id"])["done"] is True


def test_someone_elses_task_cannot_be_completed_over_http(crm, signed_in):
    app, users, store = crm
    deal = store.create(users["rita"], "deal", {"name": "Hers"})
    task = store.create(users["rita"], "activity", {"subject": "Hers", "deal": deal["id"]})
    with signed_in(app, "rolf") as client:
        answer = client.form(f"/tasks/activity/{task['id']}/complete", {}, page="/tasks")
    assert answer.status_code == 404
