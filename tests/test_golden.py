"""Golden files: the SQL Guanxi writes, compared with checked-in copies (as sqlite-utils
does), so that a change to it is seen in review.

- `guanxi ddl examples/acme` for SQLite and PostgreSQL: tests/golden/acme.<dialect>.sql
- the statements of a sales rep's list of leads (a row rule: `owner == current_user`),
  with their parameters, as run on each database: tests/golden/rita_leads.<dialect>.sql

When a change is meant, rewrite the files with `GUANXI_UPDATE_GOLDEN=1 pytest
tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import EXAMPLES
from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GUANXI_UPDATE_GOLDEN", "").lower() in {"1", "true", "yes"}
MOMENT = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def assert_golden(name: str, actual: str) -> None:
    """`actual` equals the golden file `name`; with GUANXI_UPDATE_GOLDEN=1 it becomes it."""
    path = GOLDEN / name
    actual = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path} did not exist and was written: review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile="now"))
        pytest.fail(f"the SQL differs from golden/{name} (GUANXI_UPDATE_GOLDEN=1 rewrites "
                    f"it when the change is meant):\n{diff}", pytrace=False)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_ddl_of_acme_matches_its_golden_file(dialect, capsys):
    assert main(["ddl", str(EXAMPLES / "acme"), "--dialect", dialect]) == 0
    assert_golden(f"acme.{dialect}.sql", capsys.readouterr().out)


@pytest.fixture
def acme_store(db_url: str) -> Iterator[Store]:
    app = compile_app(load_project_or_raise(EXAMPLES / "acme"))
    store = Store(app, db_url, clock=lambda: MOMENT)
    store.create_schema()
    yield store
    store.dispose()


def statements_of(engine: sa.Engine, run: Any) -> str:
    """The statements `run()` sends to the database, each with its parameters."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        seen.append(f"{statement.strip()};\n-- parameters: {parameters!r}\n")

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return "\n".join(seen)


def test_sql_of_a_list_with_a_row_rule_matches_its_golden_file(acme_store, db_url):
    rita = add_account(acme_store, "rita", ["sales_rep"])
    dialect = acme_store.engine.dialect.name
    sql = statements_of(acme_store.engine, lambda: acme_store.list(
        rita, "lead", filters={"source": "web"}, search="acme", sort=("-value",), limit=10))
    assert_golden(f"rita_leads.{dialect}.sql", sql)
