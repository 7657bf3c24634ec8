"""User accounts and their roles, in the `gx_user` and `gx_user_role` tables.

Passwords are hashed with Argon2id (argon2-cffi) and never stored, returned or logged in
plain text. `authenticate` takes about as long for an unknown username as for a known
one (it verifies against a dummy hash), and re-hashes a password whose hash was made
with older parameters. Every new password must pass `guanxi.passwords.check`.

Changing a password or deactivating a user ends all of that user's sessions (rows of
`gx_session`, see `guanxi.sessions`) in the same transaction; `sign_out` ends them alone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from guanxi import messages
from guanxi.accounts import passwords
from guanxi.compile.tables import define_session_table, define_user_tables
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.spec import ProjectSpec
from guanxi.store.database import WRITE_OPTION

_METADATA = sa.MetaData()
USERS, USER_ROLES = define_user_tables(_METADATA)
SESSIONS = define_session_table(_METADATA)
USERNAME_MAX = 150

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that both cases cost the same."""
    return _hasher.hash("guanxi: no such user")


def _reading(engine: sa.Engine) -> sa.Connection:
    """A connection for reads only (on SQLite it does not take the write lock)."""
    return engine.connect().execution_options(**{WRITE_OPTION: False})


class UserError(GuanxiError, ValueError):
    """A user cannot be added or changed as asked; the message says why and what to do."""


class WeakPassword(UserError):
    """A new password fails the password policy (`guanxi.passwords`)."""

    def __init__(self, code: str, params: dict[str, object]) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        return messages.render(self.code, self.params, language)


def check_password(password: str, username: str) -> None:
    """Raise WeakPassword when `password` may not be the password of `username`."""
    found = passwords.problem(password, username)
    if found is not None:
        raise WeakPassword(*found)


def _check_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise UserError("a username cannot be empty")
    if len(name) > USERNAME_MAX:
        raise UserError(f"username '{name[:20]}…' is longer than {USERNAME_MAX} characters")
    if any(c.isspace() for c in name):
        raise UserError(f"username '{name}' contains spaces; use e.g. '{name.replace(' ', '.')}'")
    return name


def _check_roles(roles: Iterable[str], project: ProjectSpec | None) -> tuple[str, ...]:
    names = tuple(sorted(set(roles)))
    if project is not None:
        unknown = [r for r in names if project.role(r) is None]
        if unknown:
            known = ", ".join(sorted(r.name for r in project.roles)) or "none"
            raise UserError(
                f"unknown role(s) {', '.join(unknown)} in project {project.name}; "
                f"its roles are: {known}"
            )
    return names


def _user(conn: sa.Connection, row: sa.Row[Any]) -> User:
    roles = conn.execute(
        sa.select(USER_ROLES.c.role).where(USER_ROLES.c.user_id == row.id)
    ).scalars()
    return User(id=row.id, username=row.username, roles=frozenset(roles),
                language=row.language, display_name=row.display_name)


def _row_by_name(conn: sa.Connection, username: str) -> sa.Row[Any] | None:
    return conn.execute(sa.select(USERS).where(USERS.c.username == username)).first()


def _require(conn: sa.Connection, username: str) -> sa.Row[Any]:
    row = _row_by_name(conn, username.strip())
    if row is None:
        raise UserError(f"no user named '{username}'; `guanxi users list` shows them")
    return row


def _write_roles(conn: sa.Connection, user_id: int, roles: tuple[str, ...]) -> None:
    conn.execute(sa.delete(USER_ROLES).where(USER_ROLES.c.user_id == user_id))
    if roles:
        conn.execute(sa.insert(USER_ROLES), [{"user_id": user_id, "role": r} for r in roles])


def add_user(engine: sa.Engine, username: str, password: str, roles: Iterable[str],
             display_name: str = "", language: str = "en",
             project: ProjectSpec | None = None) -> User:
    """Create an active user with `roles` (checked against `project` when given)."""
    name = _check_username(username)
    check_password(password, name)
    role_names = _check_roles(roles, project)
    taken = UserError(f"a user named '{name}' already exists; choose another username "
                      "or change that user with `guanxi users set-role`")
    try:
        return _insert_user(engine, name, _hasher.hash(password), role_names, display_name,
                            language, taken)
    except sa.exc.IntegrityError:  # added by someone else at the same moment
        raise taken from None


# The stored hash of an account that has no password: no password ever matches it.
NO_PASSWORD = "!"


def add_account(engine: sa.Engine, username: str, roles: Iterable[str],
                language: str = "en") -> User:
    """An active user with `roles` and no password (it cannot sign in): the users of
    acceptance scenarios, which act through the Store only."""
    taken = UserError(f"a user named '{username}' already exists")
    return _insert_user(engine, username, NO_PASSWORD, tuple(roles), "", language, taken)


def _insert_user(engine: sa.Engine, name: str, password_hash: str, role_names: tuple[str, ...],
                 display_name: str, language: str, taken: UserError) -> User:
    with engine.begin() as conn:
        if _row_by_name(conn, name) is not None:
            raise taken
        user_id = conn.execute(
            sa.insert(USERS).values(
                username=name, display_name=display_name, language=language,
                password_hash=password_hash, active=True,
                created_at=dt.datetime.now(dt.UTC),
            ).returning(USERS.c.id)
        ).scalar_one()
        _write_roles(conn, user_id, role_names)
        return User(id=user_id, username=name, roles=frozenset(role_names),
                    language=language, display_name=display_name)


def list_users(engine: sa.Engine, include_inactive: bool = False) -> list[User]:
    """Users by username; deactivated ones only with `include_inactive`."""
    query = sa.select(USERS).order_by(USERS.c.username)
    if not include_inactive:
        query = query.where(USERS.c.active.is_(True))
    with _reading(engine) as conn:
        return [_user(conn, row) for row in conn.execute(query).all()]


def get_user(engine: sa.Engine, user_id: int) -> User | None:
    """The active user with this id, or None."""
    with _reading(engine) as conn:
        row = conn.execute(
            sa.select(USERS).where(USERS.c.id == user_id, USERS.c.active.is_(True))
        ).first()
        return _user(conn, row) if row is not None else None


def find_user(engine: sa.Engine, username: str) -> User | None:
    """The active user with this username, or None."""
    with _reading(engine) as conn:
        row = _row_by_name(conn, username.strip())
        return _user(conn, row) if row is not None and row.active else None


def set_roles(engine: sa.Engine, username: str, roles: Iterable[str],
              project: ProjectSpec | None = None) -> User:
    """Replace the user's roles (checked against `project` when given)."""
    role_names = _check_roles(roles, project)
    with engine.begin() as conn:
        row = _require(conn, username)
        _write_roles(conn, row.id, role_names)
        return _user(conn, row)


def _end_sessions(conn: sa.Connection, user_id: int) -> int:
    return conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.user_id == user_id)).rowcount


def set_password(engine: sa.Engine, username: str, password: str) -> None:
    """Give the user a new password (it must pass the password policy); every session of
    the user ends."""
    check_password(password, username.strip())
    password_hash = _hasher.hash(password)
    with engine.begin() as conn:
        row = _require(conn, username)
        conn.execute(sa.update(USERS).where(USERS.c.id == row.id)
                     .values(password_hash=password_hash))
        _end_sessions(conn, row.id)


def set_active(engine: sa.Engine, username: str, active: bool) -> None:
    """Deactivate (or reactivate) a user; a deactivated user cannot sign in, and their
    sessions end (reactivating does not bring them back)."""
    with engine.begin() as conn:
        row = _require(conn, username)
        conn.execute(sa.update(USERS).where(USERS.c.id == row.id).values(active=active))
        if not active:
            _end_sessions(conn, row.id)


def sign_out(engine: sa.Engine, username: str) -> int:
    """End every session of the user, in every server process at once ("sign out
    everywhere"); returns how many there were. API tokens are not affected."""
    with engine.begin() as conn:
        return _end_sessions(conn, _require(conn, username).id)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(engine: sa.Engine, username: str, password: str) -> User | None:
    """The user whose username and password these are, or None (unknown user, wrong
    password, deactivated account: the caller cannot tell which)."""
    with _reading(engine) as conn:
        row = _row_by_name(conn, username.strip())
    if row is None:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(row.password_hash, password) or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        renewed = _hasher.hash(password)
        with engine.begin() as conn:
            conn.execute(sa.update(USERS).where(USERS.c.id == row.id)
                         .values(password_hash=renewed))
    with _reading(engine) as conn:
        return _user(conn, row)
