"""Sending e-mail: a message is written to `gx_message` (state `queued`) together with
an `email` job, in one transaction; the job runner sends it (`run_email`), retrying
with backoff, and marks it `sent` (or `refused`). Nothing is sent inside a request.

A reply to a record's customer goes to the contact's address (else to whoever wrote
last), threads under the last message received (In-Reply-To, References) and carries
the record's token in its subject ([#T123]); the first reply sets the record's
`first_response_at` (as the system actor), which stops a first-response SLA clock.
Messages of kind `marketing` are sent only to a contact who agreed to marketing
(`marketing_consent`), checked when queued and again when sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.automation import records as stored
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.mail import conversation, smtp
from guanxi.mail.conversation import token
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

JOB_KIND = "email"
KINDS = ("reply", "notification", "marketing")
CONSENT_FIELD = "marketing_consent"
FIRST_RESPONSE = "first_response_at"
CONTACT_ENTITY = "contact"


class NoConsent(GuanxiError):
    """A marketing message to someone who did not agree to marketing."""


class NoRecipient(GuanxiError):
    """Nobody to send to: no contact address, no message received."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    to: str
    subject: str
    body: str
    html: str | None = None
    kind: str = "reply"
    entity: str | None = None
    record_id: int | None = None
    contact_id: int | None = None
    in_reply_to: str | None = None


def contact_row(store: Store, contact_id: int | None) -> dict[str, Any] | None:
    if contact_id is None or store.app.spec.entity(CONTACT_ENTITY) is None:
        return None
    with transaction(store.engine, write=False) as conn:
        return stored.load(store.app, conn, CONTACT_ENTITY, contact_id)


def consents(store: Store, contact_id: int | None) -> bool:
    """Whether the contact agreed to marketing (no contact: no)."""
    contact = contact_row(store, contact_id)
    return bool(contact and contact.get(CONSENT_FIELD) is True)


def queue(store: Store, outgoing: Outgoing, *, user: User | None = None,
          now: dt.datetime | None = None, conn: sa.Connection | None = None) -> int:
    """Write the message and its `email` job (in `conn`'s transaction, or a new one);
    the message's row id. NoConsent for marketing without consent."""
    if outgoing.kind not in KINDS:
        raise ValueError(f"unknown kind of e-mail {outgoing.kind!r}")
    if outgoing.kind == "marketing" and not consents(store, outgoing.contact_id):
        raise NoConsent("the contact has not agreed to marketing e-mail",
                        code="no_marketing_consent")
    now = now or store.clock()
    sender = _sender()
    values = {"entity": outgoing.entity, "record_id": outgoing.record_id, "direction": "out",
              "message_id": conversation.new_message_id(sender),
              "in_reply_to": outgoing.in_reply_to, "from_addr": sender, "to_addr": outgoing.to,
              "subject": outgoing.subject[:500], "body": outgoing.body, "html": outgoing.html,
              "kind": outgoing.kind, "state": "queued",
              "user_id": user.id if user is not None and user.id > 0 else None,
              "contact_id": outgoing.contact_id, "created_at": now}
    if conn is not None:
        return _queue_in(conn, values, now)
    with transaction(store.engine, write=True) as own:
        return _queue_in(own, values, now)


def _queue_in(conn: sa.Connection, values: dict[str, Any], now: dt.datetime) -> int:
    row_id = conversation.insert(conn, **values)
    jobs.enqueue(conn, JOB_KIND, {"message": row_id}, now=now, key=f"email:{row_id}")
    return row_id


def _sender() -> str:
    try:
        return smtp.SmtpSettings.from_env().sender
    except smtp.SmtpNotConfigured:
        return smtp.DEFAULT_FROM


def reply(store: Store, user: User, entity: str, record_id: int, body: str,
          subject: str = "", *, now: dt.datetime | None = None) -> int:
    """Answer the record's customer; the message's row id. The caller has checked
    that `user` may update the record."""
    now = now or store.clock()
    with transaction(store.engine, write=False) as conn:
        record = stored.load(store.app, conn, entity, record_id)
        last = conversation.last_received(conn, entity, record_id)
    if record is None:
        raise NoRecipient("the record is gone", code="not_found")
    contact_id = record.get("contact") if isinstance(record.get("contact"), int) else None
    contact = contact_row(store, contact_id)
    address = (contact or {}).get("email") or (last.from_addr if last else None)
    if not address:
        raise NoRecipient("the customer has no e-mail address, and none wrote to us",
                          code="no_recipient")
    title = str(record.get("subject") or record.get("name") or "")
    subject = subject.strip() or (last.subject if last else title) or title
    if not subject.lower().startswith(("re:", "回复")):
        subject = f"Re: {subject}"
    if token(record_id) not in subject:
        subject = f"{subject} {token(record_id)}"
    row_id = queue(store, Outgoing(
        to=str(address), subject=subject, body=body, entity=entity, record_id=record_id,
        contact_id=contact_id, in_reply_to=last.message_id if last else None),
        user=user, now=now)
    entity_spec = store.app.spec.entity(entity)
    if entity_spec is not None and entity_spec.field(FIRST_RESPONSE) is not None \
            and record.get(FIRST_RESPONSE) is None:
        store.update(store.system, entity, record_id, {FIRST_RESPONSE: now})
    return row_id


def compose(message: conversation.Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = message.from_addr
    mail["To"] = message.to_addr
    mail["Subject"] = message.subject
    mail["Message-ID"] = f"<{message.message_id}>"
    if message.in_reply_to:
        mail["In-Reply-To"] = f"<{message.in_reply_to}>"
        mail["References"] = f"<{message.in_reply_to}>"
    mail.set_content(message.body)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail


def run_email(store: Store, job: Job, now: dt.datetime) -> Outcome:
    """The `email` job: send one queued message (once: a sent one is not sent again)."""
    outcome = Outcome()
    row_id = int(job.payload["message"])
    with transaction(store.engine, write=False) as conn:
        message = conversation.get(conn, row_id)
    if message is None or message.state != "queued":
        outcome.done.append(f"e-mail {row_id}: nothing to send")
        return outcome
    if message.kind == "marketing" and not consents(store, message.contact_id):
        with transaction(store.engine, write=True) as conn:
            conversation.mark(conn, row_id, "refused", note="no marketing consent")
        outcome.done.append(f"e-mail {row_id}: refused, no marketing consent")
        return outcome
    smtp.send(smtp.SmtpSettings.from_env(), compose(message))
    with transaction(store.engine, write=True) as conn:
        conversation.mark(conn, row_id, "sent", sent_at=now)
    outcome.done.append(f"e-mail {row_id} sent to {message.to_addr}")
    return outcome
