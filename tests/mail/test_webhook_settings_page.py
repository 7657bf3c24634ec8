"""Administrators set a webhook's URL and secret on `/admin/webhooks`: the page's values
win over the YAML's and the environment's, a delivery is signed with the page's secret,
a bad URL is refused next to its input with nothing stored, a generated secret is shown
once, and the secret never appears on a page again; nobody else may see or post."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from guanxi.automation.worker import Worker
from guanxi.mail.tables import TABLES
from guanxi.webhooks import settings
from mail_world import PASSWORD, SECRET, Acme, Receiver, point_webhook, start_acme
from server_app import Client
from test_webhooks import win_a_deal

ENV = "ACME_ERP_WEBHOOK_SECRET"
PAGE = "/admin/webhooks"
NEW_SECRET = "whsec_" + base64.b64encode(b"a key only the page knows!").decode("ascii")
DEAD_URL = "http://127.0.0.1:9/nobody-listens"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv(ENV, SECRET)
    with Receiver() as made:
        yield made


@pytest.fixture
def acme(acme_copy: Path, db_url: str, receiver: Receiver) -> Iterator[Acme]:
    point_webhook(acme_copy, DEAD_URL)
    world = start_acme(acme_copy, db_url)
    yield world
    world.stop()


def stored(acme: Acme) -> list[sa.Row[tuple[object, ...]]]:
    with acme.store.engine.connect() as conn:
        return list(conn.execute(sa.select(TABLES.settings)))


def admin(acme: Acme) -> Client:
    client = Client(acme.app)
    client.login("ada", PASSWORD)
    return client


def test_a_delivery_goes_to_the_pages_url_signed_with_the_pages_secret(
        acme: Acme, receiver: Receiver) -> None:
    with admin(acme) as client:
        assert client.form(f"{PAGE}/erp_won/url", {"url": receiver.url},
                           page=PAGE).status_code == 303
        assert client.form(f"{PAGE}/erp_won/secret", {"secret": NEW_SECRET},
                           page=PAGE).status_code == 303
    win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [hit] = receiver.hits
    assert hit.signed_with(NEW_SECRET)
    assert not hit.signed_with(SECRET)


def test_a_generated_secret_is_shown_once_and_signs_the_deliveries(
        acme: Acme, receiver: Receiver) -> None:
    with admin(acme) as client:
        client.form(f"{PAGE}/erp_won/url", {"url": receiver.url}, page=PAGE)
        answer = client.form(f"{PAGE}/erp_won/secret", {"generate": "1"}, page=PAGE)
        shown = re.search(r"whsec_[A-Za-z0-9+/=]+", answer.text)
        later = client.get(PAGE).text
    assert answer.status_code == 200 and shown is not None
    assert len(base64.b64decode(shown.group(0)[len("whsec_"):])) == settings.SECRET_BYTES
    assert shown.group(0) not in later
    win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [hit] = receiver.hits
    assert hit.signed_with(shown.group(0))


def test_a_url_that_is_not_http_is_refused_next_to_its_input_and_nothing_is_stored(
        acme: Acme) -> None:
    with admin(acme) as client:
        answer = client.form(f"{PAGE}/erp_won/url", {"url": "ftp://erp.example.com/in"},
                             page=PAGE)
    assert answer.status_code == 400
    assert re.search(r'id="e-url-erp_won"><li>Enter an http:// or https:// URL',
                     answer.text)
    assert 'value="ftp://erp.example.com/in"' in answer.text
    assert stored(acme) == []


def test_a_change_without_the_csrf_token_is_refused(acme: Acme) -> None:
    with admin(acme) as client:
        answer = client.post(f"{PAGE}/erp_won/secret", data={"secret": NEW_SECRET})
    assert answer.status_code == 403
    assert stored(acme) == []


def test_someone_else_may_neither_see_nor_change_the_settings(acme: Acme) -> None:
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        assert client.get(PAGE).status_code == 403
        answer = client.form(f"{PAGE}/erp_won/secret", {"secret": NEW_SECRET}, page="/")
    assert answer.status_code == 403
    assert stored(acme) == []


def test_the_secret_set_on_the_page_never_appears_on_a_page(acme: Acme) -> None:
    with admin(acme) as client:
        answer = client.form(f"{PAGE}/erp_won/secret", {"secret": NEW_SECRET}, page=PAGE)
        page = client.get(PAGE).text
        refused = client.form(f"{PAGE}/erp_won/url", {"url": "nope"}, page=PAGE).text
    for text in (answer.text, page, refused):
        assert NEW_SECRET not in text
    assert "set on this page" in page and f"{ENV}: set" not in page


def test_clearing_the_pages_secret_falls_back_to_the_environment(acme: Acme) -> None:
    with admin(acme) as client:
        client.form(f"{PAGE}/erp_won/secret", {"secret": NEW_SECRET}, page=PAGE)
        client.form(f"{PAGE}/erp_won/secret", {"clear": "1"}, page=PAGE)
        page = client.get(PAGE).text
    assert f"{ENV}: set" in page
    [row] = stored(acme)
    assert row.secret is None
