"""`guanxi import` end to end: a CSV file of 10-field lead rows read, mapped, cleaned,
validated, access-checked, written with history and journaled as a batch, against raw
sqlite3 executemany of the same rows already parsed (on PostgreSQL: psycopg COPY); the
same raw insert plus a history row, an event and an import journal row per record (the
database's share of a journaled, audited import: what `guanxi import` writes, with no
Python per row); and an
upsert of a file of which half the rows exist (matched by e-mail), against the plain
import's rate. Raw, audited and Guanxi runs take turns.

Where it can (Linux, more than one CPU, a file whose columns need no database), the
import reads, cleans and checks the next batches in a second process while it writes
(`saving.Ahead`); the details then give the CPU seconds of both processes beside the
wall-clock seconds of the first run.

Rows: five times `--rows` (100,000 by default). The details give the peak RSS of the
process after the runs and the rate of each 100k chunk of a large import.
"""

from __future__ import annotations

import csv
import resource
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench import guanxi_side
from bench.case_import import (
    AUDITED_COPY,
    AUDITED_SQLITE,
    audited_copy,
    audited_sqlite,
    cpu_seconds,
    raw_copy,
    raw_sqlite,
)
from bench.harness import (
    NO_TARGET,
    Context,
    Measurement,
    Target,
    Unavailable,
    best,
    measure,
    time_once,
    unavailable,
)
from bench.projects import LEAD_FIELDS, lead_rows

CASE = "file_import"
RAW_TARGET = Target("ratio_min", 0.25, "≥ 0.25× raw")
CHUNK = 100_000


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEAD_FIELDS)
        for row in rows:
            writer.writerow(["" if row[f] is None else row[f] for f in LEAD_FIELDS])
    return path


def chunk_progress(marks: list[float]) -> Callable[[int], None]:
    """An import's progress callback that notes the moment each 100k chunk is done."""
    done = [0]

    def progress(count: int) -> None:
        before = done[0] // CHUNK
        done[0] += count
        if done[0] // CHUNK > before:
            marks.append(time.perf_counter())

    return progress


def guanxi_import(ctx: Context, path: Path, rows: int, upsert_path: Path | None = None
                  ) -> tuple[float, float | None, dict[str, Any]]:
    """Seconds of `guanxi import` of `path` as a sales rep into a fresh database, then
    (with `upsert_path`) of an upsert of that file; the details."""
    importer = guanxi_side.need("guanxi.data.importer", "Importer")
    app = guanxi_side.lead_app(ctx.workdir)
    store = guanxi_side.open_store(app, ctx.backend.fresh_url("gx-file-import"))
    rep = guanxi_side.add_users(store, 1)[0]
    marks: list[float] = []
    progress = chunk_progress(marks)

    def run() -> Any:
        marks.append(time.perf_counter())
        return importer.Importer(store, rep, "lead", progress=progress).run(path)

    cpu = cpu_seconds()
    seconds, result = time_once(run)
    cpu = cpu_seconds() - cpu
    if result.created != rows:
        raise AssertionError(f"guanxi import created {result!r}, expected {rows} rows")
    details: dict[str, Any] = {"cpu_s": round(cpu, 3), "wall_s": round(seconds, 3)}
    if len(marks) > 2:
        details["rows_per_s_per_100k"] = [round(CHUNK / (b - a))
                                          for a, b in pairwise(marks)]
    upsert_s = None
    if upsert_path is not None:
        upsert_s, again = time_once(lambda: importer.Importer(
            store, rep, "lead", mode="upsert", keys=["email"]).run(upsert_path))
        details["upsert"] = {"created": again.created, "updated": again.updated,
                             "unchanged": again.unchanged}
    store.engine.dispose()
    return seconds, upsert_s, details


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    count = sizes.rows * 5
    rows = lead_rows(count, tag="f")
    path = write_csv(Path(ctx.workdir) / "leads.csv", rows)
    # Half the rows exist (changed: a new city), half are new.
    half = count // 2
    changed = [{**r, "city": "Hangzhou"} for r in rows[half:]]
    upsert_path = write_csv(Path(ctx.workdir) / "leads-upsert.csv",
                            changed + lead_rows(count - half, seed=11, tag="g"))
    if backend.name == "sqlite":
        raw_name, raw = "raw sqlite3 executemany (pre-parsed)", raw_sqlite
        audited_name, audited = f"{AUDITED_SQLITE} + journal (pre-parsed)", audited_sqlite
    else:
        raw_name, raw = "psycopg COPY (pre-parsed)", raw_copy
        audited_name, audited = f"{AUDITED_COPY} + journal (pre-parsed)", audited_copy
    details: dict[str, Any] = {"rows": count}
    # Raw and Guanxi take turns, so that a machine whose speed drifts (a shared host)
    # slows both alike; each keeps its best run.
    raw_runs: list[float] = []
    audited_runs: list[float] = []
    runs: list[tuple[float, float | None, dict[str, Any]]] = []
    for i in range(sizes.repeat):
        raw_runs.append(raw(backend.fresh_url("raw-file-import"), rows))
        audited_runs.append(audited(backend.fresh_url("audited-file-import"), rows,
                                    journal=True))
        try:
            runs.append(guanxi_import(ctx, path, count, upsert_path if i == 0 else None))
        except Unavailable as reason:
            return unavailable(CASE, backend.name, str(reason), [
                measure(CASE, backend.name, "rows/s", "rows/s", None, raw_name,
                        count / best(raw_runs))])
    raw_s = best(raw_runs)
    seconds = best([s for s, _, _ in runs])
    details.update(runs[0][2])
    details["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    rate = count / seconds
    results = [measure(CASE, backend.name, "rows/s", "rows/s", rate, raw_name, count / raw_s,
                       RAW_TARGET, details=details),
               measure(CASE, backend.name, "rows/s", "rows/s", rate, audited_name,
                       count / best(audited_runs), NO_TARGET, details=details)]
    upsert_s = runs[0][1]
    if upsert_s is not None:
        results.append(measure(CASE, backend.name, "upsert rows/s (half existing)", "rows/s",
                               count / upsert_s, "the plain import of the same size", rate,
                               NO_TARGET, details=details))
    return results
