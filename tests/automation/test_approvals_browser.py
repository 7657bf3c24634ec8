"""The approvals inbox in a real Chromium against a real uvicorn server: an approver
rejects a request with a comment, and the record's page shows it in its history."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from approval_project import FILES
from desk_project import write
from server_app import dispose, make_app, start_server

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live(tmp_path: Path, sqlite_url: str) -> Iterator[SimpleNamespace]:
    app, made = make_app(write(tmp_path / "buying", FILES), sqlite_url,
                         {"rita": ("buyer",), "mona": ("buyer",)})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made,
                          store=app.state.holder.current().store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_an_approver_rejects_from_the_inbox_and_the_record_shows_why(browser, live) -> None:  # type: ignore[no-untyped-def]
    store, rita = live.store, live.users["rita"]
    made = store.create(rita, "purchase", {"item": "Laptop", "amount": 100})
    store.transition(rita, "purchase", made["id"], "submit")
    store.transition(rita, "purchase", made["id"], "approve")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live.url + "/login")
    page.fill("#username", "mona")
    page.fill("#password", "long-secret-pw")
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    page.click("text=Approvals")
    item = page.locator("li.approval")
    assert "rita" in item.inner_text()
    item.locator("textarea[name=comment]").fill("not this quarter")
    item.locator("button[value=reject]").click()
    assert "Your decision is recorded." in page.content()
    assert page.locator("li.approval").count() == 0
    page.goto(f"{live.url}/e/purchase/{made['id']}")
    assert "Rejected: approve — not this quarter" in page.locator(".history").inner_text()
    assert store.get(rita, "purchase", made["id"])["state"] == "draft"
