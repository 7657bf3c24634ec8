"""/openapi.json: generated from the project, describing exactly the endpoints served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from guanxi.accounts import users
from guanxi.language.project import load_project_or_raise
from guanxi.server.api import openapi
from guanxi.server.auth import tokens
from server_app import SHOP_PROJECT, Client, dispose, make_app

ACME = Path(__file__).resolve().parent.parent.parent / "examples" / "acme"


@pytest.fixture
def served(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, _ = make_app(write_project(SHOP_PROJECT), db_url)
    engine = app.state.holder.current().engine
    manager = users.add_user(engine, "max", "long-secret-pw", ["manager"])
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
        url = path.replace("{id}", str(lead["id"])).replace("{name}", "contact").replace(
            "{attachment}", "1")
        for method in ("get", "post", "patch", "delete"):
            if method not in item:
                continue
            body = {} if method in ("post", "patch") else None
            response = client.request(method.upper(), url, json=body)
            assert response.status_code != 405, (method, url)
            is_json = response.headers.get("content-type", "").startswith("application/json")
            detail = response.json().get("detail", "") if is_json and response.content else ""
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


# ---------------------------------------------------------------- found by schemathesis


def test_update_schema_keeps_required_fields_non_null(served):
    assert not validator(served.doc, "LeadUpdate").is_valid({"name": None})
    lead = served.client.post("/api/lead", json={"name": "Bo", "email": "b@example.com"}).json()
    assert served.client.patch(f"/api/lead/{lead['id']}", json={"name": None}).status_code == 422


def test_blank_required_text_is_refused_by_schema_and_server(served):
    create = validator(served.doc, "LeadCreate")
    assert not create.is_valid({"name": "   "}) and not create.is_valid({"name": ""})
    assert create.is_valid({"name": " Bo "})
    assert client_refuses(served.client, {"name": "   ", "email": "b@example.com"})


def test_text_shapes_match_what_the_store_accepts(served):
    create = validator(served.doc, "LeadCreate")
    assert create.is_valid({"name": "Bo", "email": " b@example.com "})
    assert create.is_valid({"name": "Bo", "email": ""})  # blank is no value
    assert not create.is_valid({"name": "Bo", "email": "b@localhost"})
    assert client_refuses(served.client, {"name": "Bo", "email": "b@localhost"})
    assert not create.is_valid({"name": "Bo", "email": "b\x1c@example.com"})  # a separator
    assert client_refuses(served.client, {"name": "Bo", "email": "b\x1c@example.com"})
    assert not create.is_valid({"name": "Bo\x00"})
    assert client_refuses(served.client, {"name": "Bo\x00"})


def test_field_pattern_is_anchored_as_the_store_matches_it():
    doc = openapi.document(load_project_or_raise(ACME))
    number = {"$ref": "#/components/schemas/QuoteCreate/properties/number",
              "components": doc["components"]}
    check = jsonschema.Draft202012Validator(number)
    assert check.is_valid("Q-1234") and check.is_valid(" Q-12345 ")
    assert not check.is_valid("xQ-1234y")


def test_numbers_document_the_range_the_database_stores(served):
    props = served.doc["components"]["schemas"]["Lead"]["properties"]
    assert props["value"]["exclusiveMaximum"] == 10**26  # 28 digits, 2 after the point
    assert props["account"]["maximum"] == 2**63 - 1
    id_param = served.doc["paths"]["/api/lead/{id}"]["parameters"][0]["schema"]
    assert (id_param["minimum"], id_param["maximum"]) == (1, 2**63 - 1)


def test_filters_and_sort_are_documented_as_the_server_reads_them(served):
    params = {p["name"]: p["schema"] for p in
              served.doc["paths"]["/api/lead"]["get"]["parameters"]}
    assert params["source"]["enum"] == ["web", "phone", ""]
    account = jsonschema.Draft202012Validator(params["account"])
    assert account.is_valid(3) and account.is_valid("") and not account.is_valid("e5")
    assert served.client.get("/api/lead?account=e5").status_code == 400
    assert served.client.get("/api/lead?account=").status_code == 200
    sort = jsonschema.Draft202012Validator(params["sort"])
    assert sort.is_valid("-value,name") and sort.is_valid("") and sort.is_valid(" -value , id ")
    assert not sort.is_valid("colour") and not sort.is_valid("name,")
    assert not sort.is_valid("name,,id") and not sort.is_valid("- name")
    assert served.client.get("/api/lead?sort=colour").status_code == 400
    assert served.client.get("/api/lead?source=fax").status_code == 400
    email = jsonschema.Draft202012Validator(params["email"])
    assert email.is_valid("b@example.com") and email.is_valid("")
    assert not email.is_valid("nobody")
    assert served.client.get("/api/lead?email=nobody").status_code == 400


def test_if_match_is_documented_with_its_shape_and_400(served):
    delete = served.doc["paths"]["/api/lead/{id}"]["delete"]
    check = jsonschema.Draft202012Validator(delete["parameters"][0]["schema"])
    assert check.is_valid('"3"') and check.is_valid("*") and check.is_valid('W/"3"')
    assert not check.is_valid("0") and not check.is_valid(f'"{2**63}"')
    assert "400" in delete["responses"]
    lead = served.client.post("/api/lead", json={"name": "Bo", "email": "b@example.com"}).json()
    assert served.client.delete(f"/api/lead/{lead['id']}",
                                headers={"If-Match": "0"}).status_code == 400


def test_owner_may_be_created_empty_as_documented(served):
    body = {"name": "Bo", "email": "b@example.com", "owner": None}
    validator(served.doc, "LeadCreate").validate(body)
    created = served.client.post("/api/lead", json=body)
    assert created.status_code == 201 and created.json()["owner"] is None


def test_deleted_at_and_me_match_their_schemas(served):
    lead = served.client.post("/api/lead", json={"name": "Bo", "email": "b@example.com"}).json()
    assert "deleted_at" in served.doc["components"]["schemas"]["Lead"]["properties"]
    served.client.delete(f"/api/lead/{lead['id']}")
    restored = served.client.post(f"/api/lead/{lead['id']}/restore").json()
    validator(served.doc, "Lead").validate(restored)
    validator(served.doc, "Me").validate(served.client.get("/api/me").json())
