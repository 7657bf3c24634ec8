"""Attachments and the customer portal in a real Chromium against a real uvicorn
server, with sign-in links mailed to a real SMTP mailbox (aiosmtpd)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from files_project import desk
from guanxi.attachments.storage import LocalStorage
from mail.mail_world import Mailbox
from server_app import PASSWORD, dispose, free_port, make_app, start_server

pytestmark = pytest.mark.browser
LINK = re.compile(r"https?://\S+/portal/link/[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The desk served by uvicorn, with a mailbox for its sign-in links."""
    import uvicorn

    root = tmp_path_factory.mktemp("desk")
    for relative, text in desk().items():
        path = root / "project" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    saved = {k: os.environ.get(k) for k in ("GUANXI_SMTP_URL", "GUANXI_MAIL_FROM")}
    with Mailbox() as mailbox:
        os.environ["GUANXI_SMTP_URL"] = mailbox.url
        os.environ["GUANXI_MAIL_FROM"] = "desk@example.com"
        app, made = make_app(root / "project", f"sqlite:///{root / 'desk.sqlite'}",
                             {"ann": ("agent",)})
        store = app.state.holder.current().store
        store.storage = LocalStorage(root / "files")
        ann = made["ann"]
        alice = store.create(ann, "contact", {"name": "Alice", "email": "alice@example.com"})
        bob = store.create(ann, "contact", {"name": "Bob", "email": "bob@example.com"})
        mine = store.create(ann, "ticket", {"subject": "Alice's printer",
                                            "contact": alice["id"]})
        store.create(ann, "ticket", {"subject": "Bob's laptop", "contact": bob["id"]})
        port = free_port()
        server, thread = start_server(uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none",
            lifespan="off"))
        try:
            yield SimpleNamespace(url=f"http://127.0.0.1:{port}", store=store, ann=ann,
                                  mailbox=mailbox, mine=mine["id"], root=root)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            dispose(app)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def portal_sign_in(browser, live, email: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.goto(live.url + "/portal/login")
    page.fill("#email", email)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your e-mail")
    mail = next(m for m in reversed(live.mailbox.messages) if m["To"] == email)
    found = LINK.search(mail.get_content())
    assert found is not None
    page.goto(found.group(0))
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/portal/tickets")
    return page


@pytest.mark.parametrize(("width", "language"), [(1366, "en"), (390, "zh")],
                         ids=["1366-en", "390-zh"])
def test_staff_attach_a_file_on_the_page_and_download_it(browser, live, tmp_path: Path,
                                                          width: int, language: str):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(live.url + "/login")
    page.fill("#username", "ann")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    if not (page.locator("html").get_attribute("lang") or "en").startswith(language):
        with page.expect_navigation():
            page.locator(f"button[name=language][value={language}]").first.dispatch_event(
                "click")
    page.goto(f"{live.url}/e/ticket/{live.mine}")
    name = f"notes-{language}.txt"
    source = tmp_path / name
    source.write_text("the printer jams on page 2\n", encoding="utf-8")
    page.set_input_files("#attachment-file", str(source))
    page.click(".attachment-upload button[type=submit]")
    link = page.locator(".attachment-list a", has_text=name)
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename == name
    assert Path(download.path()).read_text(encoding="utf-8") == "the printer jams on page 2\n"
    assert page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth") == 0
    context.close()


def test_a_contact_signs_in_by_the_mailed_link_and_sees_only_her_tickets(browser, live):
    page = portal_sign_in(browser, live, "alice@example.com")
    rows = page.locator("table.portal-tickets tbody tr").all_inner_texts()
    assert len(rows) == 1 and "Alice's printer" in rows[0]
    assert "Bob's laptop" not in page.content()
    page.goto(live.url + "/e/ticket")
    assert page.url.startswith(live.url + "/login")
    page.context.close()


def test_markup_in_a_reply_and_a_file_name_stays_text(browser, live, tmp_path: Path):
    page = portal_sign_in(browser, live, "alice@example.com")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("text=Alice's printer")
    reply = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    source = tmp_path / "<img src=x onerror=alert(3)>.txt"
    source.write_text("plain words\n", encoding="utf-8")
    page.fill("#body", reply)
    page.set_input_files("#file", str(source))
    page.click("#reply button[type=submit]")
    page.wait_for_selector("text=Your reply has been sent.")
    assert reply in page.locator(".mail-body").last.inner_text()
    assert page.locator(".attachment-list a").last.inner_text() == "img src=x onerror=alert(3).txt"
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    page.reload()
    assert dialogs == []
    page.context.close()
