"""acme's e-mail, end to end on loopback: a customer's message sent with smtplib to the
mail gateway becomes an e-mail ticket with the fitting reply suggested; the agent's
reply from the ticket page reaches the customer's mailbox (a real SMTP server) through
the job runner and stops the first-response clock; the customer's answer threads into
the same ticket."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from guanxi.automation import slas
from guanxi.automation.worker import Worker
from guanxi.mail import conversation
from guanxi.mail.gateway import Gateway
from guanxi.mail.smtp import ENV_URL
from mail_world import PASSWORD, Acme, Mailbox, free_port, start_acme
from server_app import Client

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


def mail(subject: str, text: str, sender: str = CUSTOMER, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Li Lei <{sender}>"
    message["To"] = "service@acme.example"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def send(acme: Acme, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", acme.gateway.port) as client:
        client.send_message(message)


def tickets(acme: Acme) -> list[dict[str, object]]:
    return acme.store.list(acme.store.system, "ticket", sort=("id",)).items


def test_an_email_about_a_repair_becomes_an_email_ticket_with_the_repair_reply_suggested(
        acme: Acme) -> None:
    send(acme, mail("打印机坏了", "您好，我们的打印机需要维修，请尽快安排维修。"))
    [ticket] = tickets(acme)
    assert (ticket["channel"], ticket["subject"]) == ("email", "打印机坏了")
    [message] = conversation.timeline(acme.store.engine, "ticket", int(ticket["id"]))
    assert message.direction == "in" and message.from_addr == CUSTOMER
    assert message.suggestions and message.suggestions[0]["name"] == "repair"


def test_the_ticket_page_shows_the_message_and_the_suggested_repair_reply(
        acme: Acme) -> None:
    send(acme, mail("打印机坏了", "我们的打印机需要维修。"))
    ticket_id = tickets(acme)[0]["id"]
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        page = client.get(f"/e/ticket/{ticket_id}").text
    assert "我们的打印机需要维修。" in page
    assert "Repair request" in page and "我们的维修工程师将在一个工作日内与您联系" in page


def test_a_reply_from_the_ticket_page_reaches_the_customer_and_stops_the_first_response_clock(
        acme: Acme, mailbox: Mailbox) -> None:
    send(acme, mail("Printer broken", "Our printer needs a repair."))
    ticket_id = int(tickets(acme)[0]["id"])
    worker = Worker(acme.store)
    worker.run_until_quiet(acme.store.clock())
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        answer = client.form(f"/e/ticket/{ticket_id}/reply",
                             {"subject": "", "body": "An engineer comes tomorrow."},
                             page=f"/e/ticket/{ticket_id}")
    assert answer.status_code == 303
    assert mailbox.messages == []  # sent by the job runner, not by the request
    worker.run_until_quiet(acme.store.clock())
    [sent] = mailbox.messages
    assert sent["To"] == CUSTOMER and f"[#T{ticket_id}]" in sent["Subject"]
    assert "An engineer comes tomorrow." in sent.get_content()
    ticket = acme.store.get(acme.store.system, "ticket", ticket_id)
    assert ticket["first_response_at"] is not None
    [clock] = [c for c in slas.clocks(acme.store.engine, acme.store.app.spec, "ticket",
                                      ticket_id, acme.store.clock())
               if c.name == "email_first_response"]
    assert clock.stopped


def test_the_customers_answer_threads_into_the_same_ticket(
        acme: Acme, mailbox: Mailbox) -> None:
    send(acme, mail("Printer broken", "Our printer needs a repair."))
    ticket_id = int(tickets(acme)[0]["id"])
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        client.form(f"/e/ticket/{ticket_id}/reply", {"body": "Which model?"},
                    page=f"/e/ticket/{ticket_id}")
    Worker(acme.store).run_until_quiet(acme.store.clock())
    [sent] = mailbox.messages
    send(acme, mail(f"Re: {sent['Subject']}", "A GTX Pro.",
                    In_Reply_To=sent["Message-ID"], References=sent["Message-ID"]))
    assert [t["id"] for t in tickets(acme)] == [ticket_id]
    directions = [m.direction for m in conversation.timeline(acme.store.engine, "ticket",
                                                             ticket_id)]
    assert directions == ["in", "out", "in"]


def test_a_ticket_token_in_the_subject_threads_a_message_without_references(
        acme: Acme) -> None:
    send(acme, mail("Invoice please", "We need an invoice."))
    ticket_id = int(tickets(acme)[0]["id"])
    send(acme, mail(f"Also [#T{ticket_id}]", "For the order of May."))
    assert len(tickets(acme)) == 1
    assert len(conversation.timeline(acme.store.engine, "ticket", ticket_id)) == 2


def test_a_known_customer_address_links_the_ticket_to_the_contact_and_account(
        acme: Acme) -> None:
    manager = acme.people["sam"]
    account = acme.store.create(manager, "account", {"name": "Customer Ltd"})
    contact = acme.store.create(manager, "contact", {
        "name": "Li Lei", "email": CUSTOMER, "account": account["id"]})
    send(acme, mail("Refund", "我想退款"))
    [ticket] = tickets(acme)
    assert (ticket["contact"], ticket["account"]) == (contact["id"], account["id"])


def test_the_same_message_sent_twice_is_filed_once(acme: Acme) -> None:
    message = mail("Printer broken", "Our printer needs a repair.",
                   Message_ID="<once@customer.example>")
    send(acme, message)
    send(acme, message)
    [ticket] = tickets(acme)
    assert len(conversation.timeline(acme.store.engine, "ticket", int(ticket["id"]))) == 1


def test_a_message_without_a_sender_is_refused_with_an_smtp_error(acme: Acme) -> None:
    with smtplib.SMTP("127.0.0.1", acme.gateway.port) as client, \
            pytest.raises(smtplib.SMTPDataError) as refused:
        client.sendmail("x@example.com", ["service@acme.example"],
                        b"Subject: hello\r\n\r\nno From header\r\n")
    assert refused.value.smtp_code == 554
    assert tickets(acme) == []


def test_a_message_over_the_size_limit_is_refused(acme: Acme) -> None:
    small = Gateway(lambda: acme.store, port=free_port(), max_size=1000)
    small.start()
    try:
        with smtplib.SMTP("127.0.0.1", small.port) as client, \
                pytest.raises(smtplib.SMTPException) as refused:
            client.send_message(mail("Big", "x" * 5000))
    finally:
        small.stop()
    assert "552" in str(refused.value) or getattr(refused.value, "smtp_code", 0) == 552
    assert tickets(acme) == []
