"""Portal sessions: a random token in the visitor's `guanxi_portal` cookie, kept in
`gx_portal_session` only as its SHA-256, valid for `HOURS` unless ended. They are not
staff sessions: nothing that signs staff in reads them, and the other way round."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from guanxi.portal.links import digest
from guanxi.portal.tables import TABLES
from guanxi.store.unit import transaction

SESSIONS = TABLES.sessions
HOURS = 8


def start(engine: sa.Engine, contact_id: int, now: dt.datetime) -> str:
    """A new session of the contact; its token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    with transaction(engine, write=True) as conn:
        conn.execute(SESSIONS.insert().values(
            token_hash=digest(token), contact_id=contact_id, created_at=now,
            expires_at=now + dt.timedelta(hours=HOURS)))
    return token


def contact_of(engine: sa.Engine, token: str | None, now: dt.datetime) -> int | None:
    """The contact of a live session, or None."""
    if not token or len(token) > 200:
        return None
    with transaction(engine, write=False) as conn:
        found = conn.execute(sa.select(SESSIONS.c.contact_id).where(
            SESSIONS.c.token_hash == digest(token), SESSIONS.c.ended_at.is_(None),
            SESSIONS.c.expires_at > now)).first()
    return None if found is None else int(found[0])


def end(engine: sa.Engine, token: str | None, now: dt.datetime) -> None:
    if not token:
        return
    with transaction(engine, write=True) as conn:
        conn.execute(SESSIONS.update().where(SESSIONS.c.token_hash == digest(token))
                     .values(ended_at=now))
