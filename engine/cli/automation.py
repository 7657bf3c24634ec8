"""`guanxi worker` (run automation) and `guanxi jobs list|retry|cancel`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
from types import FrameType

from guanxi.automation import jobs
from guanxi.automation.worker import Worker
from guanxi.cli.data import default_database_url, fail, open_store
from guanxi.data import plug
from guanxi.errors import GuanxiError, ProjectInvalid
from guanxi.store.database import create_engine

plug.install()  # the import and duplicates job kinds


def _moment(text: str) -> dt.datetime:
    """An ISO moment; without a time zone it is UTC."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO date and time: {text!r} (e.g. 2026-12-08T10:00:00+08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _worker(args: argparse.Namespace) -> int:
    if args.at is not None and not args.once:
        return fail("--at needs --once (a running worker follows the clock)")
    try:
        store = open_store(args)
    except (ProjectInvalid, GuanxiError) as error:
        return fail(str(error))
    try:
        if args.once:
            at = args.at or _now()
            worker = Worker(store, clock=lambda: at)
            try:
                lines = [line for report in worker.run_until_quiet(at)
                         for line in report.lines]
                for line in lines or [f"nothing due at {at.isoformat()}"]:
                    print(line)
            except BrokenPipeError:  # `guanxi worker … | head`: the reader has had enough
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        stop = threading.Event()

        def halt(signum: int, frame: FrameType | None) -> None:
            del signum, frame
            stop.set()

        signal.signal(signal.SIGTERM, halt)
        signal.signal(signal.SIGINT, halt)
        print(f"Guanxi worker on {args.path}; stop with Ctrl-C", file=sys.stderr)
        Worker(store).run(stop, args.interval)
        return 0
    finally:
        store.dispose()


def _jobs(args: argparse.Namespace) -> int:
    engine = create_engine(args.db or default_database_url(args.path))
    try:
        if args.action == "list":
            for job in jobs.list_jobs(engine, state=args.state, limit=args.limit):
                error = f"  {job.last_error}" if job.last_error else ""
                print(f"{job.id:>8}  {job.kind:10} {job.state:9} attempts {job.attempts}/"
                      f"{job.max_attempts}  run at {job.run_at.isoformat()}{error}")
            return 0
        if args.id is None:
            return fail(f"give the job's id: guanxi jobs {args.action} PATH ID")
        act = jobs.retry if args.action == "retry" else jobs.cancel
        if not act(engine, args.id, _now()):
            return fail(f"job {args.id} cannot be {args.action}d from its state")
        print(f"job {args.id} {'queued again' if args.action == 'retry' else 'cancelled'}")
        return 0
    finally:
        engine.dispose()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `worker` and `jobs`."""
    worker = subparsers.add_parser(
        "worker", help="run timers, SLA clocks, assignments, schedules and jobs",
        description="Follow the writes and run what is due, as the system actor. With "
                    "--once, run everything due now (or at --at) and exit, printing it.")
    worker.add_argument("path", metavar="PATH", help="the project directory")
    worker.add_argument("--db", metavar="URL", help="database URL")
    worker.add_argument("--once", action="store_true",
                        help="run what is due once and exit")
    worker.add_argument("--at", type=_moment, metavar="ISO",
                        help="with --once: the moment to run at, e.g. "
                             "2026-12-08T10:00:00+08:00 (default: now)")
    worker.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="seconds between passes (default 1)")
    worker.set_defaults(handler=_worker)
    jobs_parser = subparsers.add_parser(
        "jobs", help="list, retry or cancel automation jobs",
        description="List the jobs (newest first), queue a failed one again, or cancel one.")
    jobs_parser.add_argument("action", choices=("list", "retry", "cancel"))
    jobs_parser.add_argument("path", metavar="PATH", help="the project directory")
    jobs_parser.add_argument("id", nargs="?", type=int, help="the job (retry, cancel)")
    jobs_parser.add_argument("--db", metavar="URL", help="database URL")
    jobs_parser.add_argument("--state", choices=jobs.STATES, help="only jobs in this state")
    jobs_parser.add_argument("--limit", type=int, default=100)
    jobs_parser.set_defaults(handler=_jobs)
