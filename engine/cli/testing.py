"""`guanxi test`: run the project's acceptance scenarios, or render them for sign-off.

    guanxi test PATH                         run every scenario (SQLite, throwaway)
    guanxi test PATH --db postgresql://…     each scenario in a fresh schema there
    guanxi test PATH --junit report.xml      also write a JUnit XML report
    guanxi test PATH -k "won deal"           only scenarios whose name contains the text
    guanxi test PATH --document --language zh [--format html] [--output signoff.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from guanxi.acceptance.document import FORMATS, document
from guanxi.acceptance.report import junit_xml, lines
from guanxi.acceptance.runner import run_scenario
from guanxi.acceptance.scenario import read_scenarios
from guanxi.compile.app import compile_app
from guanxi.errors import GuanxiError
from guanxi.language.project import load_project_or_raise


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `test` sub-command."""
    parser = subparsers.add_parser(
        "test", help="run the project's acceptance scenarios (scenarios/*.yaml)",
        description="Run every scenario of the project on a throwaway database and report "
                    "each failure with its file and line; exit 1 if any fails. With "
                    "--document, print the scenarios as a sign-off document instead.")
    parser.add_argument("path", metavar="PATH", help="the project directory")
    parser.add_argument("--db", metavar="URL",
                        help="a PostgreSQL database to run in (a fresh schema per "
                             "scenario, dropped after it); default: SQLite files")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("-k", dest="select", metavar="TEXT",
                        help="only the scenarios whose name contains TEXT")
    parser.add_argument("--document", action="store_true",
                        help="print the scenarios as a Markdown sign-off document")
    parser.add_argument("--language", metavar="LANG", default=None,
                        help="the document's language: en or zh (default: the project's "
                             "first)")
    parser.add_argument("--format", choices=FORMATS, default="markdown",
                        help="the document's format: markdown (default) or html")
    parser.add_argument("--output", metavar="FILE", help="write the document to FILE")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_project_or_raise(args.path)
    except GuanxiError as error:
        print(f"guanxi: {error}", file=sys.stderr)
        return 1
    scenarios, problems = read_scenarios(args.path)
    if args.select:
        scenarios = [s for s in scenarios if args.select in s.name]
    for problem in problems:
        print(f"guanxi: {problem}", file=sys.stderr)
    if args.document:
        text = document(spec, scenarios, args.language or spec.languages[0], args.format)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 1 if problems else 0
    if not scenarios and not problems:
        print(f"no scenarios in {Path(args.path) / 'scenarios'}")
        return 0
    app = compile_app(spec)
    outcomes = [run_scenario(app, scenario, args.db) for scenario in scenarios]
    print("\n".join(lines(outcomes)))
    if args.junit:
        Path(args.junit).write_text(junit_xml(outcomes, spec.name), encoding="utf-8")
    return 1 if problems or any(not o.passed for o in outcomes) else 0
