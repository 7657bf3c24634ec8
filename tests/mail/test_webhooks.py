"""acme's ERP webhook on loopback: a won deal reaches a real HTTP receiver, signed per
Standard Webhooks, with only what the `erp` role may read; a receiver that answers 500
sees the same event again after the backoff; one that keeps failing gets the
subscription disabled and the administrators told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from guanxi.automation import notifications
from guanxi.automation.worker import Worker
from guanxi.cli.main import main
from guanxi.webhooks import delivery
from mail_world import SECRET, Acme, Receiver, point_webhook, start_acme

ENV = "ACME_ERP_WEBHOOK_SECRET"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv(ENV, SECRET)
    with Receiver() as made:
        yield made


def acme_with_hook(project: Path, db_url: str, receiver: Receiver, **extra: object) -> Acme:
    point_webhook(project, receiver.url, **extra)
    return start_acme(project, db_url)


@pytest.fixture
def acme(acme_copy: Path, db_url: str, receiver: Receiver) -> Iterator[Acme]:
    world = acme_with_hook(acme_copy, db_url, receiver)
    yield world
    world.stop()


def win_a_deal(acme: Acme) -> int:
    manager = acme.people["sam"]
    account = acme.store.create(manager, "account", {"name": "Customer Ltd"})
    deal = acme.store.create(manager, "opportunity", {
        "name": "Forty GTX Pro", "account": account["id"], "product": "gtx_pro",
        "amount": 40000, "probability": 37})
    for step in ("engage",):
        acme.store.transition(manager, "opportunity", deal["id"], step)
    acme.store.update(manager, "opportunity", deal["id"], {"close_value": 39000})
    acme.store.transition(manager, "opportunity", deal["id"], "win")
    return int(deal["id"])


def test_a_won_deal_reaches_the_receiver_correctly_signed(
        acme: Acme, receiver: Receiver) -> None:
    deal = win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [hit] = receiver.hits
    assert hit.signed_with(SECRET)
    assert hit.json["type"] == "opportunity.transitioned"
    assert hit.json["data"]["id"] == deal and hit.json["data"]["transition"] == "win"
    assert hit.json["data"]["record"]["state"] == "won"


def test_a_wrong_secret_does_not_verify(acme: Acme, receiver: Receiver) -> None:
    win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [hit] = receiver.hits
    assert not hit.signed_with("whsec_" + "d3Jvbmctc2VjcmV0")


def test_the_payload_never_holds_a_field_hidden_from_the_subscriptions_role(
        acme: Acme, receiver: Receiver) -> None:
    win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [hit] = receiver.hits
    record, changes = hit.json["data"]["record"], hit.json["data"]["changes"]
    assert "probability" not in record and "expected_value" not in record
    assert "probability" not in changes and "expected_value" not in changes
    assert '"probability"' not in hit.body and '"expected_value"' not in hit.body
    assert record["amount"] is not None


def test_other_changes_of_the_deal_are_not_sent(acme: Acme, receiver: Receiver) -> None:
    manager = acme.people["sam"]
    account = acme.store.create(manager, "account", {"name": "Quiet Ltd"})
    acme.store.create(manager, "opportunity", {
        "name": "Ten MG", "account": account["id"], "product": "mg_special"})
    Worker(acme.store).run_until_quiet(acme.store.clock())
    assert receiver.hits == []


def test_a_receiver_answering_500_sees_the_event_again_after_the_backoff(
        acme: Acme, receiver: Receiver) -> None:
    receiver.answers = [500]
    win_a_deal(acme)
    now = acme.store.clock()
    worker = Worker(acme.store, clock=lambda: now)
    worker.run_until_quiet(now)
    assert len(receiver.hits) == 1
    worker.run_until_quiet(now + dt.timedelta(seconds=31))
    first, second = receiver.hits
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert second.signed_with(SECRET)
    log = delivery.log(acme.store.engine, "erp_won")
    assert [row["status"] for row in log] == [200, 500]


def test_repeated_failures_disable_the_subscription_and_tell_the_administrators(
        acme_copy: Path, db_url: str, receiver: Receiver) -> None:
    receiver.answers = [500] * 10
    world = acme_with_hook(acme_copy, db_url, receiver, disable_after=2)
    try:
        win_a_deal(world)
        now = world.store.clock()
        worker = Worker(world.store)
        worker.run_until_quiet(now)
        worker.run_until_quiet(now + dt.timedelta(minutes=1))
        worker.run_until_quiet(now + dt.timedelta(minutes=10))
        assert len(receiver.hits) == 2
        told = [n.text("en") for n in notifications.inbox(world.store.engine,
                                                           world.people["ada"].id)]
        assert any("'erp_won' was disabled" in text for text in told)
        assert delivery.enable(world.store.engine, "erp_won")
    finally:
        world.stop()


def test_the_webhooks_command_shows_the_delivery_log(
        acme: Acme, receiver: Receiver, acme_copy: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    win_a_deal(acme)
    Worker(acme.store).run_until_quiet(acme.store.clock())
    url = acme.store.engine.url.render_as_string(hide_password=False)
    assert main(["webhooks", "log", str(acme_copy), "--db", url]) == 0
    assert "erp_won" in capsys.readouterr().out
