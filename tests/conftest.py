"""Shared fixtures: real databases (SQLite files, PostgreSQL) and real projects from YAML.

Database-touching tests take the `db_url` fixture and run once per backend:
- `sqlite`: a fresh file in `tmp_path`;
- `postgresql`: a fresh schema in a database created for this test session, when
  `GUANXI_TEST_POSTGRES_URL` names a server (e.g.
  `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`). Without it the PostgreSQL runs
  are skipped on a developer's machine, and are an error in CI (`CI=true`).
"""

from __future__ import annotations

import os
import shutil
import textwrap
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("GUANXI_TEST_POSTGRES_URL", "")
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def require_or_skip(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where every part must be present."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------- PostgreSQL database


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database created for this test session and dropped after it."""
    if not POSTGRES_URL:
        require_or_skip("GUANXI_TEST_POSTGRES_URL is not set (no PostgreSQL to test on)")
    import sqlalchemy as sa

    name = f"guanxi_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        require_or_skip(f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}")
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def fresh_postgres_schema(database_url: str) -> str:
    """A new, empty schema in the session's database; the URL puts it first on the path."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = sa.engine.make_url(database_url).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'guanxi.sqlite'}"
    return fresh_postgres_schema(request.getfixturevalue("postgres_database"))


@pytest.fixture(params=["postgresql"])
def postgres_url(request: pytest.FixtureRequest) -> str:
    """An empty PostgreSQL schema, for tests about PostgreSQL alone (its planner)."""
    return fresh_postgres_schema(request.getfixturevalue("postgres_database"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file, for tests about SQLite alone."""
    return f"sqlite:///{tmp_path / 'guanxi.sqlite'}"


# ---------------------------------------------------------------- projects from YAML


@pytest.fixture
def write_project(tmp_path: Path):
    """Write a project from a mapping of relative path -> YAML text; return its directory.

    Text is dedented, so tests can indent YAML inside triple-quoted strings.
    """

    def write(files: dict[str, str], name: str = "project") -> Path:
        root = tmp_path / name
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def acme_copy(tmp_path: Path) -> Path:
    """A private copy of examples/acme that a test may edit."""
    target = tmp_path / "acme"
    shutil.copytree(EXAMPLES / "acme", target)
    return target


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, which the browser tests drive through Playwright."""
    for candidate in (os.environ.get("GUANXI_CHROMIUM", ""), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    require_or_skip("Chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One Chromium for a module's browser tests. Each test opens its own page (a new
    context: no cookies or storage shared with the other tests)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------- report per backend

_outcomes: Counter[tuple[str, str]] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    backend = "postgresql" if "[postgresql" in report.nodeid else (
        "sqlite" if "[sqlite" in report.nodeid else "no database"
    )
    _outcomes[(backend, report.outcome)] += 1


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _outcomes:
        return
    terminalreporter.section("tests per database backend")
    for backend in ("sqlite", "postgresql", "no database"):
        counts = {o: n for (b, o), n in _outcomes.items() if b == backend}
        if counts:
            parts = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
            terminalreporter.write_line(f"{backend:12} {parts}")
