"""`guanxi recompute`: rebuild the roll-ups and stored computed fields of a database.

    guanxi recompute PATH [ENTITY] [--db URL]

Every roll-up is set from its aggregate over the records as they are (one UPDATE per
roll-up), every computed field is computed again, until nothing moves; prints, per
field, how many records held a different value. Run it after changing data outside the
Store, after adding a roll-up to a project with data, or daily for roll-ups whose
condition reads `today()`.
"""

from __future__ import annotations

import argparse

from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.store.facade import Store


def _recompute(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    store = Store(app, engine_for(args, args.path))
    try:
        counts = store.recompute(args.entity)
    finally:
        store.dispose()
    if not counts:
        print("nothing to recompute: no roll-ups or computed fields")
        return 0
    for name, changed in sorted(counts.items()):
        print(f"{name}: {changed} record{'' if changed == 1 else 's'} corrected")
    print(f"{sum(counts.values())} value{'' if sum(counts.values()) == 1 else 's'} corrected "
          f"in all")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `recompute`."""
    command = subparsers.add_parser(
        "recompute", help="rebuild the roll-ups and stored computed fields",
        description="Set every roll-up from the records as they are and compute every "
                    "computed field again, in one transaction; print what was corrected.")
    command.add_argument("path", metavar="PATH", help="the project directory")
    command.add_argument("entity", nargs="?", metavar="ENTITY",
                         help="only this entity's fields (default: every entity)")
    db_option(command)
    command.set_defaults(handler=guarded(_recompute))
