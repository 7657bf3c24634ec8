"""Details of the generated pages: what the create form leaves for later, how lists of
related records and error pages read, how times show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from server_app import PASSWORD, SHOP_PROJECT, Client, dispose, make_app

PROJECT = {
    **SHOP_PROJECT,
    "entities/org.yaml": """\
org:
  label: {en: Organisation, zh: 组织}
  plural: {en: Organisations, zh: 组织}
  title: name
  fields:
    name: {type: string, required: true, label: {en: Name, zh: 名称}}
    parent:
      type: reference
      to: org
      label: {en: Part of, zh: 隶属于}
      related_label: {en: Divisions, zh: 下属部门}
  access:
    manager: {create: all, read: all, update: all, delete: all}
""",
}


@pytest.fixture
def shop(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(PROJECT), sqlite_url, {"max": ("manager",)})
    with Client(app) as client:
        client.login("max", PASSWORD)
        yield SimpleNamespace(client=client, users=made, app=app,
                              store=app.state.holder.current().store)
    dispose(app)


def test_new_form_leaves_out_fields_a_transition_into_a_final_state_asks_for(shop):
    page = shop.client.get("/e/lead/new").text
    assert 'data-field="name"' in page
    assert 'data-field="loss_reason"' not in page


def test_edit_form_still_offers_the_fields_left_off_the_create_form(shop):
    lead = shop.store.create(shop.users["max"], "lead", {"name": "Bo"})
    page = shop.client.get(f"/e/lead/{lead['id']}/edit").text
    assert 'data-field="loss_reason"' in page


def test_related_list_heads_its_title_column_with_the_title_field_label(shop):
    account = shop.store.create(shop.users["max"], "account", {"name": "Acme"})
    shop.store.create(shop.users["max"], "lead", {"name": "Bo", "account": account["id"]})
    page = shop.client.get(f"/e/account/{account['id']}").text
    section = page[page.index('data-related="lead"'):]
    assert '<th scope="col">Name</th>' in section
    assert '<th scope="col"></th>' not in section


def test_related_label_titles_the_records_pointing_here(shop):
    parent = shop.store.create(shop.users["max"], "org", {"name": "Head office"})
    shop.store.create(shop.users["max"], "org", {"name": "Lab", "parent": parent["id"]})
    page = shop.client.get(f"/e/org/{parent['id']}").text
    assert "<h2>Divisions" in page
    assert "Organisations (Part of)" not in page


def test_not_found_page_is_titled_with_the_project_label_in_the_visitors_language(shop):
    with Client(shop.app) as visitor:  # not signed in: the browser's language counts
        answer = visitor.get("/nothing-here", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 404
    assert "<title>404 · 商店客户管理</title>" in answer.text
    assert 'class="brand" href="/"' in answer.text


def test_token_page_shows_when_a_token_was_made_to_the_minute_with_its_zone(shop):
    shop.client.form("/account/tokens", {"label": "script"})
    page = shop.client.get("/account/tokens").text
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td>", page)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", page)
