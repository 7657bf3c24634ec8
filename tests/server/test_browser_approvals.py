"""The approvals inbox in a real Chromium against a real uvicorn server: an approver
rejects a request with a comment, and the record's page shows it in its history."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import uvicorn
from approval_project import FILES
from server_app import dispose, free_port, make_app, start_server
from test_browser_forms import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live(write_project, sqlite_url: str) -> Iterator[SimpleNamespace]:  # type: ignore[no-untyped-def]
    app, made = make_app(write_project(FILES, name="buying"), sqlite_url,
                         {"rita": ("buyer",), "mona": ("buyer",)})
    port = free_port()
    server, thread = start_server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                 log_level="warning", ws="none",
                                                 lifespan="off"))
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", users=made,
                          store=app.state.holder.current().store)
    server.should_exit = True
    thread.join(timeout=10)
    dispose(app)


def test_an_approver_rejects_from_the_inbox_and_the_record_shows_why(browser, live) -> None:  # type: ignore[no-untyped-def]
    store, rita = live.store, live.users["rita"]
    made = store.create(rita, "purchase", {"item": "Laptop", "amount": 100})
    store.transition(rita, "purchase", made["id"], "submit")
    store.transition(rita, "purchase", made["id"], "approve")
    page = sign_in(browser, live, "mona")
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
