"""Notifications as people see them: the API, the bell on every page, the inbox; and
`guanxi serve` alone firing a timer."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from acme_world import shanghai
from guanxi.accounts import users
from guanxi.automation import notifications
from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from server_app import PASSWORD, Client, dispose, make_app

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"


@pytest.fixture
def site(db_url: str) -> Iterator[tuple[object, dict[str, object]]]:
    app, made = make_app(ACME, db_url, {"wei": ("service_agent",), "mona": ("service_manager",),
                                        "sam": ("sales_rep",)},
                         language={"wei": "zh"})
    yield app, made
    dispose(app)


def _alarm(app: object, made: dict[str, object]) -> dict[str, object]:
    """An e-mail ticket for wei, opened Friday 17:00 Shanghai, and the worker on Tuesday
    at noon (12 office hours passed; the resolution clock is not yet near its target)."""
    store: Store = app.state.holder.current().store  # type: ignore[attr-defined]
    timed = Store(store.app, store.engine, clock=lambda: shanghai(2026, 12, 4, 17))
    ticket = dict(timed.create(made["mona"], "ticket",  # type: ignore[arg-type]
                               {"subject": "Fan noise", "channel": "email",
                                "assignee": made["wei"].id}))  # type: ignore[attr-defined]
    Worker(timed).run_until_quiet(shanghai(2026, 12, 8, 12))
    return ticket


def test_the_api_lists_my_notifications_in_my_language(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    ticket = _alarm(app, made)
    with Client(app) as client:
        client.login("wei", PASSWORD)
        answer = client.get("/api/me/notifications").json()
    assert answer["unread"] == 1
    [item] = answer["items"]
    assert (item["message"], item["entity"], item["record_id"], item["read"]) == (
        "邮件工单已 12 个工作小时未首次回复", "ticket", ticket["id"], False)


def test_the_bell_shows_the_unread_count_on_every_page(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    _alarm(app, made)
    with Client(app) as client:
        client.login("wei", PASSWORD)
        for page in ("/", "/e/ticket"):
            assert '<span class="count">1</span>' in client.get(page).text


def test_opening_a_notification_marks_it_read_and_goes_to_the_record(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    ticket = _alarm(app, made)
    with Client(app) as client:
        client.login("wei", PASSWORD)
        [item] = client.get("/api/me/notifications").json()["items"]
        opened = client.form(f"/notifications/{item['id']}/read", {}, page="/notifications")
        assert opened.headers["location"] == f"/e/ticket/{ticket['id']}"
        assert client.get("/api/me/notifications?unread=true").json() == {
            "items": [], "unread": 0}


def test_someone_elses_notification_cannot_be_opened(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    _alarm(app, made)
    with Client(app) as client:
        client.login("mona", PASSWORD)
        mine = notifications.inbox(app.state.holder.current().engine, made["wei"].id)
        answer = client.form(f"/notifications/{mine[0].id}/read", {}, page="/notifications")
        assert answer.status_code == 404


def test_a_record_page_and_the_api_show_its_sla_clocks(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    ticket = _alarm(app, made)
    with Client(app) as client:
        client.login("mona", PASSWORD)
        clocks = client.get(f"/api/ticket/{ticket['id']}/clocks").json()["items"]
        page = client.get(f"/e/ticket/{ticket['id']}").text
    names = {c["name"]: c for c in clocks}
    assert names["email_first_response"]["due_at"] == "2026-12-08T03:00:00+00:00"
    assert "email_first_response" in page


def test_breaching_soon_lists_the_running_clocks_of_readable_records(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    ticket = _alarm(app, made)
    with Client(app) as client:
        client.login("mona", PASSWORD)
        page = client.get("/breaching").text
    assert f'href="/e/ticket/{ticket["id"]}"' in page
    assert "resolution" in page


def test_breaching_soon_leaves_out_what_the_user_may_not_read(site) -> None:  # type: ignore[no-untyped-def]
    app, made = site
    ticket = _alarm(app, made)
    with Client(app) as client:
        client.login("sam", PASSWORD)
        page = client.get("/breaching").text
    assert f'/e/ticket/{ticket["id"]}' not in page


def test_the_openapi_document_has_my_notifications(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    with Client(app) as client:
        client.login("wei", PASSWORD)
        paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths["/api/me/notifications"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_guanxi_serve_alone_fires_timers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'acme.sqlite'}"
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    store = Store(compile_app(load_project_or_raise(ACME)), url, clock=lambda: long_ago)
    store.create_schema()
    agent = users.add_user(store.engine, "wei", PASSWORD, ["service_agent"])
    manager = users.add_user(store.engine, "mona", PASSWORD, ["service_manager"])
    store.create(manager, "ticket", {"subject": "Old mail", "channel": "email",
                                     "assignee": agent.id})
    server = subprocess.Popen(
        [sys.executable, "-m", "guanxi", "serve", str(ACME), "--db", url,
         "--port", str(_free_port())],
        env={**os.environ, "GUANXI_SECRET": "s" * 40},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until the server's own worker has sent the alarm
            if notifications.inbox(store.engine, agent.id):
                break
            assert server.poll() is None, "the server stopped"
            time.sleep(0.1)
        assert "An e-mail ticket has waited 12 office hours for a first answer" in [
            n.text("en") for n in notifications.inbox(store.engine, agent.id)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        store.dispose()
