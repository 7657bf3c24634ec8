"""The reply form on a ticket's page: it needs the CSRF token, and a user who may not
change the ticket may not answer on it."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from guanxi.mail import conversation
from mail_world import PASSWORD, Acme, start_acme
from server_app import Client


@pytest.fixture
def acme(acme_copy: Path, db_url: str) -> Iterator[Acme]:
    world = start_acme(acme_copy, db_url)
    yield world
    world.stop()


def ticket_from_mail(acme: Acme) -> int:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "c@x.example", "s@acme.example", "Hi"
    message.set_content("My screen is broken")
    with smtplib.SMTP("127.0.0.1", acme.gateway.port) as client:
        client.send_message(message)
    return int(acme.store.list(acme.store.system, "ticket").items[0]["id"])


def outgoing(acme: Acme, ticket_id: int) -> list[conversation.Message]:
    return [m for m in conversation.timeline(acme.store.engine, "ticket", ticket_id)
            if m.direction == "out"]


def test_a_reply_without_the_csrf_token_is_refused(acme: Acme) -> None:
    ticket_id = ticket_from_mail(acme)
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        answer = client.post(f"/e/ticket/{ticket_id}/reply", data={"body": "Hello"})
    assert answer.status_code == 403
    assert outgoing(acme, ticket_id) == []


def test_a_user_who_may_not_change_the_ticket_may_not_answer_on_it(acme: Acme) -> None:
    ticket_id = ticket_from_mail(acme)
    with Client(acme.app) as client:
        client.login("sam", PASSWORD)  # a sales manager reads tickets, never changes them
        token = client.csrf("/")
        answer = client.post(f"/e/ticket/{ticket_id}/reply",
                             data={"body": "Hello", "csrf_token": token})
    assert answer.status_code in (403, 404)
    assert outgoing(acme, ticket_id) == []


def test_an_empty_reply_is_refused(acme: Acme) -> None:
    ticket_id = ticket_from_mail(acme)
    with Client(acme.app) as client:
        client.login("mona", PASSWORD)
        answer = client.form(f"/e/ticket/{ticket_id}/reply", {"body": "  "},
                             page=f"/e/ticket/{ticket_id}")
    assert answer.status_code == 400
    assert outgoing(acme, ticket_id) == []
