"""The webhooks page (`/admin/webhooks`): administrators see each subscription, whether
its secret is set (never the secret) and the latest deliveries, and enable a disabled
one again; nobody else sees it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from guanxi.mail.tables import TABLES
from guanxi.store.unit import transaction
from mail_world import PASSWORD, SECRET, Acme, start_acme
from server_app import Client


@pytest.fixture
def acme(acme_copy: Path, sqlite_url: str,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Acme]:
    monkeypatch.setenv("ACME_ERP_WEBHOOK_SECRET", SECRET)
    world = start_acme(acme_copy, sqlite_url)
    yield world
    world.stop()


def test_an_administrator_sees_the_subscriptions_but_never_their_secret(acme: Acme) -> None:
    with Client(acme.app) as client:
        client.login("ada", PASSWORD)
        page = client.get("/admin/webhooks")
    assert page.status_code == 200
    assert "erp_won" in page.text and "ACME_ERP_WEBHOOK_SECRET: set" in page.text
    assert SECRET not in page.text


def test_someone_else_may_not_see_the_webhooks_page(acme: Acme) -> None:
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        assert client.get("/admin/webhooks").status_code == 403


def test_an_administrator_enables_a_disabled_subscription_again(acme: Acme) -> None:
    hooks = TABLES.hooks
    with transaction(acme.store.engine, write=True) as conn:
        conn.execute(hooks.insert().values(name="erp_won", failures=10,
                                           disabled_at=acme.store.clock()))
    with Client(acme.app) as client:
        client.login("ada", PASSWORD)
        assert "disabled" in client.get("/admin/webhooks").text
        answer = client.form("/admin/webhooks/erp_won/enable", {}, page="/admin/webhooks")
    assert answer.status_code == 303
    with acme.store.engine.connect() as conn:
        assert conn.execute(hooks.select()).one().disabled_at is None
