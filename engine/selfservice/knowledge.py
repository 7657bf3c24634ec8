"""The knowledge base as the help centre reads it: the articles the public actor may read
(its read grant says which: published and public), listed by category and language and
searched, and the "was this helpful?" votes about them.

Every read goes through the Store as the public actor, so row rules and hidden fields
hold; an id the public may not read is "not found". Search is the Store's text search:
a case-insensitive substring of the visible text fields, which finds Chinese words as
well as English ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.selfservice.tables import TABLES
from guanxi.spec import HelpSpec
from guanxi.store.facade import Store
from guanxi.store.unit import Record, transaction
from sqlalchemy.dialects import postgresql, sqlite

VOTES = TABLES.votes
PAGE = 50
MAX_SEARCH = 200


@dataclass(frozen=True, slots=True)
class Tally:
    helpful: int = 0
    unhelpful: int = 0


def articles(store: Store, help: HelpSpec, *, language: str | None = None,
             category: str | None = None, search: str | None = None,
             limit: int = PAGE) -> list[Record]:
    """The published articles the public may read, newest first: of one `category` and
    `language` when given, matching `search` when given."""
    filters: dict[str, Any] = {}
    if category and help.category:
        filters[help.category] = category
    if language and help.language:
        filters[help.language] = language
    text = (search or "").strip()[:MAX_SEARCH] or None
    page = store.list(store.public, help.entity, filters=filters, search=text,
                      sort=("-id",), limit=limit, with_total=False)
    return [dict(item) for item in page.items]


def article(store: Store, help: HelpSpec, record_id: int) -> Record:
    """One article the public may read (NotFound otherwise)."""
    return dict(store.get(store.public, help.entity, record_id))


def voter_key(secret: str, session_key: str) -> str:
    """A keyed hash of a visitor's session: one vote per visitor, never who they are."""
    return hmac.new(secret.encode(), session_key.encode(), hashlib.sha256).hexdigest()


def vote(store: Store, help: HelpSpec, record_id: int, voter: str, helpful: bool,
         now: dt.datetime) -> None:
    """Record (or change) a visitor's answer about an article the public may read."""
    article(store, help, record_id)
    insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert
    with transaction(store.engine, write=True) as conn:
        conn.execute(insert(VOTES).values(
            entity=help.entity, record_id=record_id, voter=voter, helpful=helpful, at=now)
            .on_conflict_do_update(index_elements=["entity", "record_id", "voter"],
                                   set_={"helpful": helpful, "at": now}))


def tally(engine: sa.Engine, entity: str, record_id: int) -> Tally:
    """How many visitors found the article helpful, and how many did not."""
    with engine.connect() as conn:
        rows: dict[bool, int] = {bool(row[0]): int(row[1]) for row in conn.execute(
            sa.select(VOTES.c.helpful, sa.func.count())
            .where(VOTES.c.entity == entity, VOTES.c.record_id == record_id)
            .group_by(VOTES.c.helpful))}
    return Tally(int(rows.get(True, 0)), int(rows.get(False, 0)))
