"""Bulk import of 10-field lead rows: validated, access-checked and audited by Guanxi,
against what a developer would write instead.

Contenders, each on a fresh database, on the same rows (JSON values, as from an API or a
parsed file), taking turns round after round (Django apart, in its own process):
- Guanxi: Store.bulk_insert as a sales rep (validation, the create rule, history rows);
  where it can (Linux, more than one CPU) it checks the next batches in a second process
  while it writes (`guanxi.store.ahead`), so its details give the CPU seconds of both
  processes beside the wall-clock seconds;
- raw sqlite3 executemany (on PostgreSQL: psycopg COPY), the physical limit;
- the same, also writing what Guanxi writes besides the row: a history row (its JSON
  encoded before the clock starts) and an event per record — the database's share of an
  audited import, so the part of the gap that Python's work makes is seen;
- SQLAlchemy Core insert with executemany;
- Django: full_clean() on each model object, then bulk_create (in its own process).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from itertools import pairwise
from typing import Any

from bench import baseline_schema as schema
from bench import guanxi_side
from bench.databases import psycopg_conninfo, sqlite_path
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
from bench.servers import REPO

CASE = "import"
RAW_TARGET = Target("ratio_min", 0.5, "≥ 0.5× raw")
DJANGO_TARGET = Target("ratio_min", 10.0, "≥ 10× Django")
# Linear in rows: the last 100k rows of a large import go about as fast as the first.
LINEAR_TARGET = Target("ratio_min", 0.7, "≥ 0.7× first chunk")


def _system_values(owner: int) -> dict[str, Any]:
    now = schema.now_utc()
    return {"owner": owner, "created_by": owner, "created_at": now, "updated_at": now,
            "version": 1, "state": "new"}


def raw_sqlite(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to insert `rows` with sqlite3.executemany in one transaction."""
    schema.create(url)
    conn = schema.sqlite_connect(sqlite_path(url))
    columns = ", ".join(schema.LEAD_COLUMNS)
    marks = ", ".join("?" * len(schema.LEAD_COLUMNS))
    sql = f"INSERT INTO lead ({columns}) VALUES ({marks})"

    def run() -> None:
        now = schema.now_utc().isoformat(sep=" ")
        system = (1, 1, now, now, 1, "new")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, (tuple(r[f] for f in LEAD_FIELDS) + system for r in rows))
        conn.execute("COMMIT")

    seconds, _ = time_once(run)
    conn.close()
    return seconds


def _history_texts(rows: list[dict[str, Any]]) -> list[str]:
    """Each row's history as Guanxi writes it for a new record: {field: [null, value]}."""
    return [json.dumps({"owner": [None, 1], "state": [None, "new"],
                        **{f: [None, r[f]] for f in LEAD_FIELDS if r[f] is not None}})
            for r in rows]


def audited_sqlite(url: str, rows: list[dict[str, Any]], *, journal: bool = False) -> float:
    """Seconds to insert `rows`, a history row for each and an event for each, with
    sqlite3.executemany in one transaction; the history JSON is encoded beforehand.
    `journal`: and an import journal row for each (what `guanxi import` also writes)."""
    schema.create(url)
    conn = schema.sqlite_connect(sqlite_path(url))
    columns = ", ".join(("id", *schema.LEAD_COLUMNS))
    marks = ", ".join("?" * (len(schema.LEAD_COLUMNS) + 1))
    texts = _history_texts(rows)
    history_sql = ("INSERT INTO history (entity, record_id, at, user_id, action, transition, "
                   "changes) VALUES ('lead', ?, ?, 1, 'create', NULL, ?)")
    event_sql = ("INSERT INTO event (entity, record_id, kind, transition, changes, user_id, at)"
                 " SELECT entity, record_id, 'created', transition, changes, user_id, at"
                 " FROM history ORDER BY id")

    def run() -> None:
        now = schema.now_utc().isoformat(sep=" ")
        system = (1, 1, now, now, 1, "new")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO lead ({columns}) VALUES ({marks})",
                         ((n, *(r[f] for f in LEAD_FIELDS), *system)
                          for n, r in enumerate(rows, 1)))
        conn.executemany(history_sql, ((n, now, text) for n, text in enumerate(texts, 1)))
        conn.execute(event_sql)
        if journal:
            conn.execute("INSERT INTO import_batch (id) VALUES (1)")
            conn.executemany(JOURNAL_SQL, ((n, n) for n in range(1, len(rows) + 1)))
        conn.execute("COMMIT")

    seconds, _ = time_once(run)
    conn.close()
    return seconds


def audited_copy(url: str, rows: list[dict[str, Any]], *, journal: bool = False) -> float:
    """Seconds to COPY `rows`, a history row for each and an event for each into
    PostgreSQL, one transaction; the history JSON is encoded beforehand. `journal`: and
    an import journal row for each."""
    import psycopg

    schema.create(url)
    conn = psycopg.connect(psycopg_conninfo(url))
    columns = ", ".join(("id", *schema.LEAD_COLUMNS))
    texts = _history_texts(rows)

    def run() -> None:
        now = schema.now_utc()
        system = (1, 1, now, now, 1, "new")
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY lead ({columns}) FROM STDIN") as copy:
                for n, r in enumerate(rows, 1):
                    copy.write_row((n, *(r[f] for f in LEAD_FIELDS), *system))
            with cursor.copy("COPY history (entity, record_id, at, user_id, action, changes)"
                             " FROM STDIN") as copy:
                for n, text in enumerate(texts, 1):
                    copy.write_row(("lead", n, now, 1, "create", text))
            cursor.execute(
                "INSERT INTO event (entity, record_id, kind, transition, changes, user_id, at)"
                " SELECT entity, record_id, 'created', transition, changes, user_id, at"
                " FROM history ORDER BY id")
            if journal:
                cursor.execute("INSERT INTO import_batch (id) VALUES (1)")
                with cursor.copy("COPY import_row (import_id, number, entity, record_id,"
                                 " action, changes) FROM STDIN") as copy:
                    for n in range(1, len(rows) + 1):
                        copy.write_row((1, n, "lead", n, "create", "{}"))
        conn.commit()

    seconds, _ = time_once(run)
    conn.close()
    return seconds


def raw_copy(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to load `rows` with PostgreSQL's COPY through psycopg, one transaction."""
    import psycopg

    schema.create(url)
    conn = psycopg.connect(psycopg_conninfo(url))
    columns = ", ".join(schema.LEAD_COLUMNS)

    def run() -> None:
        now = schema.now_utc()
        system = (1, 1, now, now, 1, "new")
        with conn.cursor() as cursor, cursor.copy(f"COPY lead ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(tuple(r[f] for f in LEAD_FIELDS) + system)
        conn.commit()

    seconds, _ = time_once(run)
    conn.close()
    return seconds


def sqlalchemy_core(url: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to insert `rows` with SQLAlchemy Core insert() + executemany."""
    schema.create(url)
    engine = schema.engine_for(url)

    def run() -> None:
        system = _system_values(1)
        values = [
            {**r, "expected_close": dt.date.fromisoformat(r["expected_close"]), **system}
            for r in rows
        ]
        with engine.begin() as conn:
            conn.execute(schema.lead.insert(), values)

    seconds, _ = time_once(run)
    engine.dispose()
    return seconds


def django(url: str, rows: int, repeat: int) -> list[float]:
    """Seconds of each Django run, measured in a separate process (see django_app.tasks)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.django_app.tasks", "import", "--db", url,
         "--rows", str(rows), "--repeat", str(repeat)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Django import failed:\n{done.stderr[-2000:]}")
    return list(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


CHUNK = 100_000
AUDITED_SQLITE = "raw sqlite3: row + history + event"
AUDITED_COPY = "psycopg COPY: row + history + event"
# One journal row per record created by an import (row number, record id), as
# `guanxi import` journals a batch so that `guanxi import undo` can revert it.
JOURNAL_SQL = ("INSERT INTO import_row (import_id, number, entity, record_id, action, changes)"
               " VALUES (1, ?, 'lead', ?, 'create', '{}')")


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _ahead_possible() -> bool:
    """Whether Store.bulk_insert checks batches in a second process here."""
    try:
        return bool(guanxi_side.need("guanxi.store.ahead", "possible").possible())
    except Unavailable:
        return False


def guanxi(ctx: Context, rows: list[dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    """Seconds of one Store.bulk_insert of `rows` as a sales rep, on a fresh database;
    the details give the rate of each CHUNK of rows, to show the import is linear."""
    app = guanxi_side.lead_app(ctx.workdir)
    store = guanxi_side.open_store(app, ctx.backend.fresh_url("gx-import"))
    rep = guanxi_side.add_users(store, 1)[0]
    bulk_insert = guanxi_side.method(store, "bulk_insert")
    marks: list[float] = []

    def progress(done: int) -> None:
        # Called after each batch: a mark each time CHUNK more rows are written.
        if done // CHUNK > len(marks) - 1:
            marks.append(time.perf_counter())

    def run() -> Any:
        marks.append(time.perf_counter())
        return bulk_insert(rep, "lead", rows, progress=progress)

    cpu = cpu_seconds()
    seconds, report = time_once(run)
    cpu = cpu_seconds() - cpu
    if getattr(report, "inserted", None) != len(rows):
        raise AssertionError(f"Guanxi imported {report!r}, expected {len(rows)} rows")
    # Where it can, bulk_insert checks the next batches in a second process: the CPU
    # time (both processes) is shown beside the wall-clock time measured.
    details: dict[str, Any] = {"report": repr(report)[:300],
                               "checked_ahead": _ahead_possible(),
                               "cpu_s": round(cpu, 3), "wall_s": round(seconds, 3)}
    if len(marks) > 2:
        details["rows_per_s_per_100k"] = [
            round(CHUNK / (later - earlier)) for earlier, later in pairwise(marks)]
    dispose = getattr(getattr(store, "engine", None), "dispose", None)
    if dispose:
        dispose()
    return seconds, details


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    rows = lead_rows(sizes.rows)
    repeat = sizes.repeat

    if backend.name == "sqlite":
        raw_name, raw = "raw sqlite3 executemany", raw_sqlite
        audited_name, audited = AUDITED_SQLITE, audited_sqlite
    else:
        raw_name, raw = "psycopg COPY", raw_copy
        audited_name, audited = AUDITED_COPY, audited_copy
    django_rows = min(sizes.django_rows, sizes.rows)
    django_url = backend.fresh_url("django-import", own_database=True)
    django_s = best(django(django_url, django_rows, repeat))
    details: dict[str, Any] = {"rows": len(rows), "django_rows": django_rows}
    # The contenders take turns, one run each per round, so that a machine whose speed
    # drifts (a shared host) slows them alike; each keeps its best run.
    raw_runs: list[float] = []
    audited_runs: list[float] = []
    core_runs: list[float] = []
    runs: list[tuple[float, dict[str, Any]]] = []
    missing: Unavailable | None = None
    for _ in range(repeat):
        raw_runs.append(raw(backend.fresh_url("raw-import"), rows))
        audited_runs.append(audited(backend.fresh_url("audited-import"), rows))
        core_runs.append(sqlalchemy_core(backend.fresh_url("core-import"), rows))
        if missing is None:
            try:
                runs.append(guanxi(ctx, rows))
            except Unavailable as reason:
                missing = reason
    rates = {
        raw_name: len(rows) / best(raw_runs),
        audited_name: len(rows) / best(audited_runs),
        "SQLAlchemy Core executemany": len(rows) / best(core_runs),
        "Django full_clean + bulk_create": django_rows / django_s,
    }
    targets = {raw_name: RAW_TARGET, "Django full_clean + bulk_create": DJANGO_TARGET}
    if missing is not None:
        baselines = [
            measure(CASE, backend.name, "rows/s", "rows/s", None, name, rate,
                    targets.get(name, NO_TARGET), details=details)
            for name, rate in rates.items()
        ]
        return unavailable(CASE, backend.name, str(missing), baselines)
    guanxi_rate = len(rows) / best([s for s, _ in runs])
    details["guanxi"] = runs[0][1]
    results = [
        measure(CASE, backend.name, "rows/s", "rows/s", guanxi_rate, name, rate,
                targets.get(name, NO_TARGET), details=details)
        for name, rate in rates.items()
    ]
    chunks = runs[0][1].get("rows_per_s_per_100k")
    if chunks:
        results.append(measure(CASE, backend.name, "rows/s, last 100k", "rows/s",
                               chunks[-1], "first 100k of the same import", chunks[0],
                               LINEAR_TARGET, details=details))
    return results
