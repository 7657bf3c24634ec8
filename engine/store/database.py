"""Connecting to the database a URL names: SQLite (the embedded default) or PostgreSQL.

SQLite is set up for many concurrent users of one file: WAL journal (readers never wait
for the writer), enforced foreign keys, a busy timeout, and write transactions that take
the write lock up front (`BEGIN IMMEDIATE`), so concurrent writers queue instead of
failing half-way with "database is locked". PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import sqlalchemy as sa
from guanxi.errors import GuanxiError
from guanxi.expr.dates import local_text

# Execution option a Connection carries when its next transaction will write.
WRITE_OPTION = "guanxi_write"
BUSY_TIMEOUT_MS = 30_000


URL_HELP = ("use sqlite:///path/to/file.sqlite or "
            "postgresql://user@host:5432/database (请使用 sqlite:/// 或 postgresql:// 地址)")


def normalize_url(url: str | sa.URL) -> sa.URL:
    """The URL with PostgreSQL pinned to psycopg 3 (`postgresql://` means psycopg here).
    A URL Guanxi cannot use is a GuanxiError with one line saying what to do."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise GuanxiError(f"{url!s} is not a database URL; {URL_HELP}",
                          code="database_url") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise GuanxiError(f"unsupported database URL scheme '{parsed.drivername}'; "
                          f"{URL_HELP}", code="database_url")
    if parsed.drivername == "postgresql+psycopg" and importlib.util.find_spec("psycopg") is None:
        raise GuanxiError("PostgreSQL needs the psycopg driver: pip install 'guanxi[postgres]' "
                          "(PostgreSQL 需要 psycopg 驱动)", code="database_url")
    return parsed


def _setup_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        # Date parts of moments in the project's time zone (guanxi.expr.dates).
        dbapi_connection.create_function("gx_local", 2, local_text, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        writing = connection.get_execution_options().get(WRITE_OPTION, True)
        # Straight to the driver: this runs for every transaction, and SQLAlchemy's own
        # statement machinery would cost more than the BEGIN itself.
        driver = connection.connection.driver_connection
        assert driver is not None, "a transaction begins on an open connection"
        driver.execute("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_engine(url: str | sa.URL, **options: Any) -> sa.Engine:
    """An Engine for `url`. SQLite files get WAL, foreign keys, a busy timeout and
    `BEGIN IMMEDIATE` for writes (transactions are writes unless the connection carries
    `execution_options(guanxi_write=False)`); `postgresql://` uses psycopg 3."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(options.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        engine = sa.create_engine(parsed, connect_args=connect_args, **options)
        _setup_sqlite(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **options)
