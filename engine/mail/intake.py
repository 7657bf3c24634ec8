"""Turning a received e-mail into a ticket, or a new message on one.

The message is written to `gx_message` first (so a message the gateway accepted is in
the database before it answers), then threaded: by the ids it answers (In-Reply-To,
References) to the record of an earlier message, else by a token in its subject
([#T123]); a message that threads nowhere opens a new record (channel `email`), its
contact matched by the sender's address (or created, when the project lets the system
create contacts from a name and an address). Every write to records is a Store call as
the system actor. The reply templates whose keywords the message contains are
suggested on it; a template marked `auto: true` answers by itself.

Receiving the same message again (the sender retried) does not store it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from guanxi.automation import records as stored
from guanxi.errors import GuanxiError
from guanxi.mail import conversation, replies, sending
from guanxi.mail.definitions import messages_of
from guanxi.mail.parsing import Inbound, parse
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

log = logging.getLogger("guanxi.mail")
ENTITY = "ticket"
CONTACT = "contact"
NO_SUBJECT = "(no subject)"
MAX_DESCRIPTION = 20000


@dataclass(frozen=True, slots=True)
class Received:
    message: int
    entity: str
    record_id: int
    created: bool
    suggestions: tuple[str, ...]
    duplicate: bool = False


def _store_message(store: Store, inbound: Inbound, now: dt.datetime) -> conversation.Message:
    with transaction(store.engine, write=True) as conn:
        found = conversation.by_message_id(conn, inbound.message_id)
        if found is None:
            conversation.insert(
                conn, direction="in", message_id=inbound.message_id,
                in_reply_to=inbound.in_reply_to[0] if inbound.in_reply_to else None,
                from_addr=inbound.from_addr, to_addr=inbound.to_addr,
                subject=inbound.subject, body=inbound.text, kind="reply", state="received",
                created_at=now)
            found = conversation.by_message_id(conn, inbound.message_id)
    assert found is not None
    return found


def _contact(store: Store, inbound: Inbound) -> dict[str, Any] | None:
    spec = store.app.spec.entity(CONTACT)
    if spec is None or spec.field("email") is None:
        return None
    try:
        page = store.list(store.system, CONTACT, filters={"email": inbound.from_addr},
                          limit=1, with_total=False)
        if page.items:
            return dict(page.items[0])
        name = inbound.from_name or inbound.from_addr.partition("@")[0]
        return dict(store.create(store.system, CONTACT,
                                 {"name": name, "email": inbound.from_addr}))
    except GuanxiError:
        return None  # the system may not read or create contacts here: no contact


def _thread(store: Store, inbound: Inbound, entity: str) -> int | None:
    with transaction(store.engine, write=False) as conn:
        found = conversation.thread_of(conn, inbound.in_reply_to)
    if found is not None and found[0] == entity:
        return found[1]
    tagged = conversation.token_in(inbound.subject)
    if tagged is not None:
        try:
            store.get(store.system, entity, tagged)
        except GuanxiError:
            return None
        return tagged
    return None


def _open(store: Store, inbound: Inbound, entity: str,
          contact: dict[str, Any] | None) -> int:
    spec = store.app.spec.entity(entity)
    assert spec is not None
    values: dict[str, Any] = {"subject": (inbound.subject or NO_SUBJECT)[:200],
                              "channel": "email"}
    if spec.field("description") is not None:
        values["description"] = inbound.text[:MAX_DESCRIPTION]
    if contact is not None and spec.field("contact") is not None:
        values["contact"] = contact["id"]
        if contact.get("account") is not None and spec.field("account") is not None:
            values["account"] = contact["account"]
    return int(store.create(store.system, entity, values)["id"])


def receive(store: Store, data: bytes, *, entity: str = ENTITY,
            now: dt.datetime | None = None) -> Received:
    """Take one e-mail (its bytes). Unparseable when it cannot be read; a Store error
    when the record cannot be written (the message is kept, and taken again when the
    sender retries)."""
    inbound = parse(data)
    now = now or store.clock()
    message = _store_message(store, inbound, now)
    if message.record_id is not None and message.entity is not None:
        return Received(message.id, message.entity, message.record_id, False,
                        tuple(s["name"] for s in message.suggestions or ()), True)
    contact = _contact(store, inbound)
    record_id = _thread(store, inbound, entity)
    created = record_id is None
    if record_id is None:
        record_id = _open(store, inbound, entity, contact)
    with transaction(store.engine, write=False) as conn:
        record = stored.load(store.app, conn, entity, record_id) or {}
    suggested = replies.suggest(store, entity, record, f"{inbound.subject}\n{inbound.text}",
                                now)
    with transaction(store.engine, write=True) as conn:
        conversation.attach(conn, message.id, entity, record_id, suggested,
                            contact["id"] if contact else None)
    language = replies.guess_language(f"{inbound.subject}\n{inbound.text}",
                                      store.app.spec.languages)
    _auto_answer(store, entity, record_id, record, suggested, language)
    return Received(message.id, entity, record_id, created,
                    tuple(s["name"] for s in suggested))


def _auto_answer(store: Store, entity: str, record_id: int, record: dict[str, Any],
                 suggested: list[dict[str, Any]], language: str) -> None:
    if not suggested:
        return
    best = messages_of(store.app.spec).reply(suggested[0]["name"])
    if best is None or not best.auto:
        return
    try:
        subject, body = replies.draft(best, record, language)
        sending.reply(store, store.system, entity, record_id, body, subject)
    except GuanxiError as error:  # the message is filed; the agent answers instead
        log.warning("the automatic reply %s on %s %s failed: %s", best.name, entity,
                    record_id, error)
