"""The board, record pickers and lists in a real Chromium against a real uvicorn server,
at a desk's 1366 px in English and a phone's 390 px in Chinese."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from lists_project import LISTS_PROJECT
from server_app import dispose, free_port, make_app, start_server

pytestmark = pytest.mark.browser

# (viewport width, the user signed in, who reads the pages in this language)
CASES = [pytest.param(1366, "rita", id="1366-en"), pytest.param(390, "wei", id="390-zh")]
ACCOUNTS = 520


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """One server for the module, with more accounts than a select could ever hold."""
    import uvicorn

    root = tmp_path_factory.mktemp("lists")
    for relative, text in LISTS_PROJECT.items():
        path = root / "project" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    app, made = make_app(root / "project", f"sqlite:///{root / 'guanxi.sqlite'}",
                         {"rita": ("rep",), "wei": ("rep",), "max": ("manager",)},
                         language={"wei": "zh"})
    store = app.state.holder.current().store
    store.bulk_insert(made["max"], "account",
                      [{"name": f"Account {n:04d}"} for n in range(1, ACCOUNTS + 1)])
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made, store=store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


@pytest.fixture
def signed_in(browser, live):
    contexts = []

    def open_as(username: str, width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors
        page.goto(live.url + "/login")
        page.fill("#username", username)
        page.fill("#password", "long-secret-pw")
        page.click("button[type=submit]")
        page.wait_for_url(live.url + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def new_lead(live, username: str, name: str, **values):
    return live.store.create(live.users[username], "lead", {"name": name, **values})


def card(page, record_id: int):
    return page.locator(f'.kcard[data-id="{record_id}"]')


def column_of(page, record_id: int) -> str:
    return str(card(page, record_id).get_attribute("data-state"))


@pytest.mark.parametrize(("width", "username"), CASES)
def test_kanban_moves_a_card_by_drag_and_drop(signed_in, live, width, username, tmp_path):
    made = new_lead(live, username, f"Drag {width}", value=300)
    page = signed_in(username, width)
    page.goto(live.url + "/e/lead/board")
    # Every column fits beside the others at 1366 px, and below each other at 390 px.
    assert page.evaluate("(b => b.scrollWidth <= b.clientWidth)"
                         "(document.querySelector('.board'))")
    with page.expect_navigation():
        card(page, made["id"]).drag_to(page.locator('section[data-state="contacted"]'))
    assert column_of(page, made["id"]) == "contacted"
    page.screenshot(path=tmp_path / f"board-{width}.png", full_page=True)
    assert live.store.get(live.users[username], "lead", made["id"])["state"] == "contacted"
    assert page.script_errors == []


@pytest.mark.parametrize(("width", "username"), CASES)
def test_kanban_asks_in_a_dialog_for_the_fields_a_move_needs(signed_in, live, width,
                                                              username):
    made = new_lead(live, username, f"Ask {width}")
    page = signed_in(username, width)
    page.goto(live.url + "/e/lead/board")
    card(page, made["id"]).drag_to(page.locator('section[data-state="lost"]'))
    dialog = page.locator("dialog.ask-dialog")
    dialog.locator('[name="loss_reason"]').fill("no budget")
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    record = live.store.get(live.users[username], "lead", made["id"])
    assert record["state"] == "lost" and record["loss_reason"] == "no budget"


@pytest.mark.parametrize(("width", "username"), CASES)
def test_kanban_refusal_shows_its_reason_and_puts_the_card_back(signed_in, live, width,
                                                                 username):
    made = new_lead(live, username, f"Stale {width}")
    page = signed_in(username, width)
    page.goto(live.url + "/e/lead/board")
    # Someone else changes the record after the board was shown: the move is refused.
    live.store.update(live.users[username], "lead", made["id"], {"value": 1})
    card(page, made["id"]).drag_to(page.locator('section[data-state="contacted"]'))
    message = page.locator(".board-message")
    message.wait_for(state="visible")
    no_step = page.locator(".board").get_attribute("data-no-step")
    assert message.inner_text().strip() not in ("", no_step)
    assert column_of(page, made["id"]) == "new"
    assert page.locator(f'section[data-state="new"] .kcard[data-id="{made["id"]}"]').count() == 1


@pytest.mark.parametrize(("width", "username"), CASES)
def test_the_picker_chooses_an_account_beyond_the_500th(signed_in, live, width, username):
    page = signed_in(username, width)
    page.goto(live.url + "/e/lead/new")
    page.fill("#f-name", f"Far away {width}")
    page.locator("#f-account").press_sequentially("Account 0515", delay=20)
    option = page.locator('.picker-list [role="option"]', has_text="Account 0515")
    option.click()
    with page.expect_navigation():
        page.click("form.record-form button[type=submit]")
    assert "Account 0515" in page.locator('[data-field="account"], main').first.inner_text()
    lead = live.store.list(live.users[username], "lead",
                           filters={"name": f"Far away {width}"}).items[0]
    chosen = live.store.get(live.users["max"], "account", lead["account"])
    assert chosen["name"] == "Account 0515"
    assert page.script_errors == []


@pytest.mark.parametrize(("width", "username"), CASES)
def test_a_list_is_filtered_by_a_range_and_moved_in_bulk(signed_in, live, width, username,
                                                        tmp_path):
    small = new_lead(live, username, f"Small {width}", value=5)
    big = new_lead(live, username, f"Big {width}", value=90000)
    page = signed_in(username, width)
    page.goto(live.url + "/e/lead")
    page.fill('[name="value.from"]', "80000")
    with page.expect_navigation():
        page.click("form.filterbar button[type=submit]")
    rows = page.locator("table.records tbody tr")
    page.screenshot(path=tmp_path / f"list-{width}.png", full_page=True)
    assert rows.count() == 1 and rows.first.get_attribute("data-id") == str(big["id"])
    page.locator(".select-all").check()
    page.select_option('[name="action"]', "transition")
    page.select_option('[name="transition"]', "contact")
    with page.expect_navigation():
        page.click(".bulkbar button[type=submit]")
    assert page.locator(f'.bulk-results tr.ok[data-id="{big["id"]}"]').count() == 1
    assert live.store.get(live.users[username], "lead", big["id"])["state"] == "contacted"
    assert live.store.get(live.users[username], "lead", small["id"])["state"] == "new"


def test_the_picker_creates_the_account_it_picks_in_a_dialog(signed_in, live):
    page = signed_in("rita", 1366)
    page.goto(live.url + "/e/lead/new")
    page.fill("#f-name", "Quick one")
    page.click(".picker-new")
    dialog = page.locator("dialog.picker-dialog")
    dialog.locator('[name="name"]').fill("Quick Co")
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    assert page.input_value("#f-account") == "Quick Co"
    with page.expect_navigation():
        page.click("form.record-form button[type=submit]")
    lead = live.store.list(live.users["rita"], "lead", filters={"name": "Quick one"}).items[0]
    assert live.store.get(live.users["max"], "account", lead["account"])["name"] == "Quick Co"
    assert page.script_errors == []
