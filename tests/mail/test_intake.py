"""Filing received e-mail on a small project whose system actor may create contacts:
an unknown sender becomes a contact, a known one is matched whatever the case of the
address; a ticket token naming no ticket opens a new one."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.mail import intake
from guanxi.mail.parsing import Unparseable
from guanxi.store.facade import Store

FILES = {
    "guanxi.yaml": """
        project: desk
        roles: {agent: {}}
        system:
          grants:
            ticket: {create: all, read: all, update: all}
            contact: {create: all, read: all}
        """,
    "entities/contact.yaml": """
        contact:
          fields:
            name: {type: string, required: true}
            email: {type: email}
          access: {agent: {read: all}}
        """,
    "entities/ticket.yaml": """
        ticket:
          fields:
            subject: {type: string, required: true}
            channel: {type: choice, options: {email: E-mail, web: Web}}
            description: {type: text}
            contact: {type: reference, to: contact}
          access: {agent: {read: all, update: all}}
        """,
}


@pytest.fixture
def store(write_project, db_url: str) -> Iterator[Store]:
    root: Path = write_project(FILES)
    made = Store(compile_app(load_project_or_raise(root)), db_url)
    made.create_schema()
    yield made
    made.dispose()


def mail(sender: str, subject: str = "Hello", text: str = "A question") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "desk@x.example", subject
    message.set_content(text)
    return message.as_bytes()


def test_an_unknown_sender_becomes_a_new_contact(store: Store) -> None:
    received = intake.receive(store, mail("Wang Fang <wang@client.example>"))
    ticket = store.get(store.system, "ticket", received.record_id)
    contact = store.get(store.system, "contact", ticket["contact"])
    assert (contact["name"], contact["email"]) == ("Wang Fang", "wang@client.example")


def test_a_known_sender_is_matched_whatever_the_case_of_the_address(store: Store) -> None:
    first = intake.receive(store, mail("wang@client.example"))
    second = intake.receive(store, mail("WANG@Client.example", subject="Another"))
    tickets = [store.get(store.system, "ticket", r.record_id) for r in (first, second)]
    assert tickets[0]["contact"] == tickets[1]["contact"]
    assert store.count(store.system, "contact") == 1


def test_a_token_naming_no_ticket_opens_a_new_one(store: Store) -> None:
    received = intake.receive(store, mail("a@client.example", subject="About [#T999]"))
    assert received.created and received.record_id != 999


def test_a_message_without_text_or_subject_is_unparseable(store: Store) -> None:
    with pytest.raises(Unparseable):
        intake.receive(store, b"From: a@client.example\r\n\r\n")
