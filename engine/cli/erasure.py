"""`guanxi erase`: the right to be forgotten, from the command line.

    guanxi erase PATH ENTITY ID [--db URL] [--as USER]
"""

from __future__ import annotations

import argparse

from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.cli.imports import acting_user
from guanxi.store.facade import Store


def _erase(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    store = Store(app, engine_for(args, args.path))
    try:
        user = acting_user(app, store.engine, args.as_user)
        erased = store.erase(user, args.entity, args.id)
    finally:
        store.dispose()
    if erased:
        print(f"erased {', '.join(erased)} of {args.entity} {args.id}, in the record, its "
              "history and its events")
    else:
        print(f"{args.entity} {args.id} holds no sensitive values; its history and events "
              "hold none any more")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `erase`."""
    parser = subparsers.add_parser(
        "erase", help="anonymize a record's sensitive fields (the right to be forgotten)",
        description="Erase the values of a record's sensitive fields, in the record and in "
                    "the old values of its history and events; an 'erase' entry records "
                    "which fields were erased, without their values.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("entity", metavar="ENTITY")
    parser.add_argument("id", metavar="ID")
    db_option(parser)
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help="act as this administrator (default: the operator)")
    parser.set_defaults(handler=guarded(_erase))
