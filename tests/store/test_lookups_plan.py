"""The pipeline's per-batch look-ups are index probes on PostgreSQL whatever the
statistics: a table filled in the same transaction has none, and a large `IN` list
over it is planned as a sequential scan."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from guanxi.store.lookups import probe
from store_project import open_sales


@pytest.fixture
def sales(write_project, postgres_url):
    opened = open_sales(write_project, postgres_url)
    yield opened
    opened.store.dispose()


def plan(conn, query):
    compiled = query.compile(dialect=conn.dialect)
    return "\n".join(conn.exec_driver_sql("EXPLAIN " + compiled.string,
                                          compiled.params).scalars())


def test_a_unique_check_over_a_table_filled_in_this_transaction_probes_the_index(sales):
    table = sales.app.tables.entities["lead"]
    with sales.store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO lead (name, email, created_at, updated_at, version, state) "
            "SELECT 'n', 'u' || g || '@x.cn', now(), now(), 1, 'new' "
            "FROM generate_series(1, 200000) g"))
        keys = [(f"u{i}@x.cn",) for i in range(1000, 3000)]
        shown = plan(conn, probe(conn.dialect, table, ["email"], keys))
        conn.rollback()
    assert "Index Scan" in shown and "Seq Scan" not in shown, shown
