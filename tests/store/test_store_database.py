"""How the Store connects: SQLite set up for concurrent use, PostgreSQL through psycopg 3."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from guanxi.store.database import WRITE_OPTION, create_engine, normalize_url


def test_plain_postgresql_urls_use_psycopg_3():
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.sqlite").drivername == "sqlite"


def test_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_sqlite_enforces_foreign_keys(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                             "parent INTEGER REFERENCES parent(id))")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO child (id, parent) VALUES (1, 42)")
        raise AssertionError("a dangling reference was accepted")
    except sa.exc.IntegrityError:
        pass
    finally:
        engine.dispose()


def test_sqlite_writers_wait_for_each_other_instead_of_failing(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")

    def bump() -> None:
        for _ in range(20):
            with engine.begin() as conn:
                n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
                conn.exec_driver_sql(f"UPDATE counter SET n = {n + 1}")

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 80
    engine.dispose()


def test_sqlite_reads_do_not_take_the_write_lock(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    with engine.connect() as writer, engine.connect() as reader, writer.begin():
        writer.exec_driver_sql("INSERT INTO t VALUES (1)")
        reader.execution_options(**{WRITE_OPTION: False})
        with reader.begin():
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    engine.dispose()
