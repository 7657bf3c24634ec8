"""The public help centre over real HTTP, on SQLite and PostgreSQL: anonymous visitors
read the published public articles (by category, language and search, Chinese too) and
nothing else; Markdown is rendered without scripts; votes are counted once per visitor."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from conftest import fresh_postgres_schema
from selfservice_project import PROJECT, USERS, published, write_files
from server_app import Client, dispose, make_app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[SimpleNamespace]:
    """One project and database per backend for the module (the tests only read, or
    write what no other test reads)."""
    root = write_files(tmp_path_factory.mktemp("desk"), PROJECT)
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'guanxi.sqlite'}"
    else:
        url = fresh_postgres_schema(request.getfixturevalue("postgres_database"))
    app, made = make_app(root, url, USERS)
    store = app.state.holder.current().store
    amy = made["amy"]
    world = SimpleNamespace(
        app=app, store=store, users=made,
        driver=published(store, amy, title="Installing the GTX driver", body="Download it.",
                         category="products", visibility="public", language="en",
                         secret_note="margin 40%"),
        chinese=published(store, amy, title="显卡驱动安装", body="先下载**驱动程序**。",
                          category="products", visibility="public", language="zh",
                          keywords="显卡 驱动"),
        internal=published(store, amy, title="Internal price list", body="Do not share.",
                           visibility="internal", language="en"),
        draft=store.create(amy, "article", {"title": "Draft on billing", "body": "Soon.",
                                            "visibility": "public", "language": "en",
                                            "category": "billing"}))
    yield world
    dispose(app)


@pytest.fixture
def desk(world: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """The world, with a new visitor (their own session) as `client`."""
    with Client(world.app) as client:
        world.client = client
        yield world


def test_the_help_centre_lists_published_public_articles_without_signing_in(desk):
    page = desk.client.get("/help")
    assert page.status_code == 200
    assert "Installing the GTX driver" in page.text
    assert "Internal price list" not in page.text
    assert "Draft on billing" not in page.text


def test_internal_and_draft_articles_are_not_found_by_their_ids(desk):
    for article in (desk.internal, desk.draft):
        assert desk.client.get(f"/help/{article['id']}").status_code == 404
    assert desk.client.get("/help/999999").status_code == 404


def test_a_chinese_keyword_finds_the_chinese_article_after_the_language_switch(desk):
    desk.client.form("/language", {"language": "zh", "next": "/help"}, page="/help")
    page = desk.client.get("/help", params={"q": "驱动"})
    assert "显卡驱动安装" in page.text
    assert "帮助中心" in page.text
    assert "Installing the GTX driver" not in page.text


def test_the_list_shows_articles_in_the_visitors_language_only(desk):
    page = desk.client.get("/help")
    assert "显卡驱动安装" not in page.text
    desk.client.form("/language", {"language": "zh", "next": "/help"}, page="/help")
    assert "显卡驱动安装" in desk.client.get("/help").text


def test_search_never_finds_an_internal_article(desk):
    page = desk.client.get("/help", params={"q": "price"})
    assert "Internal price list" not in page.text


def test_a_category_lists_only_its_articles(desk):
    page = desk.client.get("/help", params={"category": "billing"})
    assert "Installing the GTX driver" not in page.text


def test_an_article_shows_its_markdown_rendered(desk):
    desk.client.form("/language", {"language": "zh", "next": "/help"}, page="/help")
    page = desk.client.get(f"/help/{desk.chinese['id']}")
    assert "<strong>驱动程序</strong>" in page.text


def test_script_in_an_article_body_is_removed(desk):
    body = ("<script>window.pwned=1</script>\n\n[click](javascript:alert(1)) "
            "<img src=x onerror=alert(2)>")
    article = published(desk.store, desk.users["amy"], title="Payload", body=body,
                        visibility="public", language="en")
    page = desk.client.get(f"/help/{article['id']}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert 'href="javascript' not in page.text
    assert "<img src=x" not in page.text


def test_fields_the_help_centre_does_not_show_stay_off_the_page(desk):
    page = desk.client.get(f"/help/{desk.driver['id']}")
    assert "margin 40%" not in page.text


def test_a_vote_is_counted_once_per_visitor(desk):
    url = f"/help/{desk.driver['id']}"
    for answer in ("yes", "yes", "no", "yes"):
        assert desk.client.form(url + "/vote", {"helpful": answer}, page=url).status_code == 303
    page = desk.client.get(url)
    assert "Yes (1)" in page.text and "No (0)" in page.text


def test_a_vote_without_the_csrf_token_is_refused(desk):
    answer = desk.client.post(f"/help/{desk.driver['id']}/vote", data={"helpful": "yes"})
    assert answer.status_code == 403


def test_a_vote_on_an_internal_article_is_not_found(desk):
    url = f"/help/{desk.internal['id']}/vote"
    answer = desk.client.form(url, {"helpful": "yes"}, page="/help")
    assert answer.status_code == 404


def test_anonymous_visitors_reach_no_record_page_or_api(desk):
    client = desk.client
    for path in (f"/e/article/{desk.internal['id']}", "/e/ticket", "/e/lead/new"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    for path in ("/api/article", f"/api/article/{desk.driver['id']}", "/api/ticket",
                 "/openapi.json", "/admin/forms"):
        assert client.get(path).status_code in (401, 303)
