"""`guanxi export`: a list of records as CSV or XLSX, as a user sees it.

    guanxi export PATH ENTITY [--db URL] [--format csv|xlsx] [--output FILE] [--as USER]
                  [--where EXPR] [--filter FIELD=VALUE ...] [--q TEXT] [--sort F,-G]
                  [--columns A,B]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.cli.imports import acting_user
from guanxi.data.export import FORMATS, csv_chunks, export, xlsx_bytes
from guanxi.errors import GuanxiError
from guanxi.store.facade import Store
from guanxi.store.filters import FilterError, FilterScope, as_mapping, parse_filters


def _export(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    compiled = app.entity(args.entity)
    store = Store(app, engine_for(args, args.path))
    try:
        user = acting_user(app, store.engine, args.as_user)
        pairs = []
        for item in args.filter:
            name, sep, value = item.partition("=")
            if not sep:
                raise GuanxiError(f"--filter takes FIELD=VALUE, not {item!r}")
            pairs.append((name, value))
        states = [s.name for s in compiled.machine.spec.states] if compiled.machine else []
        scope = FilterScope.of(compiled.spec, compiled.policy.visible_fields(user), states)
        try:
            filters = as_mapping(parse_filters(pairs, scope))
        except FilterError as error:
            raise GuanxiError(error.message) from None
        columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
        sort = [s.strip() for s in args.sort.split(",") if s.strip()] or ["id"]
        exported = export(store, user, args.entity, columns=columns, where=args.where,
                          filters=filters or None, search=args.q, sort=sort)
        fmt = args.format or (Path(args.output).suffix.lstrip(".").lower()
                              if args.output else "csv")
        if fmt not in FORMATS:
            raise GuanxiError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if args.output:
            with open(args.output, "wb") as handle:
                if fmt == "xlsx":
                    handle.write(xlsx_bytes(exported))
                else:
                    for chunk in csv_chunks(exported):
                        handle.write(chunk)
        elif fmt == "xlsx":
            sys.stdout.buffer.write(xlsx_bytes(exported))
        else:
            for chunk in csv_chunks(exported):
                sys.stdout.buffer.write(chunk)
        return 0
    finally:
        store.dispose()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `export`."""
    parser = subparsers.add_parser(
        "export", help="export a list of records as CSV or XLSX",
        description="Export the records a user may read, with only the fields they see; "
                    "sensitive fields are redacted unless the user is an administrator, "
                    "and cells a spreadsheet would run as formulas are neutralized.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("entity", metavar="ENTITY")
    db_option(parser)
    parser.add_argument("--format", choices=FORMATS,
                        help="csv or xlsx (default: from --output's suffix, else csv)")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write here (default: standard output)")
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help="export as this user sees the list (default: the operator)")
    parser.add_argument("--where", metavar="EXPR", help="an expression the records meet")
    parser.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE",
                        help="records whose field has this value (repeat)")
    parser.add_argument("--q", metavar="TEXT", help="search the text fields")
    parser.add_argument("--sort", default="id", metavar="F,-G",
                        help="sort by these fields (- for descending; default: id)")
    parser.add_argument("--columns", metavar="A,B", help="only these columns, in this order")
    parser.set_defaults(handler=guarded(_export))
