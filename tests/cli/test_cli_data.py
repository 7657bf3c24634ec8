"""The database commands: `guanxi ddl`, `guanxi migrate` and `guanxi users`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.cli.main import main
from guanxi.store.database import create_engine

FILES = {
    "guanxi.yaml": """
        project: shop
        roles:
          clerk: {}
          boss: {includes: [clerk]}
        """,
    "entities/customer.yaml": """
        customer:
          fields:
            name: {type: string, required: true}
            email: {type: email, unique: true}
            tags: {type: tags, options: [a, b]}
            parent: {type: reference, to: customer}
          access:
            clerk: {create: all, read: all, update: all}
        """,
}


@pytest.fixture
def project(write_project) -> Path:
    return write_project(FILES)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def run_with_stdin(monkeypatch: pytest.MonkeyPatch, text: str, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    return main(list(argv))


# ---------------------------------------------------------------- ddl


def test_ddl_prints_create_statements_for_sqlite(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ddl", str(project)]) == 0
    out = capsys.readouterr().out
    assert "CREATE TABLE customer (" in out
    assert "CREATE TABLE gx_user (" in out
    assert "CREATE UNIQUE INDEX uq_customer_email ON customer (email);" in out


def test_ddl_speaks_the_chosen_dialect(project: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ddl", str(project), "--dialect", "postgresql"]) == 0
    out = capsys.readouterr().out
    assert "JSONB" in out
    assert "SERIAL" in out


def test_ddl_of_an_invalid_project_reports_the_errors(write_project,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    broken = write_project({"guanxi.yaml": "project: [unclosed\n"}, name="broken")
    assert main(["ddl", str(broken)]) == 1
    assert "guanxi.yaml:" in capsys.readouterr().err


# ---------------------------------------------------------------- migrate


def test_migrate_creates_the_tables(project: Path, db_url: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(project), "--db", db_url]) == 0
    assert "create table customer" in capsys.readouterr().out
    assert {"customer", "gx_user", "gx_user_role", "gx_history"} <= tables(db_url)


def test_migrate_plan_changes_nothing(project: Path, db_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(project), "--db", db_url, "--plan"]) == 0
    assert "1. create table" in capsys.readouterr().out
    assert tables(db_url) == set()


def test_migrate_twice_has_nothing_left_to_do(project: Path, db_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    main(["migrate", str(project), "--db", db_url])
    capsys.readouterr()
    assert main(["migrate", str(project), "--db", db_url]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_migrate_uses_guanxi_sqlite_in_the_project_by_default(project: Path) -> None:
    assert main(["migrate", str(project)]) == 0
    assert "customer" in tables(f"sqlite:///{project / 'guanxi.sqlite'}")


def test_migrate_refuses_to_lose_data_without_the_flag(project: Path, sqlite_url: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    main(["migrate", str(project), "--db", sqlite_url])
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO customer (name, email, created_at, updated_at, version) "
            "VALUES ('Ada', 'ada@example.com', '2026-11-22 09:00:00', '2026-11-22 09:00:00', 1)"))
    engine.dispose()
    (project / "entities/customer.yaml").write_text(
        (project / "entities/customer.yaml").read_text().replace(
            "email: {type: email, unique: true}", ""))
    capsys.readouterr()
    assert main(["migrate", str(project), "--db", sqlite_url]) == 1
    captured = capsys.readouterr()
    assert "dropping column customer.email would lose 1 value(s)" in captured.err
    assert "--allow-data-loss" in captured.err
    assert main(["migrate", str(project), "--db", sqlite_url, "--allow-data-loss"]) == 0
    assert "applied" in capsys.readouterr().out


# ---------------------------------------------------------------- users


@pytest.fixture
def migrated(project: Path, sqlite_url: str) -> str:
    assert main(["migrate", str(project), "--db", sqlite_url]) == 0
    return sqlite_url


def test_users_add_with_password_on_stdin(project: Path, migrated: str,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = run_with_stdin(monkeypatch, "s3cret pass\n", "users", "add", "alice", "--role",
                          "clerk", "--role", "boss", "--password-stdin", "--db", migrated,
                          str(project))
    assert code == 0
    assert "added user alice" in capsys.readouterr().out
    engine = create_engine(migrated)
    try:
        user = users.authenticate(engine, "alice", "s3cret pass")
    finally:
        engine.dispose()
    assert user is not None and user.roles == {"clerk", "boss"}


def test_users_add_refuses_an_unknown_role(project: Path, migrated: str,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = run_with_stdin(monkeypatch, "pw-1234567890\n", "users", "add", "alice", "--role",
                          "cashier", "--password-stdin", "--db", migrated, str(project))
    assert code == 1
    assert "unknown role(s) cashier" in capsys.readouterr().err


def test_users_add_without_a_terminal_asks_for_password_stdin(
        project: Path, migrated: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = run_with_stdin(monkeypatch, "", "users", "add", "alice", "--role", "clerk",
                          "--db", migrated, str(project))
    assert code == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_users_list_shows_usernames_and_roles(project: Path, migrated: str,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    run_with_stdin(monkeypatch, "pw-1234567890\n", "users", "add", "bob", "--role", "boss",
                   "--password-stdin", "--db", migrated, str(project))
    capsys.readouterr()
    assert main(["users", "list", "--db", migrated, str(project)]) == 0
    assert capsys.readouterr().out.split() == ["bob", "boss"]


def test_users_set_role_replaces_the_roles(project: Path, migrated: str,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    run_with_stdin(monkeypatch, "pw-1234567890\n", "users", "add", "bob", "--role", "clerk",
                   "--password-stdin", "--db", migrated, str(project))
    code = main(["users", "set-role", "bob", "boss", "--db", migrated,
                 "--project", str(project)])
    assert code == 0
    assert "user bob now has roles boss" in capsys.readouterr().out


def test_users_commands_before_migrate_say_to_migrate(project: Path, sqlite_url: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "list", "--db", sqlite_url, str(project)]) == 1
    assert "run `guanxi migrate" in capsys.readouterr().err


def test_users_set_password_from_stdin(project: Path, migrated: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run_with_stdin(monkeypatch, "first-pass\n", "users", "add", "bob", "--role", "clerk",
                   "--password-stdin", "--db", migrated, str(project))
    code = run_with_stdin(monkeypatch, "second-pass\n", "users", "set-password", "bob",
                          "--password-stdin", "--db", migrated, "--project", str(project))
    assert code == 0
    engine = create_engine(migrated)
    try:
        assert users.authenticate(engine, "bob", "first-pass") is None
        assert users.authenticate(engine, "bob", "second-pass") is not None
    finally:
        engine.dispose()
