"""`guanxi duplicates`: the likely duplicates of an entity, as clusters.

    guanxi duplicates PATH ENTITY [--db URL] [--as USER]
"""

from __future__ import annotations

import argparse

from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.cli.imports import acting_user
from guanxi.data.clusters import clusters
from guanxi.store.facade import Store


def _duplicates(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    store = Store(app, engine_for(args, args.path))
    try:
        user = acting_user(app, store.engine, args.as_user)
        found = clusters(store, user, args.entity)
    finally:
        store.dispose()
    for cluster in found:
        print("  ".join(f"{i} {t!r}" for i, t in zip(cluster.ids, cluster.titles)))
    print(f"{len(found)} cluster(s) of likely duplicates")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `duplicates`."""
    parser = subparsers.add_parser(
        "duplicates", help="list clusters of likely duplicate records",
        description="Group an entity's records into clusters of likely duplicates by its "
                    "duplicates: rules; merge them with the API or Store.merge.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("entity", metavar="ENTITY")
    db_option(parser)
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help="as this user sees the records (default: the operator)")
    parser.set_defaults(handler=guarded(_duplicates))
