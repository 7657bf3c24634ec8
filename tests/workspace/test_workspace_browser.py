"""The workspace in a real Chromium against a real uvicorn server, on a wide screen in
English and on a phone in Chinese: the header's type-ahead search, a note with an
@mention on a record's timeline, and completing a task with one click."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from guanxi.automation import notifications
from server_app import dispose, free_port, make_app, start_server
from workspace_project import PROJECT

pytestmark = pytest.mark.browser

# (width, language): a laptop in English and a phone in Chinese.
SCREENS = [pytest.param((1366, "en"), id="1366-en"), pytest.param((390, "zh"), id="390-zh")]
MANAGER = {"en": "mona", "zh": "mei"}
REP = {"en": "rita", "zh": "ran"}
WORDS = {
    "en": {"note": "Add note", "notes": "Notes", "done": "Done", "overdue": "Overdue"},
    "zh": {"note": "添加备注", "notes": "备注", "done": "完成", "overdue": "已逾期"},
}


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[SimpleNamespace]:
    import uvicorn

    root = tmp_path_factory.mktemp("workspace-live")
    for relative, text in PROJECT.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    app, made = make_app(root, f"sqlite:///{root / 'crm.sqlite'}",
                         {"mona": ("manager",), "mei": ("manager",), "rita": ("rep",),
                          "ran": ("rep",)},
                         language={"mei": "zh", "ran": "zh"})
    store = app.state.holder.current().store
    account = store.create(made["mona"], "account", {"name": "Hottechi", "city": "上海"})
    store.create(made["mona"], "deal", {"name": "Hottechi renewal", "account": account["id"]})
    store.create(made["mona"], "account", {"name": "华东电子"})
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made, store=store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def sign_in(browser, live, username: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live.url + "/login")
    page.fill("#username", username)
    page.fill("#password", "long-secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    return page


def scrolls_sideways(page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.mark.parametrize("screen", SCREENS)
def test_the_type_ahead_shows_records_of_several_entities_and_enter_opens_the_page(
        browser, live, screen):
    width, language = screen
    page = sign_in(browser, live, MANAGER[language], width)
    page.fill("#global-search", "hottechi")
    suggest = page.locator("#global-search-results")
    suggest.locator('[data-entity="deal"] a').first.wait_for()
    assert suggest.locator('[data-entity="account"] a').first.inner_text().startswith(
        "Hottechi")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live.url}/e/account/*")
    page.fill("#global-search", "华东")
    page.press("#global-search", "Enter")  # nothing chosen: the form opens /search
    page.wait_for_url(f"{live.url}/search?q=*")
    assert page.locator('section[data-entity="account"] a').first.inner_text() == "华东电子"
    assert not scrolls_sideways(page)
    page.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_note_with_a_mention_shows_on_the_timeline_and_notifies(browser, live, screen):
    width, language = screen
    store, users = live.store, live.users
    deal = store.create(users[REP[language]], "deal", {"name": f"Noted {language}"})
    page = sign_in(browser, live, MANAGER[language], width)
    page.goto(f"{live.url}/e/deal/{deal['id']}")
    page.fill("#note-body", f"@{REP[language]} please send the quote")
    page.get_by_role("button", name=WORDS[language]["note"]).click()
    page.wait_for_url(f"{live.url}/e/deal/{deal['id']}*")
    timeline = page.locator("#timeline")
    assert "please send the quote" in timeline.locator("li.kind-note").inner_text()
    timeline.get_by_role("link", name=WORDS[language]["notes"], exact=True).click()
    page.wait_for_url("**kind=note*")
    assert page.locator("#timeline li.kind-change").count() == 0
    assert not scrolls_sideways(page)
    inbox = notifications.inbox(store.engine, users[REP[language]].id)
    assert any(n.record_id == deal["id"] and n.source == "mention" for n in inbox)
    page.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_task_is_completed_with_one_click(browser, live, screen):
    width, language = screen
    store, users = live.store, live.users
    rep = users[REP[language]]
    deal = store.create(rep, "deal", {"name": f"Task deal {language}"})
    task = store.create(rep, "activity", {
        "subject": f"Call back {language}", "deal": deal["id"],
        "due": dt.datetime.now(dt.UTC) - dt.timedelta(days=1)})
    page = sign_in(browser, live, REP[language], width)
    page.goto(live.url + "/tasks")
    overdue = page.locator('[data-part="overdue"]')
    assert WORDS[language]["overdue"] in overdue.locator("h2").inner_text()
    item = overdue.locator(f'[data-task="activity-{task["id"]}"]')
    item.get_by_role("button").click()
    page.wait_for_url(live.url + "/tasks")
    assert page.locator(f'[data-task="activity-{task["id"]}"]').count() == 0
    assert not scrolls_sideways(page)
    assert store.get(rep, "activity", task["id"])["done"] is True
    page.close()
