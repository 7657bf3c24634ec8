"""What the server tells a caller about the project beyond the records she may read: the
"why can I see this?" panel, the OpenAPI document and the unique-value error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from server_app import SHOP_PROJECT, Client, dispose, make_app

PASSWORD = "long-secret-pw"
EXPLAIN_PANEL = '<details class="explain">'


def _ids_and_locations(text: str) -> list[str]:
    return re.findall(r"[\w./-]+\.yaml:\d+:\d+", text)


# ---------------------------------------------------------------- "why can I see this?"


@pytest.fixture
def shop(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    root = write_project(SHOP_PROJECT)
    app, made = make_app(root, db_url, {"rita": ("rep",), "max": ("manager",),
                                        "mei": ("manager",)},
                         password=PASSWORD, language={"mei": "zh"})
    yield SimpleNamespace(app=app, root=root, users=made)
    dispose(app)


def _lead_page(shop: SimpleNamespace, username: str, lead_owner: str = "rita") -> str:
    with Client(shop.app) as owner:
        owner.login(lead_owner, PASSWORD)
        token = owner.csrf("/")
        lead = owner.post("/api/lead", json={"name": "Bo", "email": "bo@example.com"},
                          headers={"X-CSRF-Token": token}).json()
    with Client(shop.app) as client:
        client.login(username, PASSWORD)
        response = client.get(f"/e/lead/{lead['id']}")
    assert response.status_code == 200
    return response.text


def test_a_reps_detail_page_has_no_explain_panel(shop):
    page = _lead_page(shop, "rita")

    assert "Bo" in page
    assert EXPLAIN_PANEL not in page
    assert "Why can I see this?" not in page
    assert "owner == current_user" not in page


def test_an_administrators_detail_page_explains_with_project_relative_places(shop):
    page = _lead_page(shop, "max")

    assert EXPLAIN_PANEL in page and "Why can I see this?" in page
    assert "role manager may read lead: every record" in page
    places = _ids_and_locations(page)
    assert places and all(p.startswith("entities/crm.yaml:") for p in places)
    assert str(shop.root) not in page and str(shop.root.parent) not in page


def test_an_administrators_explain_panel_is_in_chinese_in_the_chinese_ui(shop):
    page = _lead_page(shop, "mei")

    assert EXPLAIN_PANEL in page and "为什么我能看到这条记录？" in page
    assert "角色 manager 可以查看所有 lead 记录（lead.access.manager.read，entities/crm.yaml:" \
        in page
    assert "因此 mei 可以看到这条 lead" in page
    assert "may read" not in page and "can see this" not in page
    assert str(shop.root) not in page


# ---------------------------------------------------------------- /openapi.json


@pytest.fixture
def acme(acme_copy: Path, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(acme_copy, db_url, {"rita": ("sales_rep",),
                                             "mona": ("sales_manager",),
                                             "sam": ("service_agent",)}, password=PASSWORD)
    yield SimpleNamespace(app=app, users=made)
    dispose(app)


def _document(app, username: str) -> dict:
    with Client(app) as client:
        client.login(username, PASSWORD)
        response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _properties(doc: dict, schema: str) -> set[str]:
    return set(doc["components"]["schemas"][schema]["properties"])


def test_the_openapi_document_needs_a_signed_in_caller(acme):
    with Client(acme.app) as client:
        response = client.get("/openapi.json")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "annual_revenue" not in response.text


def test_the_openapi_document_is_served_to_a_bearer_token(acme):
    from guanxi.server.auth import tokens

    engine = acme.app.state.holder.current().engine
    token = tokens.issue(engine, acme.users["mona"].id)
    with Client(acme.app, headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.get("/openapi.json")

    assert response.status_code == 200
    assert "income" in _properties(response.json(), "Lead")


def test_a_reps_openapi_document_leaves_out_fields_hidden_from_her(acme):
    doc = _document(acme.app, "rita")
    text = json.dumps(doc)

    assert "income" not in text and "annual_revenue" not in text
    for schema in ("Lead", "LeadCreate", "LeadUpdate", "Account", "AccountCreate",
                   "AccountUpdate", "Contact"):
        assert "address" not in _properties(doc, schema), schema
    lead_params = {p["name"] for p in doc["paths"]["/api/lead"]["get"]["parameters"]}
    assert "address" not in lead_params
    assert "name" in _properties(doc, "Lead") and "email" in _properties(doc, "LeadCreate")


def test_a_managers_openapi_document_describes_the_fields_she_may_see(acme):
    doc = _document(acme.app, "mona")

    assert {"income", "address"} <= _properties(doc, "Lead")
    assert {"income", "address"} <= _properties(doc, "LeadCreate")
    assert {"annual_revenue", "address"} <= _properties(doc, "Account")


def test_the_openapi_document_names_only_entities_and_operations_the_caller_has(acme):
    rep = _document(acme.app, "rita")
    agent = _document(acme.app, "sam")

    assert "delete" not in rep["paths"]["/api/lead/{id}"]  # reps delete no lead
    assert "/api/lead/{id}/restore" not in rep["paths"]
    assert "/api/lead" not in agent["paths"] and "Lead" not in agent["components"]["schemas"]
    assert "annual_revenue" not in _properties(agent, "Account")
    assert "address" in _properties(agent, "Account")


def test_a_readonly_field_is_left_out_of_the_update_body_only(acme):
    doc = _document(acme.app, "sam")

    assert "marketing_consent" in _properties(doc, "Contact")
    assert "marketing_consent" in _properties(doc, "ContactCreate")
    assert "marketing_consent" not in _properties(doc, "ContactUpdate")


# ---------------------------------------------------------------- unique values


def test_a_unique_value_error_reveals_nothing_of_the_unreadable_record(acme):
    """The clash is told (the value cannot be stored twice), but not which record has it,
    nor anything else of it."""
    with Client(acme.app) as manager:
        manager.login("mona", PASSWORD)
        token = manager.csrf("/")
        other = manager.post("/api/lead", json={
            "name": "Quiet Buyer", "company": "Hidden Holdings", "email": "taken@example.com",
            "phone": "+1 555 0100", "income": 98765},
            headers={"X-CSRF-Token": token}).json()
    with Client(acme.app) as rep:
        rep.login("rita", PASSWORD)
        token = rep.csrf("/")
        assert rep.get(f"/api/lead/{other['id']}").status_code == 404
        response = rep.post("/api/lead", json={"name": "Bo", "email": "taken@example.com"},
                            headers={"X-CSRF-Token": token})

    assert response.status_code == 422
    body = response.json()
    assert set(body["fields"]) == {"email"}
    assert body["fields"]["email"] == ["'taken@example.com' is already used by another lead"]
    for secret in ("Quiet Buyer", "Hidden Holdings", "555", "98765", "mona", "Mona"):
        assert secret not in response.text
    assert not re.search(rf"\b{other['id']}\b", response.text)


BADGES = {
    "guanxi.yaml": """\
        project: badges
        roles:
          rep: {}
          manager: {includes: [rep], admin: true}
        """,
    "entities/badge.yaml": """\
        badge:
          fields:
            name: {type: string, required: true}
            code: {type: string}
          indexes:
            - {fields: [name, code], unique: true}
          access:
            rep: {create: all, read: owner == current_user, update: owner == current_user,
                  hide: [code]}
            manager: {create: all, read: all, update: all, delete: all}
        """,
}


def test_a_unique_clash_shows_no_value_or_name_of_a_field_hidden_from_the_caller(
        write_project, db_url):
    app, made = make_app(write_project(BADGES), db_url,
                         {"rita": ("rep",), "max": ("manager",)}, password=PASSWORD)
    rita = made["rita"].id
    try:
        with Client(app) as manager:
            manager.login("max", PASSWORD)
            token = {"X-CSRF-Token": manager.csrf("/")}
            for name in ("A", "B"):
                manager.post("/api/badge", json={"name": name, "code": "S-7731", "owner": rita},
                             headers=token)
        with Client(app) as rep:
            rep.login("rita", PASSWORD)
            token = {"X-CSRF-Token": rep.csrf("/")}
            badges = rep.get("/api/badge?sort=name").json()["items"]
            assert [b["name"] for b in badges] == ["A", "B"]
            assert all("code" not in b for b in badges)
            response = rep.patch(f"/api/badge/{badges[1]['id']}", json={"name": "A"},
                                 headers=token)
    finally:
        dispose(app)

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": ["'A' is already used by another badge"]}
    assert "S-7731" not in response.text and "code" not in response.text


def test_explanations_place_yaml_relative_to_the_project(tmp_path):
    from guanxi.compile.access import project_relative
    from guanxi.language.standard import standard_files
    from guanxi.spec import Loc

    root = tmp_path / "crm"
    shipped = sorted(standard_files())[0]
    assert project_relative(Loc(str(root / "entities" / "lead.yaml"), 12, 5), str(root)) \
        == "entities/lead.yaml:12:5"
    assert project_relative(Loc(str(tmp_path / "base" / "entities" / "a.yaml"), 3, 1),
                            str(root)) == "../base/entities/a.yaml:3:1"
    assert project_relative(Loc(shipped, 2, 3), str(root)) \
        == f"guanxi/workflows/{Path(shipped).name}:2:3"
