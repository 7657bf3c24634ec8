"""Saved list views: a user's own names for a list's query (filters, columns, sort),
kept in `gx_saved_view`. A view holds only the query string of the list page; opening
it reads that query again, with the user's current rights, so a saved view can never
show more than the list itself would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from guanxi.fields.registry import UTCDateTime
from guanxi.store.database import WRITE_OPTION

VIEW_TABLE = "gx_saved_view"
MAX_NAME = 100
MAX_QUERY = 2000
# The most views one user keeps per entity.
MAX_PER_ENTITY = 50


def define_view_table(metadata: sa.MetaData) -> sa.Table:
    """`gx_saved_view`: one row per view a user saved of an entity's list."""
    return sa.Table(
        VIEW_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("gx_user.id"), nullable=False),
        sa.Column("entity", sa.String(63), nullable=False),
        sa.Column("name", sa.String(MAX_NAME), nullable=False),
        sa.Column("query", sa.String(MAX_QUERY), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "entity", "name", name="uq_gx_saved_view_name"),
    )


VIEWS = define_view_table(sa.MetaData())


@dataclass(frozen=True, slots=True)
class SavedView:
    id: int
    name: str
    query: str


class ViewRefused(ValueError):
    """A view that cannot be saved; `key` names the message (server/i18n.py)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def views_of(engine: sa.Engine, user_id: int, entity: str) -> list[SavedView]:
    """The user's views of `entity`, by name."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(VIEWS.c.id, VIEWS.c.name, VIEWS.c.query).where(
            VIEWS.c.user_id == user_id, VIEWS.c.entity == entity).order_by(VIEWS.c.name))
        return [SavedView(int(r.id), str(r.name), str(r.query)) for r in rows]


def save(engine: sa.Engine, user_id: int, entity: str, name: str, query: str,
         now: dt.datetime) -> None:
    """Save (or replace, by name) a view; ViewRefused for an empty or long name or query,
    or one view too many."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ViewRefused("view_name_bad")
    if len(query) > MAX_QUERY:
        raise ViewRefused("view_query_long")
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            mine = (VIEWS.c.user_id == user_id) & (VIEWS.c.entity == entity)
            conn.execute(sa.delete(VIEWS).where(mine, VIEWS.c.name == name))
            count = conn.execute(sa.select(sa.func.count()).where(mine)).scalar_one()
            if count >= MAX_PER_ENTITY:
                raise ViewRefused("view_too_many")
            conn.execute(sa.insert(VIEWS).values(user_id=user_id, entity=entity, name=name,
                                                 query=query, created_at=now))


def delete(engine: sa.Engine, user_id: int, view_id: int) -> bool:
    """Delete one of the user's views; False when she has none by that id."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            gone = conn.execute(sa.delete(VIEWS).where(VIEWS.c.id == view_id,
                                                      VIEWS.c.user_id == user_id))
            return bool(gone.rowcount)
