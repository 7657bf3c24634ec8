"""The password policy applies wherever a password is set: long enough, not the username,
not a common password; refusals say why in English and Chinese."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from guanxi.accounts import passwords, users
from guanxi.cli.main import main
from guanxi.compile.tables import user_tables
from guanxi.data import demo as seed
from guanxi.store.database import create_engine

GOOD = "correct horse battery"


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    user_tables().metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("password", ["a", "short-pw", "123456789"])
def test_a_short_password_is_refused_when_adding_a_user(engine, password):
    with pytest.raises(users.WeakPassword, match="use at least 10"):
        users.add_user(engine, "alice", password, ["clerk"])
    assert users.list_users(engine, include_inactive=True) == []


@pytest.mark.parametrize("password", ["alicealice", "ALICE-2024-rocks", "my-name-is-alice"])
def test_a_password_containing_the_username_is_refused(engine, password):
    with pytest.raises(users.WeakPassword, match="contains the username"):
        users.add_user(engine, "alice", password, ["clerk"])


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "Sunshine2024!",
                                      "passwordpassword", "iloveyou123", "1qaz2wsx3edc"])
def test_a_common_password_is_refused(engine, password):
    with pytest.raises(users.WeakPassword, match="commonly used"):
        users.add_user(engine, "alice", password, ["clerk"])


def test_a_weak_new_password_is_refused_and_the_old_one_kept(engine):
    users.add_user(engine, "alice", GOOD, ["clerk"])
    with pytest.raises(users.WeakPassword):
        users.set_password(engine, "alice", "alice12345")
    assert users.authenticate(engine, "alice", GOOD) is not None


def test_the_refusal_is_explained_in_chinese_too():
    with pytest.raises(users.WeakPassword) as refused:
        users.check_password("abc", "alice")
    assert refused.value.message("zh") == (
        "密码只有 3 个字符；至少需要 10 个（几个词连在一起，既够长又好记）")
    assert "常用密码" in users.WeakPassword("password_common", {}).message("zh")


def test_a_short_username_is_refused_only_as_the_whole_password():
    assert passwords.problem("li", "li") is not None
    assert passwords.problem("likely-long-enough", "li") is None


def test_the_demo_password_passes_the_policy_for_every_demo_user():
    for username, *_ in seed.DEMO_USERS:
        assert passwords.problem(seed.PASSWORD, username) is None


def test_the_common_password_list_ships_with_the_package():
    listed = passwords.common_passwords()
    assert len(listed) > 3000
    assert "password" in listed and "qwerty123" in listed


FILES = {
    "guanxi.yaml": "project: shop\nroles:\n  clerk: {}\n",
}


@pytest.fixture
def migrated(write_project, sqlite_url: str) -> tuple[Path, str]:
    project = write_project(FILES)
    assert main(["migrate", str(project), "--db", sqlite_url]) == 0
    return project, sqlite_url


def run(monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(list(argv))


def test_users_add_on_the_command_line_refuses_a_weak_password(migrated, monkeypatch, capsys):
    project, url = migrated
    code = run(monkeypatch, "bob\n", "users", "add", "bob", "--role", "clerk",
               "--password-stdin", "--db", url, str(project))
    assert code == 1
    assert "use at least 10" in capsys.readouterr().err
    assert main(["users", "list", "--db", url, str(project)]) == 0
    assert "no users yet" in capsys.readouterr().out


def test_set_password_on_the_command_line_refuses_a_weak_password(migrated, monkeypatch,
                                                                   capsys):
    project, url = migrated
    run(monkeypatch, GOOD + "\n", "users", "add", "bob", "--role", "clerk",
        "--password-stdin", "--db", url, str(project))
    code = run(monkeypatch, "password123\n", "users", "set-password", "bob",
               "--password-stdin", "--db", url, "--project", str(project))
    assert code == 1
    assert "commonly used" in capsys.readouterr().err
