"""`guanxi import`: files into records, and batches undone.

    guanxi import PATH ENTITY FILE [--db URL] [--mapping MAP.yaml] [--dry-run]
                  [--mode all-or-nothing|skip-bad|upsert] [--key FIELD ...]
                  [--report REPORT.csv] [--as USER] [--batch-size N]
    guanxi import undo [PATH] BATCH [--db URL] [--as USER]
    guanxi import list [PATH] [--db URL]

Without `--mapping`, the project's `mappings/<file name>.yaml` is used when it exists,
else columns are matched to fields by name or label. Without `--as`, the import runs
as the operator: the project's administrator roles, recorded in history as the system.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.cli.data import db_option, engine_for, guarded, load_app
from guanxi.compile.app import App
from guanxi.data import batches, mapping
from guanxi.data.importer import MODES, Importer, ImportResult, Problem, undo
from guanxi.errors import GuanxiError, ProjectInvalid
from guanxi.identity import SYSTEM, User
from guanxi.store.facade import Store
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

REPORT_HEADERS = ("row", "column", "value", "message")


class _RowsPerSecond(ProgressColumn):
    """Rows per second so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "… rows/s")


def operator(app: App) -> User:
    """Who a command acts as without `--as`: every administrator role of the project,
    recorded as the system."""
    roles = frozenset(r.name for r in app.spec.roles if r.admin)
    return User(id=SYSTEM.id, username="operator", roles=roles,
                display_name=SYSTEM.display_name)


def acting_user(app: App, engine: sa.Engine, username: str | None) -> User:
    """The user named by `--as` (active), or the operator."""
    if username is None:
        return operator(app)
    found = users.find_user(engine, username)
    if found is None:
        raise GuanxiError(f"there is no active user {username!r}; add one with "
                          "`guanxi users add`")
    return found


def _mapping_for(app: App, args: argparse.Namespace) -> mapping.ImportMapping | None:
    chosen = args.mapping
    if chosen is None:
        default = Path(app.spec.root) / mapping.MAPPINGS_DIR / f"{Path(args.file).stem}.yaml"
        if not default.is_file():
            return None
        chosen = str(default)
    loaded, problems = mapping.load(chosen, app.spec)
    if loaded is None:
        raise ProjectInvalid(problems)
    if loaded.entity != args.entity:
        raise GuanxiError(f"the mapping {chosen} is for {loaded.entity}, not {args.entity}")
    return loaded


def _summary(result: ImportResult, dry_run: bool) -> str:
    kept = "would be " if dry_run else ""
    text = (f"{result.created} {kept}created, {result.updated} {kept}updated, "
            f"{result.unchanged} unchanged, {result.failed} row(s) refused")
    if result.batch is not None:
        text = f"import {result.batch}: {text}"
    if not result.written and not dry_run:
        text += "; nothing was written (all-or-nothing)"
    return text


def _import(args: argparse.Namespace) -> int:
    app = load_app(args.path)
    chosen = _mapping_for(app, args)
    store = Store(app, engine_for(args, args.path))
    report_file: IO[str] | None = None
    try:
        user = acting_user(app, store.engine, args.as_user)
        writer: Any = None
        if args.report:
            report_file = open(args.report, "w", encoding="utf-8", newline="")  # noqa: SIM115
            writer = csv.writer(report_file)
            writer.writerow(REPORT_HEADERS)
        console = Console(stderr=True)
        shown: list[Problem] = []

        def report(problem: Problem) -> None:
            if writer is not None:
                writer.writerow((problem.row, problem.column, problem.value, problem.message))
            if len(shown) < args.show:
                shown.append(problem)

        with Progress(TextColumn("[bold]{task.description}"), MofNCompleteColumn(),
                      _RowsPerSecond(), console=console, transient=True,
                      disable=not console.is_terminal) as progress:
            task = progress.add_task(f"importing {Path(args.file).name}", total=None)
            importer = Importer(store, user, args.entity, chosen, mode=args.mode,
                                keys=args.key, dry_run=args.dry_run,
                                batch_size=args.batch_size, report=report,
                                progress=lambda n: progress.advance(task, n))
            result = importer.run(args.file)
        for problem in shown:
            print(f"row {problem.row}, {problem.column or '-'} {problem.value!r}: "
                  f"{problem.message}", file=sys.stderr)
        if result.failed > len(shown):
            more = result.failed - len(shown)
            where = f" (every problem: {args.report})" if args.report else ""
            print(f"… and more in {more} other row(s){where}", file=sys.stderr)
        if result.unused:
            print(f"columns not imported: {', '.join(result.unused)}", file=sys.stderr)
        print(_summary(result, args.dry_run))
        return 0 if result.written or args.dry_run else 1
    finally:
        if report_file is not None:
            report_file.close()
        store.dispose()


def _undo(args: argparse.Namespace, words: list[str]) -> int:
    if len(words) not in (1, 2) or not words[-1].isdigit():
        return _usage("guanxi import undo [PATH] BATCH")
    path = words[0] if len(words) == 2 else args.project
    app = load_app(path)
    store = Store(app, engine_for(args, path))
    try:
        user = acting_user(app, store.engine, args.as_user)
        result = undo(store, user, int(words[-1]))
    finally:
        store.dispose()
    print(f"import {result.batch} undone: {result.deleted} record(s) deleted, "
          f"{result.updated} restored")
    return 0


def _list(args: argparse.Namespace, words: list[str]) -> int:
    path = words[0] if words else args.project
    load_app(path)
    engine = engine_for(args, path)
    try:
        found = batches.listing(engine)
    finally:
        engine.dispose()
    if not found:
        print("no imports yet")
    for batch in found:
        print(f"{batch.id:>5}  {batch.started_at:%Y-%m-%d %H:%M}  {batch.status:<8} "
              f"{batch.entity:<16} {batch.created} created, {batch.updated} updated, "
              f"{batch.failed} refused  {batch.file}")
    return 0


def _usage(text: str) -> int:
    print(f"usage: {text}", file=sys.stderr)
    return 2


def _dispatch(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    if words and words[0] == "undo":
        return _undo(args, words[1:])
    if words and words[0] == "list":
        return _list(args, words[1:])
    if len(words) != 3:
        return _usage("guanxi import PATH ENTITY FILE [options] | guanxi import undo [PATH] "
                      "BATCH | guanxi import list [PATH]")
    args.path, args.entity, args.file = words
    return _import(args)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `import`."""
    parser = subparsers.add_parser(
        "import", help="import a CSV or XLSX file into records (also: undo, list)",
        description="Import a CSV or XLSX file into an entity's records through the same "
                    "checks as every write. `guanxi import undo [PATH] BATCH` reverts an "
                    "import; `guanxi import list [PATH]` lists them.")
    parser.add_argument("words", nargs="+", metavar="PATH ENTITY FILE",
                        help="the project, the entity and the file (or: undo BATCH, list)")
    db_option(parser)
    parser.add_argument("--project", default=".", metavar="PATH",
                        help="the project directory for undo and list (default: .)")
    parser.add_argument("--mapping", metavar="MAP.yaml",
                        help="the mapping file (default: mappings/<file name>.yaml of the "
                             "project, if there is one)")
    parser.add_argument("--mode", choices=MODES, default="all-or-nothing",
                        help="all-or-nothing (default): any bad row writes nothing; "
                             "skip-bad: good rows are written; upsert: rows whose key "
                             "fields match a record update it, all or nothing")
    parser.add_argument("--key", action="append", default=[], metavar="FIELD",
                        help="a field identifying a record, for upsert (repeat; default: "
                             "the mapping's key)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check and count everything, write nothing")
    parser.add_argument("--report", metavar="REPORT.csv",
                        help="write every problem to this CSV (row, column, value, message)")
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help="act as this user (default: the operator, with the project's "
                             "administrator roles)")
    parser.add_argument("--batch-size", type=int, default=1000, metavar="N",
                        help=argparse.SUPPRESS)
    parser.add_argument("--show", type=int, default=20, metavar="N",
                        help="how many problems to print (default 20)")
    parser.set_defaults(handler=guarded(_dispatch))
