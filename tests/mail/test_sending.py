"""E-mail out through the job runner: marketing only with consent, notifications by
e-mail per the user's preference, reply templates marked `auto` answering by
themselves, failures retried and parked as failed for `guanxi jobs`."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from guanxi.automation import jobs, notifications
from guanxi.automation.worker import Worker
from guanxi.cli.main import main
from guanxi.mail import conversation, preferences, sending
from guanxi.mail.smtp import ENV_URL
from guanxi.store.unit import transaction
from mail_world import Acme, Mailbox, free_port, start_acme

CUSTOMER = "li.lei@customer.example"


@pytest.fixture
def acme(acme_copy: Path, db_url: str) -> Iterator[Acme]:
    world = start_acme(acme_copy, db_url)
    yield world
    world.stop()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with Mailbox() as box:
        monkeypatch.setenv(ENV_URL, box.url)
        yield box


def contact(acme: Acme, consent: bool) -> int:
    manager = acme.people["sam"]
    account = acme.store.create(manager, "account", {"name": "Customer Ltd"})
    values = {"name": "Li Lei", "email": CUSTOMER, "account": account["id"],
              "marketing_consent": consent}
    if consent:
        values["consent_date"] = "2026-01-05"
    return int(acme.store.create(manager, "contact", values)["id"])


def offer(contact_id: int) -> sending.Outgoing:
    return sending.Outgoing(to=CUSTOMER, subject="New GTX Pro", body="20% off",
                            kind="marketing", contact_id=contact_id)


def test_marketing_to_a_contact_without_consent_is_refused(acme: Acme,
                                                           mailbox: Mailbox) -> None:
    with pytest.raises(sending.NoConsent):
        sending.queue(acme.store, offer(contact(acme, consent=False)))
    Worker(acme.store).run_until_quiet(acme.store.clock())
    assert mailbox.messages == []


def test_marketing_to_a_contact_with_consent_is_sent(acme: Acme, mailbox: Mailbox) -> None:
    sending.queue(acme.store, offer(contact(acme, consent=True)))
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [sent] = mailbox.messages
    assert sent["To"] == CUSTOMER


def test_consent_withdrawn_before_sending_stops_the_marketing_message(
        acme: Acme, mailbox: Mailbox) -> None:
    contact_id = contact(acme, consent=True)
    row = sending.queue(acme.store, offer(contact_id))
    acme.store.update(acme.people["sam"], "contact", contact_id, {"marketing_consent": False})
    Worker(acme.store).run_until_quiet(acme.store.clock())
    assert mailbox.messages == []
    with transaction(acme.store.engine, write=False) as conn:
        message = conversation.get(conn, row)
    assert message is not None and message.state == "refused"


def test_a_notification_goes_by_email_to_a_user_who_chose_email(
        acme: Acme, mailbox: Mailbox) -> None:
    wei = acme.people["wei"]
    preferences.set_preference(acme.store.engine, wei.id, address="wei@acme.example",
                               channel="email")
    now = acme.store.clock()
    with transaction(acme.store.engine, write=True) as conn:
        notifications.send(conn, [wei.id], {"en": "A ticket waits"}, source="job:timer",
                           now=now)
    Worker(acme.store).run_until_quiet(now)
    [sent] = mailbox.messages
    assert sent["To"] == "wei@acme.example" and "A ticket waits" in sent.get_content()
    assert notifications.unread_count(acme.store.engine, wei.id) == 0


def test_a_user_who_chose_both_gets_the_email_and_the_bell(
        acme: Acme, mailbox: Mailbox) -> None:
    wei = acme.people["wei"]
    preferences.set_preference(acme.store.engine, wei.id, address="wei@acme.example",
                               channel="both", kind="job:timer")
    now = acme.store.clock()
    with transaction(acme.store.engine, write=True) as conn:
        notifications.send(conn, [wei.id], {"en": "A ticket waits"}, source="job:timer",
                           now=now)
        notifications.send(conn, [wei.id], {"en": "Assigned"}, source="job:assign", now=now)
    Worker(acme.store).run_until_quiet(now)
    assert [m["Subject"] for m in mailbox.messages] == ["A ticket waits"]
    assert notifications.unread_count(acme.store.engine, wei.id) == 2


def test_an_auto_reply_template_answers_by_itself_as_the_system(
        acme_copy: Path, db_url: str, mailbox: Mailbox) -> None:
    replies = acme_copy / "messages" / "replies.yaml"
    replies.write_text(replies.read_text(encoding="utf-8").replace(
        "    keywords: [发票, 开票, invoice, receipt]\n",
        "    keywords: [发票, 开票, invoice, receipt]\n    auto: true\n"), encoding="utf-8")
    world = start_acme(acme_copy, db_url)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = CUSTOMER, "s@acme.example", "发票"
        message.set_content("请开发票")
        with smtplib.SMTP("127.0.0.1", world.gateway.port) as client:
            client.send_message(message)
        Worker(world.store).run_until_quiet(world.store.clock())
        [sent] = mailbox.messages
        assert "发票将发送至此邮箱" in sent.get_content()
        [ticket] = world.store.list(world.store.system, "ticket").items
        assert ticket["first_response_at"] is not None
        out = [m for m in conversation.timeline(world.store.engine, "ticket", ticket["id"])
               if m.direction == "out"]
        assert [m.user_id for m in out] == [None]
    finally:
        world.stop()


def test_an_email_that_cannot_be_sent_is_retried_then_failed_for_the_admins(
        acme: Acme, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], acme_copy: Path) -> None:
    monkeypatch.setenv(ENV_URL, f"smtp://127.0.0.1:{free_port()}")
    sending.queue(acme.store, sending.Outgoing(to=CUSTOMER, subject="s", body="b"))
    now = acme.store.clock()
    worker = Worker(acme.store)
    for minutes in (0, 1, 3, 7, 15):
        worker.run_until_quiet(now + dt.timedelta(minutes=minutes))
    [failed] = jobs.list_jobs(acme.store.engine, state="failed")
    assert failed.kind == "email" and failed.attempts == jobs.MAX_ATTEMPTS
    url = acme.store.engine.url.render_as_string(hide_password=False)
    assert main(["jobs", "list", str(acme_copy), "--db", url, "--state", "failed"]) == 0
    assert "email" in capsys.readouterr().out
