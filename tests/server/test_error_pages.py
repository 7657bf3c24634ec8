"""Error pages: in the visitor's language, titled with the project, with a way on."""

from __future__ import annotations

import pytest
from server_app import SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def app(write_project, sqlite_url):
    app, _ = make_app(write_project(SHOP_PROJECT), sqlite_url,
                      {"wei": ("rep",), "rita": ("rep",)}, language={"wei": "zh"})
    yield app
    dispose(app)


def test_a_missing_page_speaks_the_signed_in_users_language(app):
    with Client(app) as client:
        client.login("wei", "long-secret-pw")
        page = client.get("/e/lead/424242")
    assert page.status_code == 404
    assert "页面不存在" in page.text
    assert "<title>404 · 商店客户管理</title>" in page.text


def test_a_missing_page_keeps_the_menu_of_a_signed_in_user(app):
    with Client(app) as client:
        client.login("rita", "long-secret-pw")
        page = client.get("/e/nothing-here/1")
    assert page.status_code == 404
    assert 'class="mainnav"' in page.text and 'href="/e/lead"' in page.text
    assert "Sign out" in page.text


def test_a_missing_page_for_a_visitor_shows_no_menu(app):
    with Client(app) as client:
        page = client.get("/nothing-here")
    assert page.status_code == 404
    assert "This page does not exist" in page.text
    assert 'class="mainnav"' not in page.text


def test_a_refused_page_names_nothing_of_the_record(app):
    with Client(app) as client:
        client.login("rita", "long-secret-pw")
        created = client.form("/e/lead/new", {"name": "Secret Deal Name"})
        assert created.status_code in (200, 303)
    with Client(app) as client:
        client.login("wei", "long-secret-pw")
        page = client.get("/e/lead/1")
    assert page.status_code == 404
    assert "Secret Deal Name" not in page.text
