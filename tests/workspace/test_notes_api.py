"""A record's notes in the JSON API over real HTTP, on SQLite and PostgreSQL: read and
added with an API token, with the record page's rights (404 for a record the caller may
not read), @mentions that notify, pages newest first, and bad input answered 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.automation import notifications
from guanxi.server.auth import tokens
from guanxi.workspace import notes
from server_app import PASSWORD, Client, dispose, make_app
from workspace_project import PROJECT


@pytest.fixture
def crm(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(PROJECT), db_url,
                         {"rita": ("rep",), "rolf": ("rep",), "mona": ("manager",)})
    store = app.state.holder.current().store
    engine = app.state.holder.current().engine
    clients: dict[str, Client] = {}

    def api(username: str) -> Client:
        if username not in clients:
            token = tokens.issue(engine, made[username].id, "tests")
            clients[username] = Client(app, headers={"Authorization": f"Bearer {token}"})
        return clients[username]

    deal = store.create(made["rita"], "deal", {"name": "Talk"})
    yield SimpleNamespace(app=app, store=store, users=made, api=api, deal=deal["id"],
                          url=f"/api/deal/{deal['id']}/notes")
    for client in clients.values():
        client.close()
    dispose(app)


def test_a_note_added_through_the_api_is_read_back_and_is_on_the_record(crm):
    added = crm.api("rita").post(crm.url, json={"body": "  Called them, call back Monday "})
    assert added.status_code == 201, added.text
    note = added.json()
    assert (note["body"], note["entity"], note["record_id"], note["author"]) == (
        "Called them, call back Monday", "deal", crm.deal, "Rita")
    assert note["user_id"] == crm.users["rita"].id and note["created_at"]
    listed = crm.api("rita").get(crm.url).json()
    assert listed == {"items": [note], "next_cursor": None, "total": 1}
    # the same note the record page's timeline reads
    assert [n.id for n in notes.notes_of(crm.store, crm.users["mona"], "deal", crm.deal)] == [
        note["id"]]


def test_whoever_may_read_the_record_reads_and_adds_notes(crm):
    notes.add(crm.store, crm.users["rita"], "deal", crm.deal, "mine")
    mona = crm.api("mona")
    assert [n["body"] for n in mona.get(crm.url).json()["items"]] == ["mine"]
    assert mona.post(crm.url, json={"body": "a manager's word"}).status_code == 201
    assert [n["body"] for n in crm.api("rita").get(crm.url).json()["items"]] == [
        "a manager's word", "mine"]


def test_a_rep_who_may_not_read_the_record_gets_the_record_apis_404(crm):
    notes.add(crm.store, crm.users["rita"], "deal", crm.deal, "private")
    rolf = crm.api("rolf")
    record = rolf.get(f"/api/deal/{crm.deal}")
    listed = rolf.get(crm.url)
    added = rolf.post(crm.url, json={"body": "sneaky"})
    missing = rolf.get(f"/api/deal/{crm.deal + 1000}/notes")
    assert record.status_code == listed.status_code == added.status_code == 404
    assert record.json() == listed.json() == added.json() == missing.json()
    assert "private" not in listed.text
    assert [n.body for n in notes.notes_of(crm.store, crm.users["rita"], "deal",
                                           crm.deal)] == ["private"]


def test_an_unknown_entity_is_404(crm):
    answer = crm.api("rita").get(f"/api/nothing/{crm.deal}/notes")
    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")


def test_a_mention_notifies_who_may_read_the_record_as_the_page_does(crm):
    answer = crm.api("rita").post(crm.url, json={"body": "@mona @rolf please join"})
    assert answer.status_code == 201
    [sent] = notifications.inbox(crm.store.engine, crm.users["mona"].id)
    assert (sent.entity, sent.record_id, sent.source) == ("deal", crm.deal, "mention")
    assert "please join" in sent.text("en")
    assert notifications.inbox(crm.store.engine, crm.users["rolf"].id) == []


def test_notes_come_in_pages_newest_first(crm):
    for n in range(5):
        notes.add(crm.store, crm.users["rita"], "deal", crm.deal, f"note {n}")
    rita = crm.api("rita")
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": "2", **({"after": after} if after else {})}
        page = rita.get(crm.url, params=params).json()
        assert page["total"] == 5 and len(page["items"]) <= 2
        seen += [n["body"] for n in page["items"]]
        pages += 1
        after = page["next_cursor"]
        if after is None:
            break
    assert (seen, pages) == ([f"note {n}" for n in (4, 3, 2, 1, 0)], 3)
    untotalled = rita.get(crm.url, params={"total": "false", "limit": "5"}).json()
    assert (untotalled["total"], untotalled["next_cursor"], len(untotalled["items"])) == (
        None, None, 5)


@pytest.mark.parametrize(("params", "code"), [
    ({"limit": "0"}, "bad_limit"), ({"limit": "201"}, "bad_limit"),
    ({"limit": "x"}, "bad_limit"), ({"total": "maybe"}, "bad_total"),
    ({"after": "-1"}, "bad_cursor"), ({"after": "abc"}, "bad_cursor"),
    ({"after": "99999999999999999999"}, "bad_cursor")])
def test_bad_paging_parameters_are_400_with_details(crm, params, code):
    answer = crm.api("rita").get(crm.url, params=params)
    assert (answer.status_code, answer.json()["error"]) == (400, code)
    assert answer.json()["detail"]


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({"body": ""}, 422, ["body"]),
    ({"body": " \n\t\x00 "}, 422, ["body"]),
    ({"body": "x" * (notes.MAX_NOTE_LENGTH + 1)}, 422, ["body"]),
    ({}, 422, ["body"]),
    ({"body": 12}, 422, ["body"]),
    ({"body": None}, 422, ["body"]),
    ({"body": "fine", "pinned": True}, 422, ["pinned"]),
])
def test_an_invalid_note_is_422_naming_the_field(crm, body, status, fields):
    answer = crm.api("rita").post(crm.url, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == "validation_failed"
    assert sorted(answer.json()["fields"]) == fields
    assert all(answer.json()["fields"][f] for f in fields)
    assert notes.notes_of(crm.store, crm.users["rita"], "deal", crm.deal) == []


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "empty_body"), (b"body=hi", "malformed_json"), (b'{"body": "x"', "malformed_json"),
    (b'["x"]', "not_an_object"), (b"\xff\xfe", "malformed_json")])
def test_a_body_that_is_not_a_json_object_is_400_with_details(crm, raw, code):
    answer = crm.api("rita").post(crm.url, content=raw,
                                  headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["error"]) == (400, code)
    assert answer.json()["detail"]


def test_the_longest_note_is_taken(crm):
    answer = crm.api("rita").post(crm.url, json={"body": "笔" * notes.MAX_NOTE_LENGTH})
    assert answer.status_code == 201
    assert len(answer.json()["body"]) == notes.MAX_NOTE_LENGTH


def test_notes_need_a_sign_in(crm):
    with Client(crm.app) as anonymous:
        assert anonymous.get(crm.url).status_code == 401
        assert anonymous.post(crm.url, json={"body": "hi"}).status_code == 401


def test_a_browser_session_adds_a_note_only_with_the_csrf_header(crm):
    with Client(crm.app) as browser:
        browser.login("rita", PASSWORD)
        refused = browser.post(crm.url, json={"body": "no token"})
        token = browser.csrf(f"/e/deal/{crm.deal}")
        taken = browser.post(crm.url, json={"body": "with token"},
                             headers={"X-CSRF-Token": token})
        listed = browser.get(crm.url)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert taken.status_code == 201
    assert [n["body"] for n in listed.json()["items"]] == ["with token"]


def test_notes_cannot_be_changed_or_deleted_as_on_the_page(crm):
    added = crm.api("rita").post(crm.url, json={"body": "kept"}).json()
    rita = crm.api("rita")
    assert rita.delete(crm.url).status_code == 405
    assert rita.delete(f"{crm.url}/{added['id']}").status_code in (404, 405)
    assert [n.body for n in notes.notes_of(crm.store, crm.users["rita"], "deal",
                                           crm.deal)] == ["kept"]


def test_the_notes_are_in_the_openapi_document_as_the_caller_may_use_them(crm):
    document = crm.api("rita").get("/openapi.json").json()
    item = document["paths"]["/api/deal/{id}/notes"]
    assert (item["get"]["operationId"], item["post"]["operationId"]) == (
        "notes_deal", "add_note_deal")
    assert set(item) == {"parameters", "get", "post"}
    assert document["components"]["schemas"]["NoteCreate"]["required"] == ["body"]
    for code in ("201", "400", "401", "404", "422"):
        assert code in item["post"]["responses"]
