"""Notes on records (`gx_note`): what people write on a record's timeline, with
@mentions that notify.

Writing a note needs only the right to read the record (a comment changes no field, so
it is not a record write: the record's version, history and change events stay as they
are). Reading notes needs the same. `@username` in a note notifies that user in the app
(`guanxi.automation.notifications`, source `mention`) when she may read the record;
mentions of unknown users, of users who may not read it, and of the author are ignored.
A note is neither changed nor deleted once written (the record's page offers neither).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.accounts.users import find_user
from guanxi.automation import notifications
from guanxi.compile.tables import USER_TABLE
from guanxi.errors import NotFound, ValidationFailed
from guanxi.identity import User
from guanxi.messages import render
from guanxi.store.facade import Store
from guanxi.store.unit import transaction
from guanxi.workspace.tables import TABLES

NOTES = TABLES.notes
MAX_NOTE_LENGTH = 10_000
MAX_MENTIONS = 20
EXCERPT = 80
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,62})")
_USERS = sa.table(USER_TABLE, sa.column("id"), sa.column("username"),
                  sa.column("display_name"))


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    entity: str
    record_id: int
    user_id: int
    author: str
    body: str
    created_at: dt.datetime


def mentions(body: str) -> list[str]:
    """The usernames a note mentions (`@rita`), in order, each once."""
    found = [m.group(1).rstrip(".-") for m in MENTION.finditer(body)]
    return list(dict.fromkeys(n for n in found if n))[:MAX_MENTIONS]


def _check(body: str, language: str) -> str:
    text = body.replace("\x00", "").strip()
    if not text:
        raise ValidationFailed({"body": [render("note_empty", {}, language)]})
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationFailed({"body": [render("note_too_long", {"max": MAX_NOTE_LENGTH},
                                                language)]})
    return text


def _readers(store: Store, author: User, entity: str, record_id: int,
             names: list[str]) -> list[int]:
    """The ids of the mentioned users who may read the record (not the author)."""
    found = []
    for name in names:
        user = find_user(store.engine, name)
        if user is None or user.id == author.id:
            continue
        try:
            store.get(user, entity, record_id)
        except NotFound:
            continue
        found.append(user.id)
    return found


def add(store: Store, user: User, entity: str, record_id: int, body: str) -> Note:
    """Write a note on a record `user` may read (NotFound otherwise; ValidationFailed
    for an empty or too long note) and notify the users it mentions."""
    text = _check(body, user.language)
    store.get(user, entity, record_id)
    notify = _readers(store, user, entity, record_id, mentions(text))
    now = store.clock()
    excerpt = text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
    author = user.display_name or user.username
    message = {lang: render("note_mention", {"author": author, "excerpt": excerpt}, lang)
               for lang in ("en", "zh")}
    with transaction(store.engine, write=True) as conn:
        note_id = int(conn.execute(NOTES.insert().values(
            entity=entity, record_id=record_id, user_id=user.id, body=text, created_at=now,
        ).returning(NOTES.c.id)).scalar_one())
        notifications.send(conn, notify, message, source="mention", now=now,
                           entity=entity, record_id=record_id)
    return Note(note_id, entity, record_id, user.id, author, text, now)


@dataclass(frozen=True, slots=True)
class NotePage:
    """A page of a record's notes, newest first: `next_cursor` is given as `after` for
    the next page (None on the last); `total` counts them all (None when not asked)."""

    items: list[Note]
    next_cursor: str | None
    total: int | None


def _notes(store: Store, entity: str, record_id: int, *, limit: int | None = None,
           before: int | None = None) -> list[Note]:
    """The notes on a record, newest first: at most `limit`, those older than `before`."""
    query = (sa.select(NOTES, _USERS.c.username, _USERS.c.display_name)
             .select_from(NOTES.outerjoin(_USERS, _USERS.c.id == NOTES.c.user_id))
             .where(NOTES.c.entity == entity, NOTES.c.record_id == record_id)
             .order_by(NOTES.c.id.desc()))
    if before is not None:
        query = query.where(NOTES.c.id < before)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        rows: list[Any] = list(conn.execute(query).mappings())
    return [Note(r["id"], r["entity"], r["record_id"], r["user_id"],
                 r["display_name"] or r["username"] or "?", r["body"], r["created_at"])
            for r in rows]


def notes_of(store: Store, user: User, entity: str, record_id: int) -> list[Note]:
    """The notes on a record `user` may read, newest first (NotFound otherwise)."""
    store.get(user, entity, record_id)
    return _notes(store, entity, record_id)


def page_of(store: Store, user: User, entity: str, record_id: int, *, limit: int,
            after: int | None = None, with_total: bool = True) -> NotePage:
    """A page of the notes on a record `user` may read (NotFound otherwise), newest
    first: at most `limit` (at least 1), those older than the note `after` (the previous
    page's `next_cursor`, read as a whole number), and how many there are in all when
    `with_total`."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    store.get(user, entity, record_id)
    found = _notes(store, entity, record_id, limit=limit + 1, before=after)
    items = found[:limit]
    total = None
    if with_total:
        count = (sa.select(sa.func.count()).select_from(NOTES)
                 .where(NOTES.c.entity == entity, NOTES.c.record_id == record_id))
        with store.engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
    return NotePage(items, str(items[-1].id) if len(found) > limit else None, total)
