"""API tokens: random secrets handed to a user once; only their SHA-256 is stored.

A token is 32 random bytes, so a plain (unsalted) hash is enough to make a stolen table
useless, and lets a token be found by its hash in one indexed lookup.

Every API request presents its token, so `user_for` remembers the users of recently
seen tokens (see `guanxi.server.tokencache`): revoking a token, or changing users, their
roles or tokens through this process, takes effect at once; a change made by another
process (`guanxi users set-role` while the server runs) within `tokencache.SECONDS`.

A token may have an expiry (`expires_at`); an expired token is refused (it is remembered
only while more than `tokencache.SECONDS` of its life remain). `last_used_at` records
when it was last presented, written at most once per `TOUCH_SECONDS` per token.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.identity import User
from guanxi.server.auth import tokencache

log = logging.getLogger("guanxi.server")
PREFIX = "gx_"
TOUCH_SECONDS = 60

metadata = sa.MetaData()
api_tokens = sa.Table(
    "guanxi_api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
)
# Columns added after the table was first shipped: create_table adds them when missing.
_LATER_COLUMNS = ("expires_at", "last_used_at")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime
    user_id: int = 0
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and _aware(self.expires_at) <= datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every moment here is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_table(engine: sa.Engine) -> None:
    """Create the token table if it is not there yet, and add the columns that a table
    made by an older Guanxi lacks (all nullable, so existing tokens keep working)."""
    metadata.create_all(engine, checkfirst=True)
    present = {c["name"] for c in sa.inspect(engine).get_columns(api_tokens.name)}
    missing = [name for name in _LATER_COLUMNS if name not in present]
    if not missing:
        return
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        for name in missing:
            column_type = api_tokens.c[name].type.compile(dialect=engine.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {preparer.quote(api_tokens.name)} "
                                 f"ADD COLUMN {preparer.quote(name)} {column_type}")


def issue(engine: sa.Engine, user_id: int, label: str = "",
          expires_in: timedelta | None = None) -> str:
    """A new token for `user_id`, valid for `expires_in` (None: until revoked); the only
    time its text is known."""
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValueError("a token's lifetime must be positive")
    token = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(api_tokens.insert().values(
            user_id=user_id, label=label[:200], token_hash=digest(token),
            created_at=now, expires_at=None if expires_in is None else now + expires_in,
        ))
    return token


# A token's row as _live_token reads it: id, user_id, expires_at, last_used_at.
TokenRow = sa.Row[Any, Any, Any, Any]


def _live_token(engine: sa.Engine, token_hash: str) -> TokenRow | None:
    """The token's row (id, user_id, expires_at, last_used_at) unless unknown or expired."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.expires_at,
                      api_tokens.c.last_used_at)
            .where(api_tokens.c.token_hash == token_hash)
        ).first()
    if row is None or (row.expires_at is not None
                       and _aware(row.expires_at) <= datetime.now(UTC)):
        return None
    return row


def _touch(engine: sa.Engine, row: TokenRow) -> None:
    """Record that the token was used (at most once per TOUCH_SECONDS; bookkeeping, so
    neither the remembered token users nor the request suffer from it)."""
    now = datetime.now(UTC)
    if row.last_used_at is not None and (
            now - _aware(row.last_used_at)).total_seconds() < TOUCH_SECONDS:
        return
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(**{tokencache.KEEP: True})
            conn.execute(api_tokens.update().where(api_tokens.c.id == row.id)
                         .values(last_used_at=now))
            conn.commit()
    except sa.exc.OperationalError:
        log.warning("could not record the last use of an API token", exc_info=True)


def user_for(engine: sa.Engine, token: str) -> User | None:
    """The active user a token belongs to, or None (unknown token, inactive user)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    token_hash = digest(token)
    cache = tokencache.for_engine(engine, watched=WATCHED_TABLES)
    user = cache.get(token_hash)
    if user is not None:
        return user
    generation = cache.generation
    row = _live_token(engine, token_hash)
    if row is None:
        return None
    user = users.get_user(engine, int(row.user_id))
    if user is None:
        return None
    _touch(engine, row)
    remaining = None if row.expires_at is None else (
        _aware(row.expires_at) - datetime.now(UTC)).total_seconds()
    if remaining is None or remaining > cache.seconds:
        cache.put(token_hash, user, generation)
    return user


def _listed(rows: Iterable[sa.Row[Any]]) -> list[TokenInfo]:
    return [TokenInfo(int(r.id), r.label, r.created_at, int(r.user_id), r.expires_at,
                      r.last_used_at) for r in rows]


def _info_query() -> sa.Select[Any]:
    c = api_tokens.c
    return sa.select(c.id, c.label, c.created_at, c.user_id, c.expires_at,
                     c.last_used_at).order_by(c.id)


def list_for(engine: sa.Engine, user_id: int) -> list[TokenInfo]:
    """The user's tokens (expired ones too, until revoked), oldest first."""
    with engine.connect() as conn:
        return _listed(conn.execute(_info_query().where(api_tokens.c.user_id == user_id)))


def list_all(engine: sa.Engine) -> list[TokenInfo]:
    """Every user's tokens, oldest first."""
    with engine.connect() as conn:
        return _listed(conn.execute(_info_query()))


def revoke(engine: sa.Engine, user_id: int, token_id: int) -> bool:
    """Remove one of the user's tokens; False when it is not theirs or not there."""
    with engine.begin() as conn:
        result = conn.execute(api_tokens.delete().where(
            api_tokens.c.id == token_id, api_tokens.c.user_id == user_id))
    tokencache.forget_user(user_id)
    return result.rowcount == 1


def revoke_any(engine: sa.Engine, token_id: int) -> TokenInfo | None:
    """Remove a token whoever it belongs to (for administrators); the token, or None."""
    with engine.begin() as conn:
        found = _listed(conn.execute(_info_query().where(api_tokens.c.id == token_id)))
        if not found:
            return None
        conn.execute(api_tokens.delete().where(api_tokens.c.id == token_id))
    tokencache.forget_user(found[0].user_id)
    return found[0]


# Tables whose changes make remembered token users stale.
WATCHED_TABLES = frozenset({users.USERS.name, users.USER_ROLES.name, api_tokens.name})
