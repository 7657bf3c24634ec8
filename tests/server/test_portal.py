"""The customer portal over real HTTP, with the sign-in links mailed to a real SMTP
mailbox (aiosmtpd): a contact signs in by a link that works once and briefly, sees and
answers only her own tickets, and never reaches a staff page or the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from files_project import ACCOUNT_TICKETS, PNG, desk
from guanxi.attachments.storage import LocalStorage
from guanxi.mail.tables import TABLES as MAIL
from guanxi.portal import principal
from guanxi.portal.tables import TABLES as PORTAL
from guanxi.store.attachments import Upload
from mail.mail_world import Mailbox
from server_app import Client, dispose, make_app

LINK = re.compile(r"/portal/link/([A-Za-z0-9_-]+)")


@pytest.fixture
def mailbox(monkeypatch) -> Iterator[Mailbox]:
    with Mailbox() as box:
        monkeypatch.setenv("GUANXI_SMTP_URL", box.url)
        monkeypatch.setenv("GUANXI_MAIL_FROM", "desk@example.com")
        yield box


def open_desk(write_project, db_url: str, tmp_path, files: dict[str, str] | None = None,
              ) -> SimpleNamespace:
    app, made = make_app(write_project(files or desk()), db_url,
                         {"ann": ("agent",), "max": ("manager",)})
    store = app.state.holder.current().store
    store.storage = LocalStorage(tmp_path / "files")
    ann = made["ann"]
    acme = store.create(ann, "account", {"name": "Acme"})["id"]
    alice = store.create(ann, "contact", {"name": "Alice", "email": "alice@example.com",
                                          "account": acme})["id"]
    bob = store.create(ann, "contact", {"name": "Bob", "email": "bob@example.com",
                                        "account": acme})["id"]
    mine = store.create(ann, "ticket", {"subject": "Alice's printer", "contact": alice,
                                        "account": acme, "notes": "VIP, be nice"})["id"]
    theirs = store.create(ann, "ticket", {"subject": "Bob's laptop", "contact": bob,
                                          "account": acme})["id"]
    return SimpleNamespace(app=app, store=store, ann=ann, max=made["max"], alice=alice,
                           bob=bob, mine=mine, theirs=theirs, acme=acme)


@pytest.fixture
def world(write_project, sqlite_url: str, tmp_path, mailbox) -> Iterator[SimpleNamespace]:
    desk_world = open_desk(write_project, sqlite_url, tmp_path)
    yield desk_world
    dispose(desk_world.app)


def ask_link(client: Client, email: str) -> str:
    client.get("/portal/login")
    answer = client.form("/portal/login", {"email": email})
    assert answer.status_code == 200
    return answer.text


def link_in(mailbox: Mailbox, to: str) -> str:
    for message in reversed(mailbox.messages):
        if message["To"] == to:
            found = LINK.search(message.get_content())
            assert found is not None
            return found.group(1)
    raise AssertionError(f"no mail to {to}")


def sign_in(client: Client, mailbox: Mailbox, email: str) -> None:
    ask_link(client, email)
    token = link_in(mailbox, email)
    answer = client.form(f"/portal/link/{token}", {})
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/tickets"


def test_a_contact_signs_in_by_the_mailed_link_and_sees_only_her_tickets(world, mailbox):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        page = client.get("/portal/tickets").text
    assert "Alice&#39;s printer" in page and "Bob&#39;s laptop" not in page


def test_the_link_is_single_use(world, mailbox):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        token = link_in(mailbox, "alice@example.com")
    with Client(world.app) as other:
        other.get("/portal/login")
        again = other.form(f"/portal/link/{token}", {})
        assert again.status_code == 400 and "has been used or has expired" in again.text
        assert other.get("/portal/tickets").headers["location"] == "/portal/login"


def test_an_expired_link_is_refused(world, mailbox):
    with Client(world.app) as client:
        ask_link(client, "alice@example.com")
        token = link_in(mailbox, "alice@example.com")
        later = world.store.clock() + dt.timedelta(minutes=11)
        world.store.clock = lambda: later
        answer = client.form(f"/portal/link/{token}", {})
    assert answer.status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world, mailbox):
    with Client(world.app) as client:
        known = ask_link(client, "alice@example.com")
        unknown = ask_link(client, "nobody@example.com")
    assert known.replace("alice", "nobody") == unknown
    assert [m["To"] for m in mailbox.messages] == ["alice@example.com"]


def test_links_are_limited_per_address_and_hour(world, mailbox):
    with Client(world.app) as client:
        for _ in range(5):
            ask_link(client, "alice@example.com")
    assert len(mailbox.messages) == 3


def test_the_token_is_kept_only_as_its_hash(world, mailbox):
    with Client(world.app) as client:
        ask_link(client, "alice@example.com")
    token = link_in(mailbox, "alice@example.com")
    with world.store.engine.connect() as conn:
        hashes = list(conn.execute(sa.select(PORTAL.links.c.token_hash)).scalars())
        bodies = " ".join(conn.execute(sa.select(MAIL.messages.c.body)).scalars())
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in bodies and "[sign-in link]" in bodies


def test_another_contacts_ticket_is_not_found_by_its_id(world, mailbox):
    bobs_file = world.store.attach(world.ann, "ticket", world.theirs, Upload("b.png", PNG))
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        token = client.csrf("/portal/tickets")
        assert client.get(f"/portal/tickets/{world.theirs}").status_code == 404
        reply = client.post(f"/portal/tickets/{world.theirs}/reply",
                            data={"csrf_token": token, "body": "mine now"})
        assert reply.status_code == 404
        download = client.get(f"/portal/tickets/{world.theirs}/attachments/{bobs_file.id}")
        assert download.status_code == 404
        through_mine = client.get(f"/portal/tickets/{world.mine}/attachments/{bobs_file.id}")
        assert through_mine.status_code == 404


@pytest.mark.parametrize("path", ["/", "/e/ticket", "/e/ticket/1", "/reports"])
def test_a_portal_session_opens_no_staff_page(world, mailbox, path):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        answer = client.get(path)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", ["/api/ticket", "/api/ticket/1", "/api/me", "/openapi.json"])
def test_a_portal_session_opens_no_api_route(world, mailbox, path):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        assert client.get(path).status_code == 401


def test_the_portal_cookie_is_http_only_and_kept_to_the_portal(world, mailbox):
    with Client(world.app) as client:
        ask_link(client, "alice@example.com")
        answer = client.form(f"/portal/link/{link_in(mailbox, 'alice@example.com')}", {})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("guanxi_portal=")
    assert "HttpOnly" in cookie and "Path=/portal" in cookie and "SameSite=lax" in cookie


def test_a_reply_is_kept_with_the_ticket_and_moves_a_waiting_ticket_on(world, mailbox):
    world.store.transition(world.ann, "ticket", world.mine, "ask_customer")
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        answer = client.form(f"/portal/tickets/{world.mine}/reply",
                             {"body": "It jams on page 2."}, page=f"/portal/tickets/{world.mine}")
        assert answer.status_code == 303
        page = client.get(f"/portal/tickets/{world.mine}").text
    assert "It jams on page 2." in page
    ticket = world.store.get(world.ann, "ticket", world.mine)
    assert ticket["state"] == "working"
    with world.store.engine.connect() as conn:
        row = conn.execute(sa.select(MAIL.messages).where(
            MAIL.messages.c.direction == "in")).mappings().one()
    assert (row["record_id"], row["contact_id"], row["from_addr"]) == (
        world.mine, world.alice, "alice@example.com")


def test_a_portal_user_attaches_a_file_that_staff_can_download(world, mailbox):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        token = client.csrf(f"/portal/tickets/{world.mine}")
        answer = client.post(f"/portal/tickets/{world.mine}/attachments",
                             data={"csrf_token": token},
                             files={"file": ("scan.png", PNG, "image/png")})
        assert answer.status_code == 303
    [added] = world.store.attachments(world.ann, "ticket", world.mine)
    assert (added.name, added.contact_id, added.user_id) == ("scan.png", world.alice, None)


def test_portal_forms_need_the_csrf_token(world, mailbox):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        answer = client.post(f"/portal/tickets/{world.mine}/reply", data={"body": "hi"})
        assert answer.status_code == 403
        assert client.post("/portal/login", data={"email": "bob@example.com"}
                           ).status_code == 403
    assert [m["To"] for m in mailbox.messages] == ["alice@example.com"]


def test_fields_hidden_from_the_portal_are_not_on_its_pages(world, mailbox):
    with Client(world.app) as client:
        sign_in(client, mailbox, "alice@example.com")
        page = client.get(f"/portal/tickets/{world.mine}").text
    assert "Alice&#39;s printer" in page and "VIP" not in page


def test_the_portal_speaks_chinese(world, mailbox):
    with Client(world.app, headers={"accept-language": "zh-CN"}) as client:
        assert "请输入您的电子邮箱" in client.get("/portal/login").text
        sign_in(client, mailbox, "alice@example.com")
        assert "工单" in client.get("/portal/tickets").text
    assert "登录链接" in mailbox.messages[-1]["Subject"]


def test_a_project_without_a_portal_has_no_portal_pages(write_project, sqlite_url):
    files = desk()
    files["guanxi.yaml"] = files["guanxi.yaml"].split("portal:")[0]
    app, _ = make_app(write_project(files), sqlite_url)
    with Client(app) as client:
        assert client.get("/portal/login").status_code == 404
    dispose(app)


# ------------------------------------------------------------ the rules, on both databases


@pytest.fixture
def both(write_project, db_url: str, tmp_path) -> Iterator[SimpleNamespace]:
    desk_world = open_desk(write_project, db_url, tmp_path, desk(read=ACCOUNT_TICKETS))
    yield desk_world
    dispose(desk_world.app)


def test_the_portal_grants_are_sql_row_conditions_on_the_contact_and_account(both):
    store = both.store
    portal = store.app.spec.portal
    assert portal is not None
    carol = store.create(both.ann, "contact", {"name": "Carol", "email": "c@example.com"})
    store.create(both.ann, "ticket", {"subject": "Carol's", "contact": carol["id"]})
    alice = principal.user_for(store, portal, both.alice, "en")
    assert alice is not None and alice.account_id == both.acme
    seen = {t["subject"] for t in store.list(alice, "ticket").items}
    assert seen == {"Alice's printer", "Bob's laptop"}
    assert store.count(alice, "ticket") == 2
    assert "notes" not in store.get(alice, "ticket", both.mine)


def test_an_address_is_found_whatever_the_case_of_its_domain(world, mailbox):
    world.store.create(world.ann, "contact", {"name": "Dora", "email": "Dora@Example.COM"})
    with Client(world.app) as client:
        ask_link(client, "Dora@EXAMPLE.com")
    assert [m["To"] for m in mailbox.messages] == ["Dora@EXAMPLE.com"]
