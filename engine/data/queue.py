"""Imports run as jobs: the web import queues its file on the automation job runner
(`guanxi.automation.jobs`, kind `import`) and a worker runs it as the user who sent it,
with the same `Importer` as `guanxi import`.

The batch (`gx_import`) is created `queued` with the job, in the same moment; the job
moves it to `running` only once (a second claim of the same job, after a lapsed lease,
finds it taken and does nothing), then `done` or `failed`. While it runs, its progress
(rows done of the file's total, then the first problems) is kept in a small JSON file
beside the uploads, so reading it never waits for the import's own transaction (on
SQLite, one writer at a time). The uploaded file and the mapping sent with it live in
the same folder; the worker that runs the job must see it (`guanxi serve` runs one in
its own process).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from guanxi.accounts.users import get_user
from guanxi.automation import jobs
from guanxi.automation.actions import Outcome
from guanxi.automation.jobs import Job
from guanxi.data import batches, mapping
from guanxi.data.importer import Importer, Problem
from guanxi.data.readers import open_table
from guanxi.errors import GuanxiError
from guanxi.identity import User
from guanxi.store.facade import Store
from guanxi.store.unit import transaction

IMPORT_JOB = "import"
# Problems kept for the page; the full report is the command line's (`--report`).
KEPT_PROBLEMS = 100
# How often (in rows) a running import writes its progress and renews its lease.
EVERY = 5_000
# Progress files (and forgotten uploads) older than this are removed when one is queued.
KEPT_FOR = dt.timedelta(days=7)


def folder() -> Path:
    """Where uploads, their mappings and the progress of imports are kept (private)."""
    place = Path(tempfile.gettempdir()) / "guanxi-imports"
    place.mkdir(mode=0o700, exist_ok=True)
    return place


def _database_tag(engine: sa.Engine) -> str:
    """A short tag of the database, so batches of two databases never share a file."""
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def progress_path(engine: sa.Engine, batch: int) -> Path:
    return folder() / f"progress-{_database_tag(engine)}-{batch}.json"


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a queued import is: rows done of `total`, and once it ended, the first
    problems and the error that stopped it (if one did)."""

    done: int = 0
    total: int = 0
    problems: tuple[Problem, ...] = ()
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"done": self.done, "total": self.total, "error": self.error,
                "problems": [{"row": p.row, "column": p.column, "value": p.value,
                              "message": p.message} for p in self.problems]}


def write_progress(path: Path, progress: Progress) -> None:
    """Replace the progress file at once (a reader never sees half of it)."""
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(progress.as_json()), encoding="utf-8")
    os.chmod(scratch, 0o600)
    os.replace(scratch, path)


def read_progress(engine: sa.Engine, batch: int) -> Progress:
    """The progress of batch `batch` (nothing done when none was written)."""
    try:
        data = json.loads(progress_path(engine, batch).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Progress()
    return Progress(int(data.get("done", 0)), int(data.get("total", 0)),
                    tuple(Problem(int(p["row"]), str(p["column"]), str(p["value"]),
                                  str(p["message"])) for p in data.get("problems", ())),
                    str(data.get("error", "")))


def count_rows(path: Path) -> int:
    """How many rows the table in the file at `path` holds (read once, streamed)."""
    table = open_table(path)
    try:
        return sum(1 for _ in table.rows)
    finally:
        table.close()


def prune(now: float) -> None:
    """Remove what the folder kept longer than `KEPT_FOR` (`now`: seconds, as file times)."""
    for path in folder().iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > KEPT_FOR.total_seconds():
                path.unlink()
        except OSError:
            continue  # removed meanwhile, or not ours to remove


def queue(store: Store, user: User, entity: str, path: Path, name: str, mode: str,
          keys: Sequence[str], mapping_path: Path | None) -> int:
    """Queue the import of the file at `path` (shown as `name`) into `entity` as `user`,
    with the mapping file at `mapping_path`; the batch's id."""
    prune(time.time())
    engine, now = store.engine, store.clock()
    total = count_rows(path)
    batch = batches.start(engine, user, entity, name, mode, now, status="queued")
    write_progress(progress_path(engine, batch), Progress(0, total))
    payload = {"batch": batch, "user_id": user.id, "language": user.language,
               "entity": entity, "file": str(path), "name": name, "mode": mode,
               "keys": list(keys), "mapping": str(mapping_path) if mapping_path else None}
    try:
        with transaction(engine, write=True) as conn:
            jobs.enqueue(conn, IMPORT_JOB, payload, now=now, key=f"import:{batch}",
                         max_attempts=1)
    except BaseException:
        batches.finish(engine, batch, "failed", store.clock(), {})
        raise
    return batch


def _renew(engine: sa.Engine, job: Job, now: dt.datetime) -> None:
    """Keep the job's lease while it runs (PostgreSQL; on SQLite no other worker can
    claim while the import writes)."""
    if engine.dialect.name != "postgresql" or job.locked_by is None:
        return
    with engine.begin() as conn:
        conn.execute(jobs.JOBS.update().where(
            jobs.JOBS.c.id == job.id, jobs.JOBS.c.locked_by == job.locked_by).values(
            locked_until=now + jobs.LEASE))


def _forget(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


def run_import(store: Store, job: Job, now: dt.datetime) -> Outcome:
    """The `import` job: the queued file imported as the user who sent it."""
    payload, outcome = job.payload, Outcome()
    engine = store.engine
    batch = int(payload["batch"])
    if not batches.begin(engine, batch, now):
        outcome.done.append(f"import {batch}: already taken")
        return outcome
    where = progress_path(engine, batch)
    total = read_progress(engine, batch).total
    file = Path(str(payload["file"]))
    mapping_path = Path(str(payload["mapping"])) if payload.get("mapping") else None
    problems: list[Problem] = []
    done = [0, 0]

    def report(problem: Problem) -> None:
        if len(problems) < KEPT_PROBLEMS:
            problems.append(problem)

    def progress(count: int) -> None:
        done[0] += count
        if done[0] - done[1] >= EVERY or done[0] >= total:
            done[1] = done[0]
            write_progress(where, Progress(min(done[0], total), total))
            _renew(engine, job, store.clock())

    def failed(error: str) -> Outcome:
        batches.finish(engine, batch, "failed", store.clock(), {"failed": len(problems)})
        write_progress(where, Progress(done[0], total, tuple(problems), error))
        outcome.done.append(f"import {batch} failed: {error}")
        return outcome

    try:
        found_user = get_user(engine, int(payload["user_id"]))
        if found_user is None:
            return failed("the user who sent the file can no longer sign in")
        user = dataclasses.replace(found_user, language=str(payload.get("language")
                                                            or found_user.language))
        chosen = None
        if mapping_path is not None:
            chosen, found = mapping.load(mapping_path, store.app.spec, "mapping.yaml")
            if chosen is None:
                return failed("; ".join(str(p) for p in found if p.is_error))
        importer = Importer(store, user, str(payload["entity"]), chosen,
                            mode=str(payload["mode"]), keys=list(payload.get("keys") or ()),
                            report=report, progress=progress, batch=batch)
        result = importer.run(file)
    except GuanxiError as error:
        return failed(str(error))
    finally:
        _forget(file, mapping_path)
    write_progress(where, Progress(total if result.written else done[0], total,
                                   tuple(problems)))
    outcome.done.append(f"import {batch}: {result.created} created, {result.updated} "
                        f"updated, {result.unchanged} unchanged, {result.failed} refused")
    return outcome
