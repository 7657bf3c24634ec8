"""`guanxi explain`: what a user may do with an entity or one record, and why, rule by
rule with the file and line of each rule, in English or Chinese.

    guanxi explain PATH rita lead --db URL            the entity
    guanxi explain PATH rita lead 42 --db URL         one record
    guanxi explain PATH rita lead 42 --language zh    in Chinese
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from guanxi.accounts.users import find_user
from guanxi.cli.data import default_database_url
from guanxi.compile.app import compile_app
from guanxi.errors import GuanxiError
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

LANGUAGES = ("en", "zh")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `explain` sub-command."""
    parser = subparsers.add_parser(
        "explain", help="why a user may or may not see and change an entity or a record",
        description="Explain, rule by rule with the file and line of each, what USER may "
                    "do with ENTITY (or the record ID): read, change, delete, create, and "
                    "the fields hidden from them or read-only.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("user", metavar="USER", help="the username")
    parser.add_argument("entity", metavar="ENTITY", help="the entity")
    parser.add_argument("record", metavar="ID", nargs="?", help="a record's id")
    parser.add_argument("--db", metavar="URL",
                        help="database URL (default: guanxi.sqlite in the project directory)")
    parser.add_argument("--language", choices=LANGUAGES,
                        help="the language of the explanation (default: the user's)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        app = compile_app(load_project_or_raise(args.path))
        store = Store(app, args.db or default_database_url(args.path))
    except GuanxiError as error:
        print(f"guanxi: {error}", file=sys.stderr)
        return 1
    try:
        user = find_user(store.engine, args.user)
        if user is None:
            print(f"guanxi: no active user named '{args.user}'", file=sys.stderr)
            return 1
        if args.language:
            user = dataclasses.replace(user, language=args.language)
        lines = store.explain(user, args.entity, args.record, for_operator=True)
    except GuanxiError as error:
        print(f"guanxi: {error}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print("\n".join(lines))
    return 0
