"""The pages in a real Chromium against a real uvicorn server: what a person sees."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from server_app import SHOP_PROJECT, dispose, free_port, make_app, start_server

pytestmark = pytest.mark.browser


@pytest.fixture
def live(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:
    """The shop project served by uvicorn on 127.0.0.1, in a thread of its own."""
    import uvicorn

    app, made = make_app(write_project(SHOP_PROJECT), sqlite_url,
                         {"rita": ("rep",), "max": ("manager",)})
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made,
                          store=app.state.holder.current().store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def sign_in(browser, live, username: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live.url + "/login")
    page.fill("#username", username)
    page.fill("#password", "long-secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    return page


def test_lead_from_bad_email_to_fixed_to_contacted_with_history(browser, live, tmp_path):
    page = sign_in(browser, live, "rita")
    page.click("text=New Lead")
    page.fill("#f-name", "Bo Chen")
    page.fill("#f-email", "bo@example")  # the browser accepts it; the server must not
    page.fill("#f-value", "1500")
    page.click("button[type=submit]")
    email = page.locator('[data-field="email"]')
    assert "e-mail" in email.locator(".errors").inner_text().lower()
    assert page.input_value("#f-email") == "bo@example"
    assert page.input_value("#f-name") == "Bo Chen"
    page.screenshot(path=tmp_path / "form-error.png", full_page=True)

    page.fill("#f-email", "bo@example.com")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text().startswith("Bo Chen")
    page.click('button[data-transition="contact"]')
    assert page.locator('ol.states li[aria-current="step"]').inner_text() == "Contacted"
    page.locator("details.ask summary", has_text="Lose").click()
    page.fill('form[action$="/transition/lose"] [name="loss_reason"]', "no budget")
    page.click('form[action$="/transition/lose"] button[type=submit]')
    assert page.locator('ol.states li[aria-current="step"]').inner_text() == "Lost"
    history = page.locator(".history").inner_text()
    assert "Mark contacted → Contacted" in history and "Lose → Lost" in history
    assert "no budget" in history
    page.screenshot(path=tmp_path / "detail.png", full_page=True)


def test_a_field_with_an_error_is_drawn_in_the_error_colour(browser, live):
    page = sign_in(browser, live, "rita")
    page.goto(live.url + "/e/lead/new")
    page.fill("#f-name", "Bo Chen")
    page.fill("#f-email", "bo@example")
    page.click("button[type=submit]")
    border = page.eval_on_selector("#f-email", "e => getComputedStyle(e).borderTopColor")
    fine = page.eval_on_selector("#f-name", "e => getComputedStyle(e).borderTopColor")
    assert border == "rgb(179, 38, 30)"  # --accent
    assert fine != border


def test_sales_rep_never_sees_the_hidden_field(browser, live):
    lead = live.store.create(live.users["rita"], "lead",
                             {"name": "Ann", "email": "ann@example.com"})
    live.store.update(live.users["max"], "lead", lead["id"], {"income": "424242"})
    page = sign_in(browser, live, "rita")
    for path in (f"/e/lead/{lead['id']}", f"/e/lead/{lead['id']}/edit", "/e/lead"):
        page.goto(live.url + path)
        text = page.content()
        assert "Income" not in text and "424242" not in text and "424,242" not in text
    manager = sign_in(browser, live, "max")
    manager.goto(live.url + f"/e/lead/{lead['id']}")
    assert "424,242.00" in manager.locator('[data-field="income"]').inner_text()


def test_script_payload_renders_as_text(browser, live):
    page = sign_in(browser, live, "rita")
    page.goto(live.url + "/e/lead/new")
    payload = "<script>window.pwned = 1</script><img src=x onerror='window.pwned=2'>"
    page.fill("#f-name", payload)
    page.fill("#f-email", "x@example.com")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text().startswith(payload)
    assert page.evaluate("typeof window.pwned") == "undefined"
    page.goto(live.url + "/e/lead")
    assert page.locator("table.records").inner_text().count(payload) == 1
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_form_post_without_the_csrf_token_is_refused(browser, live):
    page = sign_in(browser, live, "rita")
    page.goto(live.url + "/e/lead/new")
    page.evaluate("document.querySelector('form.record-form input[name=csrf_token]').remove()")
    page.fill("#f-name", "Forged")
    page.fill("#f-email", "f@example.com")
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    assert navigation.value.status == 403
    assert live.store.count(live.users["max"], "lead") == 0


def test_board_buttons_fire_transitions(browser, live, tmp_path):
    lead = live.store.create(live.users["rita"], "lead",
                             {"name": "Board Lead", "email": "b@example.com"})
    page = sign_in(browser, live, "rita")
    page.goto(live.url + "/e/lead/board")
    card = page.locator(f'article.kcard[data-id="{lead["id"]}"]')
    card.locator('button[data-transition="contact"]').click()
    page.wait_for_url(live.url + "/e/lead/board")
    column = page.locator('section.column[data-state="contacted"]')
    assert "Board Lead" in column.inner_text()
    page.screenshot(path=tmp_path / "board.png", full_page=True)
