"""`guanxi report`: run a report of the project's insight/*.yaml against a database.

    guanxi report PATH NAME [--db URL] [--param k=v ...] [--as USERNAME]
                  [--format table|json|csv]

The report runs as the user named by `--as` (her roles and row rules apply), by
default as an administrator of the project (every role marked `admin: true`).
"""

from __future__ import annotations

import argparse
import json

from guanxi.accounts import users
from guanxi.cli.data import db_option, default_database_url, guarded, load_app
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.insight import plug
from guanxi.insight.running import run_report
from guanxi.spec import ProjectSpec
from guanxi.store.facade import Store

plug.install()

FORMATS = ("table", "json", "csv")


def administrator(spec: ProjectSpec) -> User:
    """The actor of a report run without --as: every administrator role of the project."""
    roles = frozenset(r.name for r in spec.roles if r.admin)
    if not roles:
        raise GuanxiError("the project has no administrator role; name a user with --as")
    return User(id=0, username="admin", roles=roles, display_name="Administrator")


def parameters(pairs: list[str]) -> dict[str, str]:
    """`--param k=v` pairs as a mapping; GuanxiError for a pair without '='."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise GuanxiError(f"--param {pair!r} is not NAME=VALUE")
        found[name.strip()] = value
    return found


def _report(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    store = Store(app, args.db or default_database_url(args.path))
    try:
        if args.as_user:
            user = users.find_user(store.engine, args.as_user)
            if user is None:
                raise GuanxiError(f"no active user named '{args.as_user}'")
        else:
            user = administrator(app.spec)
        result = run_report(store, user, args.name, parameters(args.param))
    finally:
        store.dispose()
    if args.format == "json":
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        print(result.csv(), end="")
    else:
        print(result.text_table(), end="")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report", help="run a report of the project's insight/*.yaml",
        description="Run report NAME of the project at PATH against its database, as a "
                    "user (--as) or as an administrator, and print it.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("name", metavar="NAME", help="the report's name")
    db_option(parser)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the report (repeatable)")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                        help="run as this user (default: an administrator)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table (default), json or csv")
    parser.set_defaults(handler=guarded(_report))
