"""In-app notifications (`gx_notification`): what automation tells people.

A notification is addressed to one user, keeps its message in every language it was
written in (shown in the reader's language), may point at a record, and names its
channel. The only channel delivered today is "app" (the bell and the inbox); another
channel (e-mail) is a deliverer that takes the rows of its channel, so `send` already
records the channel each notification is meant for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.automation.tables import TABLES
from guanxi.spec import Text, text_in
from guanxi.store.unit import transaction

NOTIFICATIONS = TABLES.notifications
CHANNELS = ("app",)


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    user_id: int
    channel: str
    entity: str | None
    record_id: int | None
    message: Text
    source: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    def text(self, language: str) -> str:
        """The message in `language` (else English, else any)."""
        return text_in(self.message, language)

    def as_json(self, language: str) -> dict[str, Any]:
        return {"id": self.id, "message": self.text(language), "entity": self.entity,
                "record_id": self.record_id, "source": self.source,
                "created_at": self.created_at.isoformat(),
                "read": self.read_at is not None,
                "read_at": self.read_at.isoformat() if self.read_at else None}


def send(conn: sa.Connection, users: Iterable[int], message: Text, *, source: str,
         now: dt.datetime, entity: str | None = None, record_id: int | None = None,
         channel: str = "app") -> int:
    """Notify each of `users` (in `conn`'s transaction); how many were written."""
    rows = [{"user_id": user, "channel": channel, "entity": entity, "record_id": record_id,
             "message": dict(message), "source": source, "created_at": now}
            for user in dict.fromkeys(users)]
    if rows:
        conn.execute(NOTIFICATIONS.insert(), rows)
    return len(rows)


def inbox(engine: sa.Engine, user_id: int, *, unread_only: bool = False,
          limit: int = 50) -> list[Notification]:
    """A user's notifications, newest first."""
    query = (sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.user_id == user_id)
             .order_by(NOTIFICATIONS.c.id.desc()).limit(limit))
    if unread_only:
        query = query.where(NOTIFICATIONS.c.read_at.is_(None))
    with engine.connect() as conn:
        return [Notification(**row) for row in conn.execute(query).mappings()]


def unread_count(engine: sa.Engine, user_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(
            NOTIFICATIONS.c.user_id == user_id,
            NOTIFICATIONS.c.read_at.is_(None))).scalar_one())


def mark_read(engine: sa.Engine, user_id: int, now: dt.datetime,
              notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them, with None)."""
    condition = [NOTIFICATIONS.c.user_id == user_id, NOTIFICATIONS.c.read_at.is_(None)]
    if notification_id is not None:
        condition.append(NOTIFICATIONS.c.id == notification_id)
    with transaction(engine, write=True) as conn:
        return int(conn.execute(NOTIFICATIONS.update().where(*condition)
                                .values(read_at=now)).rowcount)


def for_user(engine: sa.Engine, user_id: int, notification_id: int) -> Notification | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(NOTIFICATIONS).where(
            NOTIFICATIONS.c.id == notification_id,
            NOTIFICATIONS.c.user_id == user_id)).mappings().first()
    return Notification(**row) if row is not None else None
