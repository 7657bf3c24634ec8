"""`guanxi reindex`: build the search index again from the records.

    guanxi reindex PATH [--db URL]

The index (`gx_search`) follows the change events by itself: before every search and in
each pass of the worker. Rebuild it after changing data outside the Store, or to make it
on a large database before the first search does.
"""

from __future__ import annotations

import argparse

from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.workspace import plug, searchindex

# `guanxi worker` (and the server's worker) keep the index current in each pass.
plug.install()


def _reindex(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    engine = engine_for(args, args.path)
    try:
        made = searchindex.rebuild(engine, app)
        how = searchindex.mode(engine)
    finally:
        engine.dispose()
    print(f"search index rebuilt: {made} row{'' if made == 1 else 's'} ({how})")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `reindex`."""
    command = subparsers.add_parser(
        "reindex", help="build the search index again from the records",
        description="Index every record again for the search box (/search), a batch "
                    "of records per transaction; the index then follows the change events "
                    "as before.")
    command.add_argument("path", metavar="PATH", help="the project directory")
    db_option(command)
    command.set_defaults(handler=guarded(_reindex))
