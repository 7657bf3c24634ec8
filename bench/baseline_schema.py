"""The baselines' tables, written by hand the way a developer would: the lead with the
same columns, indexes and foreign keys as the table Guanxi builds for bench/projects.py,
a users table, and a history table like Guanxi's audit trail.

Baselines run on connections set up like Guanxi's SQLite store (WAL, synchronous=NORMAL,
foreign keys enforced), so the comparison measures the code, not the durability settings.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import sqlalchemy as sa

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)

metadata = sa.MetaData()

users = sa.Table(
    "app_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(150), nullable=False, unique=True),
)

lead = sa.Table(
    "lead",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    sa.Column("owner", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(63), nullable=False, index=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(255), nullable=True),
    sa.Column("phone", sa.String(255), nullable=True),
    sa.Column("source", sa.String(255), nullable=True),
    sa.Column("referrer", sa.String(200), nullable=True),
    sa.Column("value", sa.Numeric(18, 2), nullable=True),
    sa.Column("probability", sa.Numeric(7, 2), nullable=True),
    sa.Column("company", sa.String(200), nullable=True),
    sa.Column("city", sa.String(100), nullable=True),
    sa.Column("expected_close", sa.Date, nullable=True),
)
sa.Index("uq_lead_email", lead.c.email, unique=True)

history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("transition", sa.String(63), nullable=True),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Index("ix_history_record", "entity", "record_id"),
)

# Like Guanxi's outbox (gx_event): one row per record written.
event = sa.Table(
    "event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("transition", sa.String(63), nullable=True),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Like Guanxi's import journal (gx_import, gx_import_row): what each import created, so
# that it can be undone.
import_batch = sa.Table(
    "import_batch",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
)

import_row = sa.Table(
    "import_row",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False,
              index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("entity", sa.String(63), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("changes", sa.JSON, nullable=False),
)

LEAD_COLUMNS = (
    "name", "email", "phone", "source", "referrer", "value", "probability", "company", "city",
    "expected_close", "owner", "created_by", "created_at", "updated_at", "version", "state",
)


def engine_for(url: str) -> sa.Engine:
    """A plain SQLAlchemy engine; SQLite connections get the pragmas above."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

    return engine


def create(url: str, user_ids: range = range(1, 2)) -> None:
    """Create the baseline tables in the database at `url`, with users `user_ids`."""
    engine = engine_for(url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"id": i, "username": f"user{i}"} for i in user_ids])
    engine.dispose()


def sqlite_connect(path: str) -> sqlite3.Connection:
    """A raw sqlite3 connection with the pragmas, in autocommit mode (explicit BEGIN)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    return conn


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
