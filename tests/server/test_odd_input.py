"""Odd input from outside is a 400 (or the page's error), never a 500 and never misread:
Unicode digits, very long numbers, deeply nested JSON, long `in` lists and NUL characters,
through the real HTTP app on both databases."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi import expr
from guanxi.fields.integers import parse_int
from guanxi.server.auth import tokens
from server_app import SHOP_PROJECT, Client, dispose, make_app

PASSWORD = "secret-pw-for-tests"
SUPERSCRIPT_ONE = "\u00b9"  # "¹": str.isdigit() is True, int() refuses it
ARABIC_THREE = "\u0663"  # "٣": int() reads it as 3


@pytest.fixture
def shop(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(SHOP_PROJECT), db_url,
                         {"max": ("manager",), "rita": ("rep",)}, password=PASSWORD)
    engine = app.state.holder.current().engine
    token = tokens.issue(engine, made["max"].id, "tests")
    store = app.state.holder.current().store
    with Client(app, headers={"Authorization": f"Bearer {token}"}) as api:
        yield SimpleNamespace(app=app, api=api, store=store, users=made, engine=engine)
    dispose(app)


@pytest.fixture
def max_page(shop: SimpleNamespace) -> Iterator[Client]:
    with Client(shop.app) as client:
        client.login("max", PASSWORD)
        yield client


def lead(shop: SimpleNamespace, **values: object) -> dict:
    return shop.store.create(shop.users["max"], "lead", {"name": "Ann Lee", **values})


# ---------------------------------------------------------------- the parser


@pytest.mark.parametrize("text", [SUPERSCRIPT_ONE, ARABIC_THREE, "\uff13", " 3", "3 ", "+3",
                                  "", "1" * 20, "0x10", "1_000", "3.0"])
def test_parse_int_refuses_anything_but_ascii_digits(text):
    assert parse_int(text) is None


def test_parse_int_reads_ascii_digits_sign_and_bounds():
    assert parse_int("042") == 42
    assert parse_int("-7") is None and parse_int("-7", signed=True) == -7
    assert parse_int("9" * 19) == int("9" * 19)
    assert parse_int("5", low=1, high=4) is None and parse_int("0", low=1) is None


# ---------------------------------------------------------------- API query parameters


def test_api_limit_in_superscript_digits_is_400(shop):
    response = shop.api.get("/api/lead", params={"limit": SUPERSCRIPT_ONE})
    assert response.status_code == 400 and response.json()["error"] == "bad_limit"


def test_api_limit_in_arabic_digits_is_400_not_read_as_3(shop):
    response = shop.api.get("/api/lead", params={"limit": ARABIC_THREE})
    assert response.status_code == 400 and response.json()["error"] == "bad_limit"


def test_api_reference_filter_in_unicode_digits_is_400(shop):
    account = shop.store.create(shop.users["max"], "account", {"name": "Acme"})
    assert account["id"] == 1
    for value in (SUPERSCRIPT_ONE, ARABIC_THREE):
        response = shop.api.get("/api/lead", params={"account": value})
        assert response.status_code == 400, value
        assert response.json()["error"] == "bad_filter"


def test_api_owner_filter_of_5000_digits_is_400(shop):
    response = shop.api.get("/api/lead", params={"owner": "1" * 5000})
    assert response.status_code == 400 and response.json()["error"] == "bad_filter"


def test_api_id_filter_below_one_is_400(shop):
    response = shop.api.get("/api/lead", params={"account": "0"})
    assert response.status_code == 400 and response.json()["error"] == "bad_filter"


def test_if_match_of_5000_digits_is_400(shop):
    record = lead(shop)
    response = shop.api.patch(f"/api/lead/{record['id']}", json={"name": "B"},
                              headers={"If-Match": '"' + "1" * 5000 + '"'})
    assert response.status_code == 400 and response.json()["error"] == "bad_if_match"


def test_money_in_arabic_digits_is_422_not_read_as_3(shop):
    response = shop.api.post("/api/lead", json={"name": "A", "value": ARABIC_THREE})
    assert response.status_code == 422
    assert "value" in response.json()["fields"]


# ---------------------------------------------------------------- API bodies


def test_json_body_nested_1000_deep_is_400(shop):
    body = b'{"name": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = shop.api.post("/api/lead", content=body,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "malformed_json"


def test_json_body_nested_100_deep_is_400(shop):
    body = b'{"name": ' + b"[" * 100 + b"]" * 100 + b"}"
    response = shop.api.post("/api/lead", content=body,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "deep" in response.json()["detail"]


def test_json_integer_of_5000_digits_is_400(shop):
    body = b'{"name": "A", "value": ' + b"1" * 5000 + b"}"
    response = shop.api.post("/api/lead", content=body,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "malformed_json"


def test_cursor_nested_2000_deep_is_400(shop):
    cursor = base64.urlsafe_b64encode(b'{"s":' + b"[" * 2000 + b"]" * 2000 + b"}").decode()
    response = shop.api.get("/api/lead", params={"after": cursor.rstrip("=")})
    assert response.status_code == 400 and "cursor" in response.json()["detail"]


# ---------------------------------------------------------------- where


def test_where_in_list_of_999_items_works(shop):
    record = lead(shop)
    where = f"id in [{', '.join([str(record['id'])] * 999)}]"
    response = shop.api.get("/api/lead", params={"where": where})
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["items"]] == [record["id"]]


def test_where_in_list_of_1900_items_works(shop):
    record = lead(shop)
    where = f"id in [{','.join([str(record['id'])] * 1900)}]"
    assert len(where) <= 4000
    response = shop.api.get("/api/lead", params={"where": where})
    assert response.status_code == 200 and response.json()["total"] == 1


def test_where_not_in_a_long_list_excludes_its_items(shop):
    first, second = lead(shop), lead(shop, name="Bo")
    where = f"id not in [{','.join([str(first['id'])] * 1500)}]"
    response = shop.api.get("/api/lead", params={"where": where})
    assert [r["id"] for r in response.json()["items"]] == [second["id"]]


def test_where_longer_than_its_bound_is_400(shop):
    where = f"id in [{','.join(['1'] * 2500)}]"
    response = shop.api.get("/api/lead", params={"where": where})
    assert response.status_code == 400 and "4000" in response.json()["detail"]


def test_nul_in_a_where_string_is_400(shop):
    lead(shop)
    response = shop.api.get("/api/lead", params={"where": 'name == "Ann\x00Lee"'})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_nul_in_a_where_string_inside_a_function_is_400(shop):
    response = shop.api.get("/api/lead", params={"where": 'starts_with(name, "\x00")'})
    assert response.status_code == 400


@pytest.mark.parametrize("literal", ["9" * 5000, "9" * 5000 + "d"])
def test_expression_number_of_5000_digits_is_a_syntax_error(literal):
    # Expressions in YAML may be 10,000 characters long; int() refuses 4,300 digits.
    with pytest.raises(expr.ExprSyntaxError, match="too"):
        expr.parse(f"x == {literal}")


# ---------------------------------------------------------------- pages


def test_page_owner_filter_in_superscript_digits_is_400(shop, max_page):
    response = max_page.get("/e/lead", params={"owner": SUPERSCRIPT_ONE})
    assert response.status_code == 400


def test_page_reference_filter_in_superscript_digits_is_400(shop, max_page):
    response = max_page.get("/e/lead", params={"account": "\u00b2"})
    assert response.status_code == 400


def test_page_owner_filter_in_arabic_digits_is_400_not_read_as_3(shop, max_page):
    response = max_page.get("/e/lead", params={"owner": ARABIC_THREE})
    assert response.status_code == 400


def test_edit_post_with_superscript_version_is_400(shop, max_page):
    record = lead(shop)
    url = f"/e/lead/{record['id']}/edit"
    response = max_page.form(url, {"name": "Changed", "version": SUPERSCRIPT_ONE})
    assert response.status_code == 400
    assert shop.store.get(shop.users["max"], "lead", record["id"])["name"] == "Ann Lee"


def test_delete_post_with_superscript_version_is_400(shop, max_page):
    record = lead(shop)
    response = max_page.form(f"/e/lead/{record['id']}/delete", {"version": SUPERSCRIPT_ONE},
                             page=f"/e/lead/{record['id']}")
    assert response.status_code == 400
    assert shop.store.get(shop.users["max"], "lead", record["id"])["id"] == record["id"]


def test_delete_post_with_arabic_version_is_400_not_read_as_3(shop, max_page):
    record = lead(shop)
    for name in ("B", "C"):
        record = shop.store.update(shop.users["max"], "lead", record["id"], {"name": name})
    assert record["version"] == 3
    response = max_page.form(f"/e/lead/{record['id']}/delete", {"version": ARABIC_THREE},
                             page=f"/e/lead/{record['id']}")
    assert response.status_code == 400
    assert shop.store.get(shop.users["max"], "lead", record["id"])["id"] == record["id"]


def test_transition_post_with_superscript_version_is_400(shop, max_page):
    record = lead(shop)
    response = max_page.form(f"/e/lead/{record['id']}/transition/contact",
                             {"version": SUPERSCRIPT_ONE}, page=f"/e/lead/{record['id']}")
    assert response.status_code == 400
    assert shop.store.get(shop.users["max"], "lead", record["id"])["state"] == "new"


def test_token_revoke_in_superscript_digits_is_400_and_issues_nothing(shop, max_page):
    before = len(tokens.list_for(shop.engine, shop.users["max"].id))
    response = max_page.form("/account/tokens", {"revoke": SUPERSCRIPT_ONE})
    assert response.status_code == 400
    assert len(tokens.list_for(shop.engine, shop.users["max"].id)) == before

