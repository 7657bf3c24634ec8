"""The acme demo in a real Chromium at a phone's width (390 px) and a laptop's (1366 px),
in English and Chinese: nothing scrolls sideways, the menu folds away, and the record page
draws its workflow with the transitions the user may fire as links."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from guanxi.accounts import users
from guanxi.cli.server import prepare_demo
from guanxi.data.demo import PASSWORD
from guanxi.server.app import create_app
from server_app import dispose, free_port, start_server

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """examples/acme with its demo data, served by uvicorn on 127.0.0.1."""
    project = tmp_path_factory.mktemp("mobile") / "acme"
    shutil.copytree(EXAMPLES / "acme", project)
    url = f"sqlite:///{project / 'demo.sqlite'}"
    store, _ = prepare_demo(project, url)
    store.dispose()
    app = create_app(project, url, "a-test-secret")
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    store = app.state.holder.current().store
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", store=store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def signed_in(browser, demo, username: str, viewport: dict[str, int], language: str = "en"):
    page = browser.new_page(viewport=viewport)
    page.goto(demo.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(demo.url + "/")
    if not (page.locator("html").get_attribute("lang") or "en").startswith(language):
        with page.expect_navigation():
            page.locator(f"button[name=language][value={language}]").first.dispatch_event(
                "click")
        assert (page.locator("html").get_attribute("lang") or "").startswith(language)
    return page


def sideways(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return int(page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"))


def a_record(demo, username: str, entity: str, state: str | None = None) -> int:
    user = users.find_user(demo.store.engine, username)
    rows = demo.store.list(user, entity, limit=200).items
    return int(next(r["id"] for r in rows if state is None or r["state"] == state))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_page_scrolls_sideways_on_a_phone(browser, demo, language):
    page = signed_in(browser, demo, "mona", PHONE, language)
    lead, deal = a_record(demo, "mona", "lead"), a_record(demo, "mona", "opportunity")
    paths = ["/", "/e/lead", f"/e/lead/{lead}", "/e/lead/new", "/e/opportunity",
             f"/e/opportunity/{deal}", "/e/opportunity/new", "/e/ticket", "/reports",
             "/notifications", f"/e/lead/{lead}/edit", "/search?q=a", "/tasks",
             "/approvals", "/import", "/targets/won_business", "/e/opportunity/board",
             "/help"]
    wide = {}
    for path in paths:
        page.goto(demo.url + path)
        if sideways(page):
            wide[path] = sideways(page)
    page.close()
    assert wide == {}


def test_the_menu_folds_away_on_a_phone_and_opens_with_its_button(browser, demo):
    page = signed_in(browser, demo, "rita", PHONE)
    nav = page.locator("nav.mainnav")
    assert not nav.is_visible()
    page.click("label.menu-button")
    assert nav.is_visible()
    nav.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(demo.url + "/e/")
    page.close()


def test_the_menu_is_always_shown_on_a_laptop(browser, demo):
    page = signed_in(browser, demo, "rita", LAPTOP)
    assert page.locator("nav.mainnav").is_visible()
    assert not page.locator("label.menu-button").is_visible()
    page.close()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_the_record_page_draws_its_workflow_with_the_current_state_marked(browser, demo,
                                                                          viewport, language):
    deal = a_record(demo, "mona", "opportunity", "prospecting")
    page = signed_in(browser, demo, "mona", viewport, language)
    page.goto(f"{demo.url}/e/opportunity/{deal}")
    picture = page.locator("figure.workflow-picture svg")
    assert picture.is_visible()
    current = picture.locator("g.wf-state.current")
    assert current.count() == 1
    assert current.get_attribute("data-state") == "prospecting"
    assert picture.locator("g.wf-state").count() >= 4
    labels = set(picture.locator("g.wf-state text").evaluate_all(
        "els => els.map(e => e.textContent)"))
    assert ("寻找商机" if language == "zh" else "Prospecting") in labels
    assert sideways(page) == 0
    page.close()


def test_clicking_a_transition_in_the_drawing_fires_it(browser, demo):
    deal = a_record(demo, "mona", "opportunity", "prospecting")
    page = signed_in(browser, demo, "mona", LAPTOP)
    page.goto(f"{demo.url}/e/opportunity/{deal}")
    live = page.locator("figure.workflow-picture a.wf-link")
    names = {live.nth(i).locator("[data-transition]").first.get_attribute("data-transition")
             for i in range(live.count())}
    assert "engage" in names
    page.locator('figure.workflow-picture a.wf-link:has(g[data-transition="engage"])').click()
    page.wait_for_url(f"{demo.url}/e/opportunity/{deal}/transition/engage")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{demo.url}/e/opportunity/{deal}")
    assert page.locator("g.wf-state.current").get_attribute("data-state") == "engaging"
    page.close()


def test_only_the_transitions_the_user_may_fire_are_links_in_the_drawing(browser, demo):
    deal = a_record(demo, "rita", "opportunity")
    page = signed_in(browser, demo, "rita", LAPTOP)
    page.goto(f"{demo.url}/e/opportunity/{deal}")
    buttons = page.locator(".transitions [data-transition], .transitions a.button")
    fireable = {(b.get_attribute("data-transition")
                 or (b.get_attribute("href") or "").rsplit("/", 1)[-1])
                for b in buttons.all()}
    links = page.locator("figure.workflow-picture a.wf-link [data-transition]")
    linked = {link.get_attribute("data-transition") for link in links.all()}
    assert linked == fireable
    page.close()


def test_a_missing_page_in_chinese_keeps_the_menu_and_fits_a_phone(browser, demo):
    page = signed_in(browser, demo, "wei", PHONE, "zh")
    response = page.goto(f"{demo.url}/e/lead/987654")
    assert response is not None and response.status == 404
    assert "页面不存在" in page.locator("main").inner_text()
    page.click("label.menu-button")
    assert page.locator("nav.mainnav a").count() > 0
    assert sideways(page) == 0
    page.close()
