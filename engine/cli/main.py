"""The `guanxi` command line: one sub-command per job.

Sub-commands live in topic modules (`cli_language`, `cli_data`, `cli_server`), each with a
`register(subparsers)` that adds its commands and sets `handler` on them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from guanxi import __version__
from guanxi.cli import automation as cli_automation
from guanxi.cli import data as cli_data
from guanxi.cli import diagram as cli_diagram
from guanxi.cli import duplicates as cli_duplicates
from guanxi.cli import erasure as cli_erasure
from guanxi.cli import explain as cli_explain
from guanxi.cli import exports as cli_exports
from guanxi.cli import imports as cli_imports
from guanxi.cli import language as cli_language
from guanxi.cli import mail as cli_mail
from guanxi.cli import new as cli_new
from guanxi.cli import recompute as cli_recompute
from guanxi.cli import report as cli_report
from guanxi.cli import schemas as cli_schemas
from guanxi.cli import searching as cli_searching
from guanxi.cli import server as cli_server
from guanxi.cli import teams as cli_teams
from guanxi.cli import testing as cli_testing
from guanxi.cli import tokens as cli_tokens


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guanxi",
        description="Guanxi: describe a CRM in YAML; check it, migrate it, serve it.",
    )
    parser.add_argument("--version", action="version", version=f"guanxi {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (cli_language, cli_diagram, cli_data, cli_imports, cli_tokens, cli_server,
                   cli_recompute, cli_testing, cli_explain, cli_schemas, cli_new,
                   cli_automation, cli_report, cli_exports, cli_erasure, cli_duplicates,
                   cli_mail, cli_teams, cli_searching):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
