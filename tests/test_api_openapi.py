"""/openapi.json: generated from the project, describing exactly the endpoints served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from guanxi import users
from guanxi.project import load_project_or_raise
from guanxi.server import openapi, tokens
from guanxi.server.testing import SHOP_PROJECT, Client, dispose, make_app

ACME = Path(__file__).resolve().parent.parent / "examples" / "acme"


@pytest.fixture
def served(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, _ = make_app(write_project(SHOP_PROJECT), sqlite_url)
    engine = app.state.holder.current().engine
    manager = users.add_user(engine, "max", "pw", ["manager"])
    token = tokens.issue(engine, manager.id)
    with Client(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield SimpleNamespace(client=client, doc=client.get("/openapi.json").json())
    dispose(app)


def validator(doc: dict, name: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_document_is_openapi_3_1_with_bearer_security(served):
    doc = served.doc
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["info"]["title"] == "Shop CRM API"


def test_every_entity_has_schemas_and_paths(served):
    schemas, paths = served.doc["components"]["schemas"], served.doc["paths"]
    for entity, name in (("lead", "Lead"), ("account", "Account")):
        assert {name, f"{name}Create", f"{name}Update"} <= set(schemas)
        assert {f"/api/{entity}", f"/api/{entity}/{{id}}"} <= set(paths)


def test_transition_paths_exist_only_for_entities_with_a_workflow(served):
    paths = served.doc["paths"]
    names = paths["/api/lead/{id}/transitions/{name}"]["parameters"][1]["schema"]["enum"]
    assert set(names) == {"contact", "win", "lose"}
    assert "/api/account/{id}/transitions/{name}" not in paths


def test_every_documented_operation_is_served(served):
    client = served.client
    lead = client.post("/api/lead", json={"name": "Bo", "email": "b@example.com"}).json()
    for path, item in served.doc["paths"].items():
        url = path.replace("{id}", str(lead["id"])).replace("{name}", "contact")
        for method in ("get", "post", "patch", "delete"):
            if method not in item:
                continue
            body = {} if method in ("post", "patch") else None
            response = client.request(method.upper(), url, json=body)
            assert response.status_code != 405, (method, url)
            detail = response.json().get("detail", "") if response.content else ""
            assert detail != "Not Found", (method, url)


def test_records_served_match_their_schema(served):
    client = served.client
    created = client.post("/api/lead", json={"name": "Bo", "email": "b@example.com",
                                             "value": 12.5, "income": 3000,
                                             "source": "web"}).json()
    validator(served.doc, "Lead").validate(created)
    for item in client.get("/api/lead").json()["items"]:
        validator(served.doc, "Lead").validate(item)


def test_create_schema_requires_what_the_api_requires(served):
    create = validator(served.doc, "LeadCreate")
    create.validate({"name": "Bo", "email": "b@example.com", "value": 3, "source": "web"})
    assert not create.is_valid({"email": "b@example.com"})  # name is required
    assert not create.is_valid({"name": "Bo", "colour": "red"})  # no such field
    assert not create.is_valid({"name": "Bo", "source": "fax"})  # not an option
    assert client_refuses(served.client, {"email": "b@example.com"})


def client_refuses(client: Client, body: dict) -> bool:
    return client.post("/api/lead", json=body).status_code == 422


def test_field_constraints_appear_in_the_schema(served):
    props = served.doc["components"]["schemas"]["Lead"]["properties"]
    assert props["name"]["maxLength"] == 80 and props["name"]["type"] == "string"
    assert props["email"]["format"] == "email"
    assert props["value"]["minimum"] == 0
    assert props["source"]["enum"] == ["web", "phone", None]
    assert props["state"]["enum"] == ["new", "contacted", "won", "lost"]
    assert props["account"]["type"] == ["integer", "null"]


def test_acme_document_covers_every_entity():
    spec = load_project_or_raise(ACME)
    doc = openapi.document(spec)
    for entity in spec.entities:
        assert f"/api/{entity.name}" in doc["paths"]
    jsonschema.Draft202012Validator.check_schema(
        {"$defs": doc["components"]["schemas"]})
