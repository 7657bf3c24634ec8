"""Signed-in browser sessions, kept in the database (`gx_session`) so they can be ended.

Signing in creates a row keyed by the SHA-256 of a random 256-bit key; the key travels in
the visitor's (signed) session cookie and nowhere else. Every request looks its key up,
so a session ends at once, in every server process sharing the database, when its row
goes: on sign-out (`end`), a password change or deactivation (`guanxi.users`), or "sign
out everywhere" (`users.sign_out`, `guanxi users sign-out USER`). A session also ends
`LIFETIME` after sign-in, however active it is. `last_seen_at` is written at most once
per `TOUCH_SECONDS`, so reading a page does not take the write lock each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

import sqlalchemy as sa
from guanxi.accounts.users import SESSIONS, USER_ROLES, USERS
from guanxi.identity import User
from guanxi.store.database import WRITE_OPTION

log = logging.getLogger("guanxi.sessions")
LIFETIME = dt.timedelta(hours=12)
TOUCH_SECONDS = 60
KEY_MAX = 200


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start(engine: sa.Engine, user_id: int, lifetime: dt.timedelta = LIFETIME) -> str:
    """A new session of `user_id`; returns its key (for the cookie). Sessions that have
    expired, anyone's, are removed on the way."""
    key = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.expires_at <= now))
        conn.execute(sa.insert(SESSIONS).values(
            id=_digest(key), user_id=user_id, created_at=now, last_seen_at=now,
            expires_at=now + lifetime))
    return key


def user_for(engine: sa.Engine, key: object) -> User | None:
    """The active user whose live session `key` is, or None (unknown, ended or expired
    session, deactivated user)."""
    if not isinstance(key, str) or not key or len(key) > KEY_MAX:
        return None
    session_id = _digest(key)
    now = _now()
    query = (sa.select(USERS, SESSIONS.c.last_seen_at)
             .join(SESSIONS, SESSIONS.c.user_id == USERS.c.id)
             .where(SESSIONS.c.id == session_id, SESSIONS.c.expires_at > now,
                    USERS.c.active.is_(True)))
    with engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
        row = conn.execute(query).first()
        if row is None:
            return None
        roles = conn.execute(
            sa.select(USER_ROLES.c.role).where(USER_ROLES.c.user_id == row.id)).scalars()
        user = User(id=row.id, username=row.username, roles=frozenset(roles),
                    language=row.language, display_name=row.display_name)
    if (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        _touch(engine, session_id, now)
    return user


def _touch(engine: sa.Engine, session_id: str, now: dt.datetime) -> None:
    """Record when the session was last used (bookkeeping: a busy database skips it)."""
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(SESSIONS).where(SESSIONS.c.id == session_id)
                         .values(last_seen_at=now))
    except sa.exc.OperationalError:
        log.warning("could not record the last use of a session", exc_info=True)


def end(engine: sa.Engine, key: object) -> bool:
    """End one session (signing out); False when it had already ended."""
    if not isinstance(key, str) or not key or len(key) > KEY_MAX:
        return False
    with engine.begin() as conn:
        result = conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.id == _digest(key)))
    return result.rowcount == 1


def count(engine: sa.Engine, user_id: int) -> int:
    """How many live sessions the user has."""
    with engine.connect() as conn:
        return int(conn.execute(
            sa.select(sa.func.count()).select_from(SESSIONS)
            .where(SESSIONS.c.user_id == user_id, SESSIONS.c.expires_at > _now())
        ).scalar_one())
