"""The e-mails of a record (`gx_message`): each received or sent message, on the
timeline of the record it belongs to, and the threads that lead back to it."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.mail.tables import TABLES

MESSAGES = TABLES.messages
TOKEN = re.compile(r"\[#T(\d{1,9})\]")


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    entity: str | None
    record_id: int | None
    direction: str
    message_id: str
    in_reply_to: str | None
    from_addr: str
    to_addr: str
    subject: str
    body: str
    html: str | None
    kind: str
    state: str
    user_id: int | None
    contact_id: int | None
    suggestions: list[dict[str, Any]] | None
    note: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


def token(record_id: int) -> str:
    """The token that ties a subject to a ticket: [#T123]."""
    return f"[#T{record_id}]"


def token_in(subject: str) -> int | None:
    found = TOKEN.search(subject)
    return int(found.group(1)) if found else None


def new_message_id(sender: str) -> str:
    domain = sender.rpartition("@")[2] or "guanxi"
    return f"gx.{uuid.uuid4().hex}@{domain}"


def insert(conn: sa.Connection, **values: Any) -> int:
    values.setdefault("kind", "reply")
    found = conn.execute(MESSAGES.insert().values(**values).returning(MESSAGES.c.id)).scalar()
    return int(found or 0)


def by_message_id(conn: sa.Connection, message_id: str) -> Message | None:
    row = conn.execute(sa.select(MESSAGES).where(MESSAGES.c.message_id == message_id)
                       ).mappings().first()
    return Message(**row) if row is not None else None


def get(conn: sa.Connection, row_id: int) -> Message | None:
    row = conn.execute(sa.select(MESSAGES).where(MESSAGES.c.id == row_id)).mappings().first()
    return Message(**row) if row is not None else None


def thread_of(conn: sa.Connection, references: tuple[str, ...]) -> tuple[str, int] | None:
    """The record a message answers, from the ids it refers to."""
    if not references:
        return None
    row = conn.execute(sa.select(MESSAGES.c.entity, MESSAGES.c.record_id).where(
        MESSAGES.c.message_id.in_(references), MESSAGES.c.record_id.is_not(None))
        .order_by(MESSAGES.c.id.desc()).limit(1)).first()
    return (str(row[0]), int(row[1])) if row is not None else None


def attach(conn: sa.Connection, row_id: int, entity: str, record_id: int,
           suggestions: list[dict[str, Any]] | None, contact_id: int | None) -> None:
    conn.execute(MESSAGES.update().where(MESSAGES.c.id == row_id).values(
        entity=entity, record_id=record_id, suggestions=suggestions, contact_id=contact_id))


def mark(conn: sa.Connection, row_id: int, state: str, *, note: str | None = None,
         sent_at: dt.datetime | None = None) -> None:
    conn.execute(MESSAGES.update().where(MESSAGES.c.id == row_id).values(
        state=state, note=note, sent_at=sent_at))


def timeline(engine: sa.Engine, entity: str, record_id: int) -> list[Message]:
    """The record's messages, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(MESSAGES).where(
            MESSAGES.c.entity == entity, MESSAGES.c.record_id == record_id)
            .order_by(MESSAGES.c.id)).mappings().all()
    return [Message(**row) for row in rows]


def last_received(conn: sa.Connection, entity: str, record_id: int) -> Message | None:
    row = conn.execute(sa.select(MESSAGES).where(
        MESSAGES.c.entity == entity, MESSAGES.c.record_id == record_id,
        MESSAGES.c.direction == "in").order_by(MESSAGES.c.id.desc()).limit(1)
    ).mappings().first()
    return Message(**row) if row is not None else None
