"""The knowledge base from a ticket's page over real HTTP: an agent searches the articles,
inserts one (its text, or its help-centre link when it is public) into a reply, and the
ticket records which article it used, which the report of the most used articles counts."""

from __future__ import annotations

import html
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.insight.running import run_report
from selfservice_project import PROJECT, USERS, published
from server_app import PASSWORD, Client, dispose, make_app


@pytest.fixture
def desk(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write_project(PROJECT), sqlite_url, USERS)
    store = app.state.holder.current().store
    amy = made["amy"]
    world = SimpleNamespace(
        store=store, users=made,
        public=published(store, amy, title="Resetting the BIOS", body="Hold **F2**.",
                         visibility="public"),
        internal=published(store, amy, title="Refund exceptions", body="Ask finance.",
                           visibility="internal"),
        ticket=store.create(amy, "ticket", {"subject": "Will not boot"}))
    with Client(app) as client:
        client.login("amy", PASSWORD)
        world.client = client
        yield world
    dispose(app)


def test_an_agent_searches_the_knowledge_base_from_a_ticket(desk):
    page = desk.client.get(f"/e/ticket/{desk.ticket['id']}/knowledge", params={"q": "BIOS"})
    assert page.status_code == 200
    assert "Resetting the BIOS" in page.text and "Refund exceptions" not in page.text


def test_the_ticket_page_links_to_its_knowledge_search(desk):
    page = desk.client.get(f"/e/ticket/{desk.ticket['id']}")
    assert f'href="/e/ticket/{desk.ticket["id"]}/knowledge"' in page.text


def test_inserting_an_article_puts_its_text_in_the_reply_and_records_its_use(desk):
    url = f"/e/ticket/{desk.ticket['id']}/knowledge/{desk.public['id']}"
    page = desk.client.form(url, {"mode": "text"},
                            page=f"/e/ticket/{desk.ticket['id']}/knowledge")
    assert page.status_code == 200
    reply = page.text.split('name="body"', 1)[1].split("</textarea>", 1)[0]
    assert "Hold **F2**." in html.unescape(reply)
    ticket = desk.store.get(desk.users["amy"], "ticket", desk.ticket["id"])
    assert ticket["article"] == desk.public["id"]


def test_a_public_article_is_inserted_as_its_help_centre_link(desk):
    url = f"/e/ticket/{desk.ticket['id']}/knowledge/{desk.public['id']}"
    page = desk.client.form(url, {"mode": "link"},
                            page=f"/e/ticket/{desk.ticket['id']}/knowledge")
    assert f"http://testserver/help/{desk.public['id']}" in page.text


def test_an_internal_article_offers_no_link(desk):
    page = desk.client.get(f"/e/ticket/{desk.ticket['id']}/knowledge")
    item = page.text.split(f'data-article="{desk.internal["id"]}"', 1)[1].split("</li>", 1)[0]
    assert 'value="link"' not in item and 'value="text"' in item


def test_the_report_counts_the_articles_most_used_in_tickets(desk):
    amy = desk.users["amy"]
    for subject in ("Fan noise", "No display"):
        other = desk.store.create(amy, "ticket", {"subject": subject})
        desk.store.update(amy, "ticket", other["id"], {"article": desk.public["id"]})
    desk.store.update(amy, "ticket", desk.ticket["id"], {"article": desk.internal["id"]})
    result = run_report(desk.store, amy, "articles_most_used")
    counts = {row.shown[0]: row.values[0] for row in result.rows}
    assert counts == {"Resetting the BIOS": 2, "Refund exceptions": 1}


def test_an_earlier_version_of_an_article_shows_its_text_as_it_was(desk):
    amy = desk.users["amy"]
    desk.store.transition(amy, "article", desk.public["id"], "revise")
    desk.store.update(amy, "article", desk.public["id"], {"body": "Hold **Delete**."})
    history = desk.store.history(amy, "article", desk.public["id"])
    first = history[0]["id"]
    old = desk.client.get(f"/e/article/{desk.public['id']}/version/{first}")
    assert old.status_code == 200
    assert "<strong>F2</strong>" in old.text and "Delete" not in old.text
    now = desk.client.get(f"/e/article/{desk.public['id']}")
    assert f"/e/article/{desk.public['id']}/version/{first}" in now.text


def test_a_version_of_another_record_is_not_found(desk):
    history = desk.store.history(desk.users["amy"], "article", desk.public["id"])
    answer = desk.client.get(f"/e/article/{desk.internal['id']}/version/{history[0]['id']}")
    assert answer.status_code == 404
