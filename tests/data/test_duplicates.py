"""Duplicates and merge: normalized and fuzzy rules, the warning on create, and a merge
that keeps every reference and both histories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from guanxi.compile.app import compile_app
from guanxi.data.clusters import clusters
from guanxi.errors import AccessDenied
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.server.auth import tokens
from guanxi.store.facade import Store
from server_app import PASSWORD, Client, dispose, make_app
from store_project import add_account

FILES = {
    "guanxi.yaml": """
        project: people
        roles:
          rep: {}
          manager: {includes: [rep]}
    """,
    "entities/account.yaml": """
        account:
          title: name
          fields:
            name: {type: string, required: true, unique: true}
          access:
            rep: {create: all, read: all}
    """,
    "entities/contact.yaml": """
        contact:
          title: name
          fields:
            name: {type: string, required: true}
            email: {type: email, unique: true}
            phone: {type: phone}
            account: {type: reference, to: account}
            manager: {type: reference, to: contact}
          duplicates:
            - {match: [email], normalize: email}
            - {match: [phone], normalize: phone, region: CN}
            - {match: [name, account], fuzzy: {name: 0.9}}
          access:
            rep: {create: all, read: all, update: all}
            manager: {create: all, read: all, update: all, delete: all}
    """,
    "entities/activity.yaml": """
        activity:
          fields:
            subject: {type: string, required: true}
            contact: {type: reference, to: contact}
          access:
            rep: {create: all, read: all, update: all}
    """,
}


class People:
    def __init__(self, store: Store, rep: User, manager: User) -> None:
        self.store, self.rep, self.manager = store, rep, manager

    def contact(self, **values: object) -> int:
        return int(self.store.create(self.rep, "contact", values)["id"])

    def likely(self, **values: object) -> list[int]:
        return [f.record_id for f in self.store.likely_duplicates(self.rep, "contact", values)]


@pytest.fixture
def people(write_project, db_url: str) -> Iterator[People]:
    app = compile_app(load_project_or_raise(write_project(FILES)))
    store = Store(app, db_url)
    store.create_schema()
    yield People(store, add_account(store, "rita", ["rep"]),
                 add_account(store, "mona", ["manager"]))
    store.dispose()


def test_emails_match_whatever_their_case(people: People) -> None:
    wang = people.contact(name="Wang", email="wang@example.cn")
    assert people.likely(name="W", email="WANG@example.cn") == [wang]


def test_phone_numbers_match_in_e164(people: People) -> None:
    wang = people.contact(name="Wang", phone="13900000002")
    assert people.likely(name="X", phone="139 0000 0002") == [wang]
    assert people.likely(name="X", phone="+86 139-0000-0002") == [wang]
    assert people.likely(name="X", phone="139 0000 0003") == []


def test_similar_names_match_only_at_the_same_account(people: People) -> None:
    acme = people.store.create(people.rep, "account", {"name": "Acme"})["id"]
    other = people.store.create(people.rep, "account", {"name": "Other"})["id"]
    wang = people.contact(name="Wang Xiaoming", account=acme)
    assert people.likely(name="Wang Xiaomin", account=acme) == [wang]
    assert people.likely(name="Wang Xiaomin", account=other) == []
    assert people.likely(name="Li Lei", account=acme) == []


def test_a_merge_keeps_every_reference_and_both_histories(people: People) -> None:
    store, rep, manager = people.store, people.rep, people.manager
    keep = people.contact(name="Wang", email="wang@example.cn")
    gone = people.contact(name="WANG X.", phone="13900000002")
    store.update(rep, "contact", gone, {"name": "Wang X."})
    calls = [store.create(rep, "activity", {"subject": f"call {i}", "contact": gone})["id"]
             for i in range(3)]
    report = people.contact(name="Li", manager=gone)
    merged = store.merge(manager, "contact", keep, gone, {"phone": "other"})
    assert merged["phone"] == "13900000002" and merged["email"] == "wang@example.cn"
    assert [store.get(rep, "activity", c)["contact"] for c in calls] == [keep] * 3
    assert store.get(rep, "contact", report)["manager"] == keep
    gone_history = [h["action"] for h in store.history(manager, "contact", gone)]
    keep_history = [h["action"] for h in store.history(manager, "contact", keep)]
    assert gone_history == ["create", "update", "merge"]
    assert keep_history == ["create", "merge"]
    assert store.list(rep, "contact", filters={"name": "Wang X."}).items == []


def test_a_merge_may_take_a_unique_value_from_the_other(people: People) -> None:
    keep = people.contact(name="Wang")
    gone = people.contact(name="Wang", email="wang@example.cn")
    merged = people.store.merge(people.manager, "contact", keep, gone, {"email": "other"})
    assert merged["email"] == "wang@example.cn"


def test_merging_needs_the_right_to_delete_the_other(people: People) -> None:
    keep, gone = people.contact(name="A"), people.contact(name="B")
    with pytest.raises(AccessDenied):
        people.store.merge(people.rep, "contact", keep, gone)
    assert people.store.get(people.rep, "contact", gone)["name"] == "B"


def bearer(app: object, user: User) -> Client:
    engine = app.state.holder.current().engine  # type: ignore[attr-defined]
    return Client(app, headers={"Authorization": f"Bearer {tokens.issue(engine, user.id, 't')}"})


def test_the_api_warns_of_a_likely_duplicate_and_creates_when_asked_to(
        write_project, db_url: str) -> None:
    app, made = make_app(write_project(FILES), db_url, {"rita": ("rep",)})
    try:
        with bearer(app, made["rita"]) as client:
            first = client.post("/api/contact", json={"name": "Wang",
                                                      "email": "wang@example.cn"}).json()
            warned = client.post("/api/contact", json={"name": "W",
                                                       "email": "WANG@example.cn"})
            assert warned.status_code == 409
            assert warned.json()["duplicates"][0]["url"] == f"/api/contact/{first['id']}"
            insisted = client.post("/api/contact?duplicates=allow",
                                   json={"name": "W", "phone": "13900000002"})
            assert insisted.status_code == 201
    finally:
        dispose(app)


def test_the_api_merges_two_records(write_project, db_url: str) -> None:
    app, made = make_app(write_project(FILES), db_url, {"mona": ("manager",)})
    try:
        with bearer(app, made["mona"]) as client:
            keep = client.post("/api/contact", json={"name": "A"}).json()["id"]
            gone = client.post("/api/contact?duplicates=allow",
                               json={"name": "B", "email": "b@example.com"}).json()["id"]
            merged = client.post(f"/api/contact/{keep}/merge",
                                 json={"other": gone, "take": {"email": "other"}})
            assert merged.status_code == 200 and merged.json()["email"] == "b@example.com"
            assert client.get(f"/api/contact/{gone}").status_code == 404
            bad = client.post(f"/api/contact/{keep}/merge", json={"other": keep})
            assert bad.status_code == 400
    finally:
        dispose(app)


def test_the_form_warns_of_a_likely_duplicate_and_creates_when_asked_again(
        write_project, db_url: str) -> None:
    app, _ = make_app(write_project(FILES), db_url, {"rita": ("rep",)})
    try:
        with Client(app) as client:
            client.login("rita", PASSWORD)
            first = client.form("/e/contact/new", {"name": "Wang", "phone": "13900000002"})
            assert first.status_code == 303
            warned = client.form("/e/contact/new", {"name": "W", "phone": "139 0000 0002"})
            assert warned.status_code == 409
            assert first.headers["location"] in warned.text
            assert 'name="duplicates" value="allow"' in warned.text
            again = client.form("/e/contact/new", {"name": "W", "duplicates": "allow",
                                                   "phone": "139 0000 0002"})
            assert again.status_code == 303
    finally:
        dispose(app)


def test_the_duplicates_report_groups_records_into_clusters(people: People) -> None:
    first = people.contact(name="Wang", email="wang@example.cn")
    second = people.contact(name="W", email="WANG@example.cn ", phone="13900000002")
    third = people.contact(name="Wang X", phone="139 0000 0002")
    people.contact(name="Li Lei")
    found = clusters(people.store, people.rep, "contact")
    assert [c.ids for c in found] == [(first, second, third)]


def test_the_merge_page_merges_the_chosen_values(write_project, db_url: str) -> None:
    app, made = make_app(write_project(FILES), db_url, {"mona": ("manager",)})
    store = app.state.holder.current().store
    try:
        keep = store.create(made["mona"], "contact", {"name": "Wang", "phone": "13900000002"})
        gone = store.create(made["mona"], "contact", {"name": "Wang X", "email": "w@example.cn",
                                                      "phone": "139 0000 0002"})
        with Client(app) as client:
            client.login("mona", PASSWORD)
            detail = client.get(f"/e/contact/{keep['id']}").text
            link = f"/e/contact/{keep['id']}/merge?other={gone['id']}"
            assert link in detail
            page = client.get(link)
            assert page.status_code == 200
            done = client.form(f"/e/contact/{keep['id']}/merge",
                               {"other": str(gone["id"]), "take_email": "other"}, page=link)
            assert done.status_code == 303
        merged = store.get(made["mona"], "contact", keep["id"])
        assert (merged["email"], merged["phone"]) == ("w@example.cn", "13900000002")
    finally:
        dispose(app)
