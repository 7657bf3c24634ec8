"""Sub-commands of `guanxi` (see cli.py) about the database: ddl, migrate, users.

Every command takes the project directory; the database is `--db URL`, by default the
SQLite file `guanxi.sqlite` inside the project directory.

    guanxi ddl PATH [--dialect sqlite|postgresql]
    guanxi migrate PATH [--db URL] [--plan] [--allow-data-loss]
                   [--accept-invalid [ENTITY[.FIELD] ...]]
    guanxi users add USERNAME --role R [--role R2 ...] [--password-stdin] [--db URL] [PATH]
    guanxi users list [--db URL] [PATH]
    guanxi users set-role USERNAME ROLE [ROLE ...] [--db URL] [--project PATH]
    guanxi users set-password USERNAME [--password-stdin] [--db URL] [--project PATH]
    guanxi users sign-out USERNAME [--db URL] [--project PATH]
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.compile.app import App, compile_app
from guanxi.compile.tables import SESSION_TABLE, USER_TABLE
from guanxi.errors import GuanxiError, ProjectInvalid
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import filling
from guanxi.migrate import plan as migrate
from guanxi.spec import ProjectSpec
from guanxi.store.database import create_engine
from guanxi.store.facade import Store

DATABASE_FILE = "guanxi.sqlite"
DIALECTS = ("sqlite", "postgresql")


def default_database_url(project: str | Path) -> str:
    """The database a project uses when no URL is given: `guanxi.sqlite` in its directory."""
    return f"sqlite:///{Path(project).resolve() / DATABASE_FILE}"


def fail(message: str) -> int:
    print(f"guanxi: {message}", file=sys.stderr)
    return 1


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Report the engine's errors as messages (exit status 1), not tracebacks."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ProjectInvalid as error:
            return fail(str(error))
        except GuanxiError as error:
            return fail(str(error))
        except sa.exc.OperationalError as error:
            return fail(f"cannot use the database: {error.orig}")
        except BrokenPipeError:  # `guanxi ddl … | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

    return run


def load_app(path: str) -> App:
    return compile_app(load_project_or_raise(path))


def engine_for(args: argparse.Namespace, project: str) -> sa.Engine:
    return create_engine(args.db or default_database_url(project))


def open_store(args: argparse.Namespace) -> Store:
    """The Store of project `args.path` over `--db` (or the project's SQLite file)."""
    return Store(load_app(args.path), args.db or default_database_url(args.path))


# ---------------------------------------------------------------- ddl


def _ddl(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    statements: list[str] = []

    def collect(sql: Any, *_: Any, **__: Any) -> None:
        statements.append(str(sql.compile(dialect=mock.dialect)).strip())

    mock = sa.create_mock_engine(f"{args.dialect}://", collect)
    app.tables.metadata.create_all(mock, checkfirst=False)
    print(f"-- {app.spec.name}: {len(app.tables.metadata.tables)} tables for {args.dialect}")
    for statement in _in_stable_order(statements):
        print(statement + ";\n")
    return 0


def _in_stable_order(statements: list[str]) -> list[str]:
    """The statements, with each run of index creations and of added constraints sorted:
    SQLAlchemy keeps a table's indexes, and the foreign keys of tables that refer to each
    other, in sets, so their order would change from run to run."""
    ordered: list[str] = []
    run: list[str] = []
    for statement in statements:
        if run and _sortable_kind(statement) != _sortable_kind(run[0]):
            ordered += sorted(run)
            run = []
        if _sortable_kind(statement):
            run.append(statement)
        else:
            ordered.append(statement)
    return ordered + sorted(run)


def _sortable_kind(statement: str) -> str:
    if statement.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
        return "index"
    return "constraint" if statement.startswith("ALTER TABLE") else ""


# ---------------------------------------------------------------- migrate


def _migrate(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    engine = engine_for(args, args.path)
    try:
        migration = migrate.plan(app, engine)
        print("\n".join(migration.describe()))
        if not migration.steps:
            return 0
        accept = _accepted(args.accept_invalid)
        refusal = migration.refusal(args.allow_data_loss, accept)
        if args.plan:
            # A plan that would be refused says so, and fails, so scripts can tell.
            return fail(refusal) if refusal else 0
        if refusal:
            return fail(refusal)
        count = migrate.apply(migration, engine, allow_data_loss=args.allow_data_loss,
                              accept_invalid=accept)
        print(f"applied {count} step(s)")
        for name, filled in sorted(filling.fill(app, engine, migration).items()):
            print(f"filled {name}: {filled} record(s)")
        return 0
    finally:
        engine.dispose()


def _accepted(names: list[str] | None) -> migrate.Accept:
    """--accept-invalid alone accepts every broken rule; with names, those named."""
    if names is None:
        return False
    return True if not names else frozenset(names)


# ---------------------------------------------------------------- users


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise users.UserError("no terminal to ask for the password on; "
                              "pipe it in with --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise users.UserError("the two passwords differ; nothing was changed")
    return first


def _users_project(args: argparse.Namespace) -> tuple[str, ProjectSpec]:
    path = getattr(args, "path", None) or args.project
    return path, load_project_or_raise(path)


def _users_engine(args: argparse.Namespace, path: str) -> sa.Engine:
    engine = engine_for(args, path)
    inspector = sa.inspect(engine)
    if not inspector.has_table(USER_TABLE):
        engine.dispose()
        raise GuanxiError(f"the database has no user table yet; run `guanxi migrate {path}` "
                          "first")
    if not inspector.has_table(SESSION_TABLE):
        engine.dispose()
        raise GuanxiError(f"the database has no session table yet (it was made by an older "
                          f"Guanxi); run `guanxi migrate {path}` first")
    return engine


def _users_add(args: argparse.Namespace) -> int:
    path, project = _users_project(args)
    password = _read_password(args)
    engine = _users_engine(args, path)
    try:
        user = users.add_user(engine, args.username, password, args.role,
                              display_name=args.display_name, language=args.language,
                              project=project)
    finally:
        engine.dispose()
    print(f"added user {user.username} (id {user.id}) with roles "
          f"{', '.join(sorted(user.roles)) or 'none'}")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    path, _ = _users_project(args)
    engine = _users_engine(args, path)
    try:
        listed = users.list_users(engine, include_inactive=args.all)
    finally:
        engine.dispose()
    if not listed:
        print("no users yet; add one with `guanxi users add USERNAME --role ROLE`")
        return 0
    width = max(len(u.username) for u in listed)
    for user in listed:
        roles = ", ".join(sorted(user.roles)) or "(no roles)"
        name = f"  {user.display_name}" if user.display_name else ""
        print(f"{user.username:<{width}}  {roles}{name}")
    return 0


def _users_set_role(args: argparse.Namespace) -> int:
    path, project = _users_project(args)
    engine = _users_engine(args, path)
    try:
        user = users.set_roles(engine, args.username, args.roles, project=project)
    finally:
        engine.dispose()
    print(f"user {user.username} now has roles {', '.join(sorted(user.roles)) or 'none'}")
    return 0


def _users_set_password(args: argparse.Namespace) -> int:
    path, _ = _users_project(args)
    password = _read_password(args)
    engine = _users_engine(args, path)
    try:
        users.set_password(engine, args.username, password)
    finally:
        engine.dispose()
    print(f"password of {args.username} changed; their sessions have ended")
    return 0


def _users_sign_out(args: argparse.Namespace) -> int:
    path, _ = _users_project(args)
    engine = _users_engine(args, path)
    try:
        ended = users.sign_out(engine, args.username)
    finally:
        engine.dispose()
    print(f"signed {args.username} out everywhere ({ended} session(s) ended; "
          "API tokens are unchanged, see `guanxi tokens`)")
    return 0


# ---------------------------------------------------------------- registration


class _IntermixedParser(argparse.ArgumentParser):
    """Lets an optional positional follow options (`users add bob --role r PATH`), which
    plain argparse refuses once an earlier positional has been read."""

    _inside = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False



def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help=f"database URL (default: sqlite file {DATABASE_FILE} in the "
                             "project directory)")


def _project_option(parser: argparse.ArgumentParser, positional: bool) -> None:
    if positional:
        parser.add_argument("path", nargs="?", metavar="PATH",
                            help="the project directory (default: --project or .)")
    parser.add_argument("--project", default=".", metavar="PATH",
                        help="the project directory (default: the current directory)")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input "
                             "instead of asking for it")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ddl`, `migrate` and `users`."""
    ddl = subparsers.add_parser("ddl", help="print the SQL that creates the project's tables")
    ddl.add_argument("path", metavar="PATH", help="the project directory")
    ddl.add_argument("--dialect", choices=DIALECTS, default="sqlite",
                     help="the database the SQL is for (default: sqlite)")
    ddl.set_defaults(handler=guarded(_ddl))

    mig = subparsers.add_parser(
        "migrate", help="create or change the database's tables to match the project",
        description="Compare the database with the project and apply the difference. "
                    "Steps that would lose data are refused unless --allow-data-loss.")
    mig.add_argument("path", metavar="PATH", help="the project directory")
    db_option(mig)
    mig.add_argument("--plan", action="store_true",
                     help="only show what would be done; change nothing")
    mig.add_argument("--allow-data-loss", action="store_true",
                     help="apply steps that drop columns or tables or narrow types")
    mig.add_argument("--accept-invalid", nargs="*", metavar="ENTITY[.FIELD]",
                     help="apply although stored rows break a new or tighter rule (all "
                          "such rules, or those of the entities and fields named); the "
                          "rows stay and are refused on their next edit until corrected")
    mig.set_defaults(handler=guarded(_migrate))

    group = subparsers.add_parser("users", help="manage user accounts and their roles")
    commands = group.add_subparsers(dest="users_command", metavar="COMMAND", required=True,
                                    parser_class=_IntermixedParser)

    add = commands.add_parser("add", help="add a user")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", action="append", default=[], metavar="ROLE", required=True,
                     help="a role of the project (repeat for several)")
    add.add_argument("--display-name", default="", metavar="NAME")
    add.add_argument("--language", default="en", metavar="LANG")
    _password_option(add)
    db_option(add)
    _project_option(add, positional=True)
    add.set_defaults(handler=guarded(_users_add))

    listing = commands.add_parser("list", help="list the users and their roles")
    listing.add_argument("--all", action="store_true", help="include deactivated users")
    db_option(listing)
    _project_option(listing, positional=True)
    listing.set_defaults(handler=guarded(_users_list))

    set_role = commands.add_parser("set-role", help="replace a user's roles")
    set_role.add_argument("username", metavar="USERNAME")
    set_role.add_argument("roles", nargs="+", metavar="ROLE")
    db_option(set_role)
    _project_option(set_role, positional=False)
    set_role.set_defaults(handler=guarded(_users_set_role))

    set_password = commands.add_parser("set-password", help="give a user a new password")
    set_password.add_argument("username", metavar="USERNAME")
    _password_option(set_password)
    db_option(set_password)
    _project_option(set_password, positional=False)
    set_password.set_defaults(handler=guarded(_users_set_password))

    sign_out = commands.add_parser(
        "sign-out", help="end all of a user's sessions at once (sign out everywhere)",
        description="End every signed-in session of the user, in every server process; "
                    "they must sign in again. API tokens are not affected.")
    sign_out.add_argument("username", metavar="USERNAME")
    db_option(sign_out)
    _project_option(sign_out, positional=False)
    sign_out.set_defaults(handler=guarded(_users_sign_out))
