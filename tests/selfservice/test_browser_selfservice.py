"""The help centre and web forms in a real Chromium against a real uvicorn server, as an
anonymous visitor: what a customer sees, and what an attacker's payload does not do."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.automation.worker import Worker
from selfservice_project import PROJECT, USERS, published, write_files
from server_app import dispose, free_port, make_app, start_server

pytestmark = pytest.mark.browser

PAYLOAD = "<script>window.pwned = 1</script><img src=x onerror='window.pwned=2'>"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The project served by uvicorn on 127.0.0.1, with published and internal articles."""
    import uvicorn

    root = write_files(tmp_path_factory.mktemp("live"), PROJECT)
    app, made = make_app(root, f"sqlite:///{root / 'guanxi.sqlite'}", USERS)
    store = app.state.holder.current().store
    amy = made["amy"]
    articles = SimpleNamespace(
        chinese=published(store, amy, title="显卡驱动安装指南", body="先下载**驱动程序**。",
                          visibility="public", language="zh", keywords="显卡 驱动"),
        internal=published(store, amy, title="驱动内部折扣", body="内部资料",
                           visibility="internal", language="zh"),
        payload=published(store, amy, title="Payload", body=PAYLOAD + "\n\n[x](javascript:"
                          "window.pwned=3)", visibility="public", language="en"))
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made, store=store,
                          articles=articles)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


@pytest.fixture
def page(browser, live):
    """A new anonymous visitor (a context of their own: no cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_a_visitor_finds_a_published_article_by_a_chinese_keyword_but_never_an_internal_one(
        page, live):
    page.goto(live.url + "/help")
    page.click("button[name=language][value=zh]")
    page.fill("#help-q", "驱动")
    page.click(".help-search button[type=submit]")
    found = page.locator(".help-articles").inner_text()
    assert "显卡驱动安装指南" in found
    assert "驱动内部折扣" not in found
    page.click("text=显卡驱动安装指南")
    assert page.locator("h1").inner_text() == "显卡驱动安装指南"
    assert page.locator(".help-body strong").inner_text() == "驱动程序"
    page.goto(live.url + f"/help/{live.articles.internal['id']}")
    assert "驱动内部折扣" not in page.content()


def test_a_visitor_opens_a_ticket_from_the_help_centre(page, live):
    page.goto(live.url + "/help")
    page.click(".help-contact a")
    page.fill("#f-requester_name", "Li Na")
    page.fill("#f-requester_email", "li.na@example.com")
    page.fill("#f-subject", "Screen flickers")
    page.fill("#f-description", PAYLOAD)
    page.check("#f-privacy_consent")
    page.click("form.public-form button[type=submit]")
    assert "Your ticket is open." in page.locator("main").inner_text()
    [ticket] = [t for t in live.store.list(live.users["amy"], "ticket").items
                if t["subject"] == "Screen flickers"]
    assert ticket["channel"] == "web" and ticket["description"] == PAYLOAD


def test_a_web_to_lead_form_creates_a_lead_a_rep_is_given(page, live):
    page.goto(live.url + "/forms/quote")
    page.fill("#f-name", "Zhao Lei")
    page.fill("#f-email", "zhao.lei@example.com")
    page.fill("#f-notes", "50 GTX cards")
    page.click("form.public-form button[type=submit]")
    assert "A representative will call you." in page.locator("main").inner_text()
    Worker(live.store).run_until_quiet(live.store.clock())
    [lead] = [lead for lead in live.store.list(live.store.system, "lead").items
              if lead["email"] == "zhao.lei@example.com"]
    assert lead["source"] == "web" and lead["owner"] == live.users["rob"].id


def test_a_web_to_lead_form_refuses_a_post_that_fills_the_honeypot(page, live):
    page.goto(live.url + "/forms/quote")
    page.fill("#f-name", "Spam Bot")
    page.fill("#f-email", "bot@example.com")
    page.evaluate("document.querySelector('input[name=website]').value = 'http://spam'")
    page.click("form.public-form button[type=submit]")
    assert page.locator(".alert").inner_text().startswith("This message looks automated")
    leads = live.store.list(live.store.system, "lead").items
    assert all(lead["email"] != "bot@example.com" for lead in leads)


def test_script_in_an_article_body_does_not_run(page, live):
    page.goto(live.url + f"/help/{live.articles.payload['id']}")
    assert page.locator("h1").inner_text() == "Payload"
    assert page.locator(".help-body a[href^='javascript']").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_script_posted_in_a_form_does_not_run_on_the_staff_page(browser, live):
    live.store.create(live.store.public, "ticket", {"subject": "XSS probe",
                                                    "description": PAYLOAD})
    [probe] = [t for t in live.store.list(live.users["amy"], "ticket").items
               if t["subject"] == "XSS probe"]
    context = browser.new_context()
    staff = context.new_page()
    staff.goto(live.url + "/login")
    staff.fill("#username", "amy")
    staff.fill("#password", "long-secret-pw")
    staff.click("button[type=submit]")
    staff.wait_for_url(live.url + "/")
    staff.goto(live.url + f"/e/ticket/{probe['id']}")
    assert PAYLOAD in staff.locator('[data-field="description"]').inner_text()
    assert staff.evaluate("typeof window.pwned") == "undefined"
    context.close()
