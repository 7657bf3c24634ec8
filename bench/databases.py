"""Empty databases for the cases: SQLite files in a temporary directory, or schemas in a
PostgreSQL database created for the run and dropped after it."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa


@dataclass
class Backend:
    """Where a case's databases live. `fresh_url(label)` gives a new, empty database."""

    name: str  # "sqlite" | "postgresql"
    workdir: Path
    server_url: str = ""
    _database_url: str = ""
    _counter: itertools.count = field(default_factory=itertools.count)
    _databases: list[str] = field(default_factory=list)

    @classmethod
    def sqlite(cls, workdir: Path) -> Backend:
        return cls("sqlite", workdir)

    @classmethod
    def postgresql(cls, workdir: Path, server_url: str) -> Backend:
        """Create a database for this run on the server at `server_url`."""
        name = f"guanxi_bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.engine.make_url(server_url).set(database=name)
        return cls("postgresql", workdir, server_url, url.render_as_string(hide_password=False))

    def fresh_url(self, label: str, own_database: bool = False) -> str:
        """A SQLAlchemy URL of a new, empty database: a file, or on PostgreSQL a schema first
        on the search path (or, with `own_database`, a database of its own, for tools that
        do not follow a search path)."""
        n = next(self._counter)
        if self.name == "sqlite":
            return f"sqlite:///{self.workdir / f'{label}-{n}.sqlite'}"
        if own_database:
            base = sa.engine.make_url(self._database_url).database
            name = f"{base}_{label.replace('-', '_')}_{n}"
            admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self._databases.append(name)
            url = sa.engine.make_url(self._database_url).set(database=name)
            return url.render_as_string(hide_password=False)
        schema = f"{label}_{n}_{uuid.uuid4().hex[:6]}"
        engine = sa.create_engine(self._database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url = sa.engine.make_url(self._database_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Drop the run's PostgreSQL databases (SQLite files go with the temp directory)."""
        if self.name != "postgresql":
            return
        names = [*self._databases, sa.engine.make_url(self._database_url).database]
        admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name AND pid <> pg_backend_pid()"),
                    {"name": name},
                )
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def sqlite_path(url: str) -> str:
    """The file of a `sqlite:///path` URL."""
    return sa.engine.make_url(url).database or ""


def search_path_schema(url: str) -> str | None:
    """The schema a PostgreSQL URL from `fresh_url` puts first on the search path."""
    options = sa.engine.make_url(url).query.get("options")
    if isinstance(options, tuple):
        options = options[0]
    if options and options.startswith("-csearch_path="):
        return options.removeprefix("-csearch_path=")
    return None


def psycopg_conninfo(url: str) -> str:
    """A libpq URI for psycopg.connect from a SQLAlchemy PostgreSQL URL."""
    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def django_database(url: str) -> dict[str, Any]:
    """Django's DATABASES["default"] for the same database as a SQLAlchemy URL."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": parsed.database,
            # The same journal settings Guanxi's SQLite store uses (see sqlite_settings).
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    options: dict[str, Any] = {}
    schema = search_path_schema(url)
    if schema:
        options["options"] = f"-c search_path={schema}"
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.database,
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.host or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
    }


def sqlite_settings(engine: sa.Engine) -> tuple[str, int]:
    """(journal_mode, synchronous) of a SQLite engine's connections, so that the baselines
    run with the same durability as Guanxi."""
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
    return str(mode), int(sync)
