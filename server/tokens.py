"""API tokens: random secrets handed to a user once; only their SHA-256 is stored.

A token is 32 random bytes, so a plain (unsalted) hash is enough to make a stolen table
useless, and lets a token be found by its hash in one indexed lookup.

Every API request presents its token, so `user_for` remembers the users of recently
seen tokens (see `guanxi.server.tokencache`): revoking a token, or changing users, their
roles or tokens through this process, takes effect at once; a change made by another
process (`guanxi users set-role` while the server runs) within `tokencache.SECONDS`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from guanxi import users
from guanxi.identity import User
from guanxi.server import tokencache

PREFIX = "gx_"

metadata = sa.MetaData()
api_tokens = sa.Table(
    "guanxi_api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    label: str
    created_at: datetime


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_table(engine: sa.Engine) -> None:
    """Create the token table if it is not there yet."""
    metadata.create_all(engine, checkfirst=True)


def issue(engine: sa.Engine, user_id: int, label: str = "") -> str:
    """A new token for `user_id`; the only time its text is known."""
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(api_tokens.insert().values(
            user_id=user_id, label=label[:200], token_hash=digest(token),
            created_at=datetime.now(UTC),
        ))
    return token


def _user_id(engine: sa.Engine, token_hash: str) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(api_tokens.c.user_id).where(api_tokens.c.token_hash == token_hash)
        ).first()
    return None if row is None else int(row[0])


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
    user_id = _user_id(engine, token_hash)
    user = users.get_user(engine, user_id) if user_id is not None else None
    if user is not None:
        cache.put(token_hash, user, generation)
    return user


def list_for(engine: sa.Engine, user_id: int) -> list[TokenInfo]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(api_tokens.c.id, api_tokens.c.label, api_tokens.c.created_at)
            .where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
        ).all()
    return [TokenInfo(int(r.id), r.label, r.created_at) for r in rows]


def revoke(engine: sa.Engine, user_id: int, token_id: int) -> bool:
    """Remove one of the user's tokens; False when it is not theirs or not there."""
    with engine.begin() as conn:
        result = conn.execute(api_tokens.delete().where(
            api_tokens.c.id == token_id, api_tokens.c.user_id == user_id))
    tokencache.forget_user(user_id)
    return result.rowcount == 1


# Tables whose changes make remembered token users stale.
WATCHED_TABLES = frozenset({users.USERS.name, users.USER_ROLES.name, api_tokens.name})
