"""User accounts: adding, listing, roles, passwords and authentication, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from guanxi.accounts import users
from guanxi.compile.tables import user_tables
from guanxi.spec import NOWHERE, ProjectSpec, RoleSpec
from guanxi.store.database import create_engine

PROJECT = ProjectSpec(
    name="shop", root="", loc=NOWHERE,
    roles=(RoleSpec("clerk", NOWHERE), RoleSpec("boss", NOWHERE, includes=("clerk",))),
)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    user_tables().metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored_hash(engine: sa.Engine, username: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(users.USERS.c.password_hash).where(users.USERS.c.username == username)
        ).scalar_one()


def test_added_user_is_returned_with_its_roles(engine: sa.Engine) -> None:
    user = users.add_user(engine, "alice", "s3cret pass", ["clerk"], display_name="Alice Wu")
    assert user.username == "alice"
    assert user.roles == frozenset({"clerk"})
    assert user.name == "Alice Wu"
    assert users.get_user(engine, user.id) == user


def test_password_is_stored_only_as_an_argon2_hash(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    stored = stored_hash(engine, "alice")
    assert "s3cret" not in stored
    assert stored.startswith("$argon2id$")


def test_authenticate_accepts_the_right_password(engine: sa.Engine) -> None:
    added = users.add_user(engine, "alice", "s3cret pass", ["clerk", "boss"])
    assert users.authenticate(engine, "alice", "s3cret pass") == added


def test_authenticate_refuses_a_wrong_password(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    assert users.authenticate(engine, "alice", "S3cret pass") is None


def test_authenticate_refuses_an_unknown_user(engine: sa.Engine) -> None:
    assert users.authenticate(engine, "nobody", "whatever") is None


def test_deactivated_user_cannot_sign_in_or_be_loaded(engine: sa.Engine) -> None:
    user = users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    users.set_active(engine, "alice", False)
    assert users.authenticate(engine, "alice", "s3cret pass") is None
    assert users.get_user(engine, user.id) is None
    assert users.list_users(engine) == []
    assert [u.username for u in users.list_users(engine, include_inactive=True)] == ["alice"]


def test_set_password_replaces_the_old_one(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "old password", ["clerk"])
    users.set_password(engine, "alice", "new password")
    assert users.authenticate(engine, "alice", "old password") is None
    assert users.authenticate(engine, "alice", "new password") is not None


def test_hash_made_with_older_parameters_is_rehashed_on_sign_in(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("s3cret pass")
    with engine.begin() as conn:
        conn.execute(sa.update(users.USERS).values(password_hash=weak))
    assert users.authenticate(engine, "alice", "s3cret pass") is not None
    renewed = stored_hash(engine, "alice")
    assert renewed != weak
    assert not PasswordHasher().check_needs_rehash(renewed)


def test_list_users_is_sorted_by_username(engine: sa.Engine) -> None:
    users.add_user(engine, "zoe", "zebra-crossing-1", ["clerk"])
    users.add_user(engine, "adam", "apple-orchard-2", ["boss"])
    assert [u.username for u in users.list_users(engine)] == ["adam", "zoe"]


def test_set_roles_replaces_the_roles(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    changed = users.set_roles(engine, "alice", ["boss"], project=PROJECT)
    assert changed.roles == frozenset({"boss"})
    assert users.find_user(engine, "alice").roles == frozenset({"boss"})


def test_roles_are_checked_against_the_project(engine: sa.Engine) -> None:
    with pytest.raises(users.UserError, match=r"unknown role\(s\) clark .*boss, clerk"):
        users.add_user(engine, "alice", "s3cret pass", ["clark"], project=PROJECT)
    assert users.list_users(engine) == []


def test_duplicate_username_is_refused(engine: sa.Engine) -> None:
    users.add_user(engine, "alice", "s3cret pass", ["clerk"])
    with pytest.raises(users.UserError, match="already exists"):
        users.add_user(engine, "alice", "other pass", ["boss"])


def test_empty_password_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(users.UserError, match="password cannot be empty"):
        users.add_user(engine, "alice", "", ["clerk"])


def test_changing_an_unknown_user_says_so(engine: sa.Engine) -> None:
    with pytest.raises(users.UserError, match="no user named 'ghost'"):
        users.set_roles(engine, "ghost", ["clerk"])
