"""The e-mail channel of notifications, by each user's preference.

Each user may give an address and, per kind of notification (its source, e.g.
`job:timer`, `webhook:erp_won`, or `*` for every other), a channel: `app` (the bell;
the default), `email`, or `both`. The follower (`deliver`, run in each pass of the
worker) reads the notifications written since its last pass, once (its cursor in
`gx_mail_cursor`, locked while it reads), and queues an e-mail for those meant to go by
e-mail; a notification meant only for e-mail is marked read in the app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from guanxi.automation.tables import TABLES as AUTOMATION
from guanxi.mail import sending
from guanxi.mail.tables import TABLES
from guanxi.spec import text_in
from guanxi.store.facade import Store
from guanxi.store.unit import transaction
from sqlalchemy.dialects import postgresql, sqlite

CHANNELS = ("app", "email", "both")
PREFS = TABLES.prefs
CURSORS = TABLES.cursors
NOTIFICATIONS = AUTOMATION.notifications
USERS_LANGUAGE_DEFAULT = "en"
CURSOR = "notifications"
BATCH = 200


def _upsert(conn: sa.Connection) -> Any:
    return (postgresql.insert(PREFS) if conn.dialect.name == "postgresql"
            else sqlite.insert(PREFS))


def set_preference(engine: sa.Engine, user_id: int, *, address: str | None = None,
                   channel: str | None = None, kind: str = "*") -> dict[str, Any]:
    """Set a user's address and/or the channel of one kind of notification."""
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    with transaction(engine, write=True) as conn:
        row = conn.execute(sa.select(PREFS).where(PREFS.c.user_id == user_id)
                           ).mappings().first()
        channels: dict[str, str] = dict(row["channels"]) if row else {}
        if channel is not None:
            channels[kind] = channel
        kept = row["address"] if row is not None else None
        values: dict[str, Any] = {"address": address if address is not None else kept,
                                  "channels": channels}
        conn.execute(_upsert(conn).values(user_id=user_id, **values).on_conflict_do_update(
            index_elements=["user_id"], set_=values))
    return {"user_id": user_id, **values}


def preference(engine: sa.Engine, user_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(PREFS).where(PREFS.c.user_id == user_id)
                           ).mappings().first()
    return dict(row) if row else None


def channel_for(channels: dict[str, str], source: str) -> str:
    return channels.get(source) or channels.get(source.partition(":")[0]) \
        or channels.get("*") or "app"


def _position(conn: sa.Connection) -> int:
    insert = (postgresql.insert(CURSORS) if conn.dialect.name == "postgresql"
              else sqlite.insert(CURSORS))
    conn.execute(insert.values(name=CURSOR, position=0).on_conflict_do_nothing())
    query = sa.select(CURSORS.c.position).where(CURSORS.c.name == CURSOR)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def deliver(store: Store, now: dt.datetime) -> list[str]:
    """Queue the e-mails of the notifications written since the last pass."""
    lines: list[str] = []
    with store.engine.connect() as reading:  # most passes: nothing new, no write lock
        seen = reading.execute(sa.select(CURSORS.c.position)
                               .where(CURSORS.c.name == CURSOR)).scalar() or 0
        newer = reading.execute(sa.select(NOTIFICATIONS.c.id).where(
            NOTIFICATIONS.c.id > seen).limit(1)).scalar()
    if newer is None:
        return lines
    with transaction(store.engine, write=True) as conn:
        start = _position(conn)
        rows = conn.execute(sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.id > start)
                            .order_by(NOTIFICATIONS.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return lines
        users = {int(r["user_id"]) for r in rows}
        prefs = {int(p["user_id"]): p for p in conn.execute(
            sa.select(PREFS).where(PREFS.c.user_id.in_(users))).mappings()}
        languages = dict(conn.execute(sa.select(store.app.tables.users.c.id,
                                                store.app.tables.users.c.language)
                                      .where(store.app.tables.users.c.id.in_(users))).all())
        for row in rows:
            pref = prefs.get(int(row["user_id"]))
            if pref is None or not pref["address"]:
                continue
            channel = channel_for(dict(pref["channels"]), str(row["source"]))
            if channel == "app":
                continue
            text = text_in(row["message"], str(languages.get(row["user_id"])
                                               or USERS_LANGUAGE_DEFAULT))
            sending.queue(store, sending.Outgoing(
                to=str(pref["address"]), subject=text[:120], body=text, kind="notification",
                entity=row["entity"], record_id=row["record_id"]), now=now, conn=conn)
            if channel == "email":
                conn.execute(NOTIFICATIONS.update().where(NOTIFICATIONS.c.id == row["id"])
                             .values(read_at=now))
            lines.append(f"notification {row['id']} e-mailed to user {row['user_id']}")
        conn.execute(CURSORS.update().where(CURSORS.c.name == CURSOR)
                     .values(position=rows[-1]["id"]))
    return lines
