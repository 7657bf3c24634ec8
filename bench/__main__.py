"""`python -m bench`: run the benchmark cases, print the table, write the JSON results.

    python -m bench                       # every case, default sizes, SQLite
    python -m bench --only import         # one case (repeatable)
    python -m bench --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python -m bench --full                # 1M rows where it matters
    python -m bench --rows 200 --quick    # tiny sizes: checks the suite runs
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import json
import os
import platform
import pstats
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import (
    case_api,
    case_attach,
    case_automation,
    case_compile,
    case_file_import,
    case_file_scale,
    case_import,
    case_list,
    case_list_totals,
    case_mail,
    case_plan,
    case_report,
    case_rollup,
    case_scenario,
    case_search,
    case_startup,
    case_transition,
    case_validate,
)
from bench.databases import Backend
from bench.harness import Context, Measurement, Sizes

# name -> (run, runs on every --db backend?)
CASES: dict[str, tuple[Callable[[Context], list[Measurement]], bool]] = {
    "validate": (case_validate.run, False),
    "import": (case_import.run, True),
    "file_import": (case_file_import.run, True),
    "file_scale": (case_file_scale.run, True),
    "list": (case_list.run, True),
    "list_totals": (case_list_totals.run, True),
    "attach": (case_attach.run, True),
    "transition": (case_transition.run, True),
    "rollup": (case_rollup.run, True),
    "api": (case_api.run, True),
    "report": (case_report.run, True),
    "compile": (case_compile.run, False),
    "startup": (case_startup.run, False),
    "plan": (case_plan.run, True),
    "automation": (case_automation.run, True),
    "scenario": (case_scenario.run, True),
    "mail": (case_mail.run, False),
    "search": (case_search.run, True),
}

QUICK = Sizes(rows=200, django_rows=100, validate_records=200, api_requests=200,
              api_seconds=1.0, clients=8, list_rows=1_000, list_pages=20, transitions=100,
              report_rows=1_000, rollup_rows=500, entities=20, fields=10, records=1_000,
              starts=1, repeat=1, owners=2, ceiling=False, timers=1_000, jobs=200,
              file_rows=2_000)
FULL = Sizes(rows=1_000_000, django_rows=20_000, validate_records=10_000, api_requests=20_000,
             api_seconds=20.0, list_rows=1_000_000, list_pages=500, transitions=20_000,
             report_rows=1_000_000, records=1_000_000, repeat=1, file_rows=1_000_000)
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=sorted(CASES), metavar="CASE",
                        help=f"run only this case (repeatable): {', '.join(CASES)}")
    parser.add_argument("--db", metavar="URL", default="",
                        help="also run the database cases on this PostgreSQL server")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--full", action="store_true", help="1M rows for import, list, startup")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON results file")
    parser.add_argument("--profile", action="store_true",
                        help="run each case under cProfile; statistics go next to --out as "
                        "CASE-DB.prof (servers run in their own processes and are not profiled)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="scratch directory (default: a new temporary one, removed after)")
    sizes = parser.add_argument_group("sizes (override --quick / --full)")
    for f in dataclasses.fields(Sizes):
        if type(f.default) not in (int, float):
            continue
        sizes.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=None,
                           dest=f.name, metavar="N",
                           help=f"{f.metadata.get('help', '')} (default {f.default})")
    return parser


def sizes_from(args: argparse.Namespace) -> Sizes:
    base = QUICK if args.quick else FULL if args.full else Sizes()
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(Sizes)
             if getattr(args, f.name, None) is not None}
    return dataclasses.replace(base, **given)


def machine() -> dict[str, Any]:
    """The machine and software the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("guanxi", "sqlalchemy", "django", "djangorestframework", "starlette",
                 "uvicorn", "jsonschema", "psycopg"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "versions": versions,
    }


def postgres_version(url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one())
    except sa.exc.SQLAlchemyError as error:
        return f"unknown ({type(error).__name__})"
    finally:
        engine.dispose()


def run_case(name: str, ctx: Context, profile_to: Path | None = None) -> list[Measurement]:
    """A case's measurements; an unexpected failure becomes a row saying so. With
    `profile_to`, the whole case runs under cProfile and the statistics are saved there."""
    run, _ = CASES[name]
    try:
        if profile_to is None:
            return run(ctx)
        profiler = cProfile.Profile()
        try:
            return profiler.runcall(run, ctx)
        finally:
            profile_to.parent.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(profile_to)
            pstats.Stats(str(profile_to), stream=sys.stderr).sort_stats("tottime").print_stats(
                r"guanxi|engine|server", 15)
    except Exception as error:
        traceback.print_exc()
        last = (str(error).strip().splitlines() or [""])[-1]
        return [Measurement(name, ctx.backend.name, "-", "", None, "", None, "", None, None,
                            f"error: {type(error).__name__}: {last}"[:200])]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(rows: Sequence[Measurement]) -> str:
    """The results as a Markdown table."""
    head = ["case", "db", "metric", "Guanxi", "baseline", "baseline value", "ratio", "target",
            "met?"]
    lines = [head]
    for m in rows:
        met = "—" if m.met is None else ("yes" if m.met else "NO")
        guanxi = _number(m.guanxi) if m.guanxi is not None else (m.note or "—")
        lines.append([
            m.case, m.backend, m.metric, guanxi, m.baseline_name or "—", _number(m.baseline),
            "—" if m.ratio is None else f"{m.ratio:.2f}×", m.target or "—", met,
        ])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]

    def fmt(line: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |"

    out = [fmt(lines[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(fmt(line) for line in lines[1:])
    notes = [f"- {m.case} ({m.backend}) {m.metric}: {m.note}" for m in rows
             if m.note and m.guanxi is not None]
    return "\n".join(out + (["", *notes] if notes else []))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = sizes_from(args)
    names = [n for n in CASES if not args.only or n in args.only]
    started = dt.datetime.now(dt.UTC)
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="guanxi-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        backends = [Backend.sqlite(workdir / "sqlite")]
        backends[0].workdir.mkdir(exist_ok=True)
        if args.db:
            backends.append(Backend.postgresql(workdir / "postgresql", args.db))
        try:
            for name in names:
                for backend in backends if CASES[name][1] else backends[:1]:
                    print(f"… {name} ({backend.name})", file=sys.stderr, flush=True)
                    begun = time.perf_counter()
                    ctx = Context(sizes, workdir, backend)
                    profile_to = (args.out.parent / f"{name}-{backend.name}.prof"
                                  if args.profile else None)
                    rows = run_case(name, ctx, profile_to)
                    results.extend(rows)
                    print(f"  {name} ({backend.name}) took {time.perf_counter() - begun:.1f} s",
                          file=sys.stderr, flush=True)
        finally:
            for backend in backends:
                backend.close()

    print(table(results))
    document = {
        "started_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "machine": {**machine(), **({"postgresql": postgres_version(args.db)} if args.db else {})},
        "sizes": dataclasses.asdict(sizes),
        "cases": names,
        "results": [m.as_json() for m in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
