"""The JSON API over HTTP: the same Store and rules as the pages, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.server.auth import tokens
from server_app import SHOP_PROJECT, Client, dispose, make_app

ROLES = {"rita": ("rep",), "rob": ("rep",), "max": ("manager",)}


@pytest.fixture
def api(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    """The shop project's API, with a helper that returns a token-bearing client."""
    app, _ = make_app(write_project(SHOP_PROJECT), db_url)
    engine = app.state.holder.current().engine
    made: dict[str, object] = {}
    clients: list[Client] = []

    def client_for(username: str) -> Client:
        if username not in made:
            made[username] = users.add_user(engine, username, "long-secret-pw", ROLES[username])
        token = tokens.issue(engine, made[username].id, "tests")
        client = Client(app, headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    yield SimpleNamespace(app=app, engine=engine, client_for=client_for, users=made)
    for client in clients:
        client.close()
    dispose(app)


@pytest.fixture
def rita(api) -> Client:
    return api.client_for("rita")


def create(client: Client, **values: object) -> dict:
    response = client.post("/api/lead", json={"name": "Ann Lee", "email": "ann@example.com",
                                              **values})
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------- authentication


def test_request_without_credentials_is_401(api):
    with Client(api.app) as anonymous:
        response = anonymous.get("/api/lead")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_unknown_token_is_401(api):
    with Client(api.app, headers={"Authorization": "Bearer gx_not-a-real-token"}) as client:
        assert client.get("/api/lead").status_code == 401


def test_only_a_hash_of_the_token_is_stored(api):
    api.client_for("rita")
    with api.engine.connect() as conn:
        stored = conn.execute(sa.select(tokens.api_tokens.c.token_hash)).scalars().all()
    assert len(stored) == 1 and len(stored[0]) == 64 and not stored[0].startswith("gx_")


def test_me_names_the_token_owner(rita):
    body = rita.get("/api/me").json()
    assert body["username"] == "rita" and body["roles"] == ["rep"]


# ---------------------------------------------------------------- CRUD


def test_create_answers_201_with_location_and_etag(rita):
    response = rita.post("/api/lead", json={"name": "Bo", "email": "bo@example.com",
                                            "value": 12.5})
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/lead/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert body["value"] == 12.5 and body["state"] == "new"


def test_get_returns_the_record_with_its_etag(rita):
    lead = create(rita)
    response = rita.get(f"/api/lead/{lead['id']}")
    assert response.status_code == 200
    assert response.json()["name"] == "Ann Lee"
    assert response.headers["etag"] == '"1"'


def test_patch_with_current_if_match_updates(rita):
    lead = create(rita)
    response = rita.patch(f"/api/lead/{lead['id']}", json={"name": "Ann Smith"},
                          headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["name"] == "Ann Smith"
    assert response.headers["etag"] == '"2"'


def test_patch_with_stale_if_match_is_412_and_changes_nothing(rita):
    lead = create(rita)
    rita.patch(f"/api/lead/{lead['id']}", json={"name": "First"}, headers={"If-Match": '"1"'})
    response = rita.patch(f"/api/lead/{lead['id']}", json={"name": "Second"},
                          headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.json()["error"] == "version_conflict"
    assert rita.get(f"/api/lead/{lead['id']}").json()["name"] == "First"


def test_delete_removes_the_record(api):
    manager = api.client_for("max")
    lead = create(manager)
    assert manager.delete(f"/api/lead/{lead['id']}", headers={"If-Match": '"1"'}
                          ).status_code == 204
    assert manager.get(f"/api/lead/{lead['id']}").status_code == 404


def test_rep_may_not_delete(rita):
    lead = create(rita)
    response = rita.delete(f"/api/lead/{lead['id']}")
    assert response.status_code == 403


# ---------------------------------------------------------------- errors


def test_invalid_values_are_422_with_errors_per_field(rita):
    response = rita.post("/api/lead", json={"name": "", "email": "not-an-email"})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) >= {"name", "email"}
    assert all(isinstance(m, str) for messages in fields.values() for m in messages)


def test_wrong_type_is_422_naming_the_field(rita):
    response = rita.post("/api/lead", json={"name": "Bo", "email": "bo@example.com",
                                            "value": "lots"})
    assert response.status_code == 422
    assert "value" in response.json()["fields"]


def test_unknown_field_is_422(rita):
    response = rita.post("/api/lead", json={"name": "Bo", "email": "b@example.com",
                                            "colour": "red"})
    assert response.status_code == 422
    assert "colour" in response.json()["fields"]


def test_malformed_json_is_400_with_where(rita):
    response = rita.post("/api/lead", content=b'{"name": "Bo",}',
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed_json" and "line 1" in body["detail"]


def test_body_that_is_not_an_object_is_400(rita):
    response = rita.post("/api/lead", json=["Bo"])
    assert response.status_code == 400
    assert response.json()["error"] == "not_an_object"


def test_writing_a_hidden_field_is_refused(rita):
    response = rita.post("/api/lead", json={"name": "Bo", "email": "b@example.com",
                                            "income": 5})
    assert response.status_code in (403, 422)
    assert "income" in response.json().get("fields", {})


def test_hidden_field_never_reaches_the_rep(api, rita):
    lead = create(rita)
    manager = api.client_for("max")
    manager.patch(f"/api/lead/{lead['id']}", json={"income": 777})
    assert manager.get(f"/api/lead/{lead['id']}").json()["income"] == 777
    assert "income" not in rita.get(f"/api/lead/{lead['id']}").json()
    assert all("income" not in item for item in rita.get("/api/lead").json()["items"])
    history = rita.get(f"/api/lead/{lead['id']}/history").json()["items"]
    assert all("income" not in entry["changes"] for entry in history)


def test_another_reps_record_looks_like_no_record(api, rita):
    theirs = create(api.client_for("rob"))
    hidden = rita.get(f"/api/lead/{theirs['id']}")
    missing = rita.get("/api/lead/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert rita.patch(f"/api/lead/{theirs['id']}", json={"name": "x"}).status_code == 404


def test_unknown_entity_is_404(rita):
    assert rita.get("/api/nothing").status_code == 404


def test_cookie_session_api_write_needs_the_csrf_header(api):
    users.add_user(api.engine, "rob", "long-secret-pw", ["rep"])
    with Client(api.app) as browser:
        browser.login("rob", "long-secret-pw")
        refused = browser.post("/api/lead", json={"name": "Bo", "email": "b@example.com"})
        token = browser.csrf("/")
        allowed = browser.post("/api/lead", json={"name": "Bo", "email": "b@example.com"},
                               headers={"X-CSRF-Token": token})
    assert refused.status_code == 403
    assert allowed.status_code == 201


# ---------------------------------------------------------------- workflow and history


def test_transition_fires_and_answers_the_record(rita):
    lead = create(rita)
    response = rita.post(f"/api/lead/{lead['id']}/transitions/contact",
                         headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json()["state"] == "contacted"


def test_transition_with_stale_if_match_is_412(rita):
    lead = create(rita)
    rita.patch(f"/api/lead/{lead['id']}", json={"value": 3})
    response = rita.post(f"/api/lead/{lead['id']}/transitions/contact",
                         headers={"If-Match": '"1"'})
    assert response.status_code == 412


def test_transition_missing_a_required_field_is_409_naming_it(rita):
    lead = create(rita)
    response = rita.post(f"/api/lead/{lead['id']}/transitions/lose")
    assert response.status_code == 409
    assert "loss_reason" in response.json()["fields"]
    response = rita.post(f"/api/lead/{lead['id']}/transitions/lose",
                         json={"loss_reason": "no budget"})
    assert response.status_code == 200 and response.json()["state"] == "lost"


def test_transition_from_the_wrong_state_is_409(rita):
    lead = create(rita)
    rita.post(f"/api/lead/{lead['id']}/transitions/contact")
    assert rita.post(f"/api/lead/{lead['id']}/transitions/contact").status_code == 409


def test_transition_reserved_to_another_role_is_403(rita):
    lead = create(rita)
    rita.post(f"/api/lead/{lead['id']}/transitions/contact")
    assert rita.post(f"/api/lead/{lead['id']}/transitions/win").status_code == 403


def test_unknown_transition_is_404(rita):
    lead = create(rita)
    assert rita.post(f"/api/lead/{lead['id']}/transitions/fly").status_code == 404


def test_available_transitions_are_listed(rita):
    lead = create(rita)
    names = {t["name"] for t in rita.get(f"/api/lead/{lead['id']}/transitions").json()["items"]}
    assert names == {"contact", "lose"}


def test_history_lists_changes_oldest_first(rita):
    lead = create(rita)
    rita.patch(f"/api/lead/{lead['id']}", json={"name": "Ann Smith"})
    rita.post(f"/api/lead/{lead['id']}/transitions/contact")
    items = rita.get(f"/api/lead/{lead['id']}/history").json()["items"]
    assert [i["action"] for i in items] == ["create", "update", "transition"]
    assert items[1]["changes"]["name"] == {"old": "Ann Lee", "new": "Ann Smith"}
    assert items[2]["transition"] == "contact"


# ---------------------------------------------------------------- lists


def test_list_pages_with_a_cursor(rita):
    for number in range(5):
        create(rita, name=f"Lead {number}", email=f"l{number}@example.com")
    first = rita.get("/api/lead", params={"limit": 3, "sort": "name"}).json()
    assert [i["name"] for i in first["items"]] == ["Lead 0", "Lead 1", "Lead 2"]
    assert first["total"] == 5
    second = rita.get("/api/lead", params={"limit": 3, "sort": "name",
                                           "after": first["next_cursor"]}).json()
    assert [i["name"] for i in second["items"]] == ["Lead 3", "Lead 4"]
    assert second["next_cursor"] is None


def test_list_filters_by_field_value_and_where(rita):
    create(rita, name="Web", email="w@example.com", source="web", value=10)
    create(rita, name="Phone", email="p@example.com", source="phone", value=500)
    by_field = rita.get("/api/lead", params={"source": "web"}).json()["items"]
    assert [i["name"] for i in by_field] == ["Web"]
    by_where = rita.get("/api/lead", params={"where": "value > 100"}).json()["items"]
    assert [i["name"] for i in by_where] == ["Phone"]


def test_bad_where_is_400_with_the_reason(rita):
    response = rita.get("/api/lead", params={"where": "value >>> 1"})
    assert response.status_code == 400
    assert "where" in response.json()["detail"]


def test_filter_on_a_hidden_field_is_400(rita):
    response = rita.get("/api/lead", params={"income": "5"})
    assert response.status_code == 400


def test_list_shows_only_readable_records(api, rita):
    create(rita, name="Mine")
    create(api.client_for("rob"), name="Robs", email="r@example.com")
    names = [i["name"] for i in rita.get("/api/lead").json()["items"]]
    assert names == ["Mine"]


def test_version_in_the_body_works_like_if_match(rita):
    lead = create(rita)
    stale = rita.patch(f"/api/lead/{lead['id']}", json={"name": "X", "version": 99})
    fresh = rita.patch(f"/api/lead/{lead['id']}", json={"name": "Y", "version": 1})
    assert (stale.status_code, fresh.status_code) == (412, 200)


def test_get_with_matching_if_none_match_is_304(rita):
    lead = create(rita)
    response = rita.get(f"/api/lead/{lead['id']}", headers={"If-None-Match": '"1"'})
    assert response.status_code == 304


# ---------------------------------------------------------------- found by schemathesis

BEYOND_64_BITS = 2**63


def test_record_id_beyond_64_bits_is_404_everywhere(api):
    manager = api.client_for("max")
    base = f"/api/lead/{BEYOND_64_BITS}"
    answers = [manager.get(base), manager.patch(base, json={"name": "X"}),
               manager.delete(base), manager.get(f"{base}/history"),
               manager.get(f"{base}/transitions"),
               manager.post(f"{base}/transitions/contact", json={}),
               manager.post(f"{base}/restore")]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert {a.json()["error"] for a in answers} == {"not_found"}
    assert manager.get(f"/e/lead/{BEYOND_64_BITS}").status_code == 404


def test_integer_filter_beyond_64_bits_is_400(api):
    response = api.client_for("max").get(f"/api/lead?account={BEYOND_64_BITS}")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_filter" and "account" in response.json()["detail"]


def test_total_other_than_true_or_false_is_400(rita):
    create(rita)
    assert rita.get("/api/lead?total=null").status_code == 400
    assert rita.get("/api/lead?total=false").json()["total"] is None
    assert rita.get("/api/lead?total=true").json()["total"] == 1


def test_state_filter_with_an_unknown_state_is_400(rita):
    create(rita)
    response = rita.get("/api/lead?state=AAA")
    assert response.status_code == 400 and "new" in response.json()["detail"]
    assert len(rita.get("/api/lead?state=new").json()["items"]) == 1


def test_if_match_star_writes_whatever_the_version(api):
    manager = api.client_for("max")
    lead = create(manager)
    manager.patch(f"/api/lead/{lead['id']}", json={"name": "First"})
    updated = manager.patch(f"/api/lead/{lead['id']}", json={"name": "Second"},
                            headers={"If-Match": "*"})
    assert updated.status_code == 200 and updated.json()["version"] == 3
    assert manager.delete(f"/api/lead/{lead['id']}", headers={"If-Match": "*"}
                          ).status_code == 204


def test_unpaired_surrogate_in_the_body_is_400_and_stores_nothing(rita):
    response = rita.post("/api/lead", content=b'{"name": "Ann \\ud800", "email": "a@b.com"}',
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json" and "surrogate" in response.json()["detail"]
    assert rita.get("/api/lead").json()["items"] == []


def test_method_not_allowed_is_405_with_an_allow_header(rita):
    lead = create(rita)
    response = rita.request("TRACE", f"/api/lead/{lead['id']}")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH", "DELETE"}
    me = rita.post("/api/me", json={})
    assert me.status_code == 405 and me.headers["Allow"] == "GET"


def test_version_beyond_64_bits_is_refused_not_a_failure(rita):
    lead = create(rita)
    url = f"/api/lead/{lead['id']}"
    by_header = rita.patch(url, json={"name": "X"}, headers={"If-Match": f'"{BEYOND_64_BITS}"'})
    in_body = rita.patch(url, json={"name": "X", "version": BEYOND_64_BITS})
    fired = rita.post(f"{url}/transitions/contact", json={},
                      headers={"If-Match": f'"{BEYOND_64_BITS}"'})
    assert (by_header.status_code, in_body.status_code, fired.status_code) == (400, 422, 400)
    assert rita.get(url).json()["version"] == 1


def test_sort_of_blanks_is_the_default_and_an_empty_key_is_400(rita):
    first, second = create(rita, name="A"), create(rita, name="B", email="b@example.com")
    ids = [i["id"] for i in rita.get("/api/lead?sort=%0D").json()["items"]]
    assert ids == [second["id"], first["id"]]
    assert rita.get("/api/lead?sort=name,,id").status_code == 400
    assert [i["name"] for i in rita.get("/api/lead?sort=%20-name%20,%20id").json()["items"]
            ] == ["B", "A"]


def test_version_written_as_a_whole_float_counts_as_that_number(rita):
    lead = create(rita)
    response = rita.patch(f"/api/lead/{lead['id']}", json={"name": "X", "version": 1.0})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert rita.patch(f"/api/lead/{lead['id']}", json={"version": 1.5}).status_code == 422
