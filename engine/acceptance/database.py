"""Throwaway databases for scenarios: a SQLite file in a temporary directory, or a fresh
schema in a PostgreSQL database, dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from guanxi.store.database import create_engine, normalize_url


@contextmanager
def throwaway_database(url: str | None = None) -> Iterator[str]:
    """The URL of an empty database that is gone when the block ends. Without `url`, or
    with a SQLite one, a new SQLite file; with a PostgreSQL URL, a new schema there."""
    if url is None or normalize_url(url).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="guanxi-scenario-") as folder:
            yield f"sqlite:///{Path(folder) / 'scenario.sqlite'}"
        return
    schema = f"gx_scenario_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        scoped = normalize_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
