"""What the server tells a caller about the project beyond the records she may read: the
"why can I see this?" panel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.server.testing import SHOP_PROJECT, Client, dispose, make_app

PASSWORD = "secret-pw"
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
