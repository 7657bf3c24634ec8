"""The administrators' access page (/admin/explain): any user's access to an entity or a
record, rule by rule with file:line, in the page's language; 404 to everyone else."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from server_app import PASSWORD, SHOP_PROJECT, Client, dispose, make_app


@pytest.fixture
def site(write_project, db_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(SHOP_PROJECT), db_url,
                         {"rita": ("rep",), "mona": ("manager",), "wang": ("manager",)},
                         language={"wang": "zh"})
    store = app.state.holder.current().store
    lead = store.create(made["mona"], "lead", {"name": "Mona's lead", "income": 5})
    with Client(app) as page:
        yield SimpleNamespace(app=app, page=page, lead=lead["id"])
    dispose(app)


def test_an_administrator_sees_why_a_rep_cannot_see_a_record(site) -> None:
    site.page.login("mona", PASSWORD)
    answer = site.page.get(f"/admin/explain?user=rita&entity=lead&id={site.lead}")
    assert answer.status_code == 200
    assert "role rep may read lead where owner == current_user: does not hold for this " \
           "record (lead.access.rep.read, entities/crm.yaml:" in answer.text
    assert "so rita cannot see this lead" in answer.text


def test_the_page_speaks_the_pages_language(site) -> None:
    site.page.login("wang", PASSWORD)
    answer = site.page.get("/admin/explain?user=rita&entity=lead")
    assert "因此字段 income 对 rita 隐藏" in answer.text


def test_an_unknown_user_is_said_on_the_page(site) -> None:
    site.page.login("mona", PASSWORD)
    answer = site.page.get("/admin/explain?user=nobody&entity=lead")
    assert "No active user named nobody." in answer.text


def test_the_page_is_not_found_for_others(site) -> None:
    site.page.login("rita", PASSWORD)
    assert site.page.get("/admin/explain?user=mona&entity=lead").status_code == 404


def test_a_bad_record_id_is_a_400(site) -> None:
    site.page.login("mona", PASSWORD)
    assert site.page.get("/admin/explain?user=rita&entity=lead&id=x").status_code == 400


def test_administrators_find_the_page_in_the_header(site) -> None:
    site.page.login("mona", PASSWORD)
    assert 'href="/admin/explain"' in site.page.get("/").text


def test_others_do_not_see_the_link(site) -> None:
    site.page.login("rita", PASSWORD)
    assert 'href="/admin/explain"' not in site.page.get("/").text
