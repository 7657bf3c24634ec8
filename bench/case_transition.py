"""Persisted workflow transitions: Store.transition (role check, guard, access rule,
compare-and-set on version and state, history row; one transaction each) against the
raw SQL a developer would write: one UPDATE that checks version, state, owner and the
guard in its WHERE, and one INSERT into a history table, committed per transition.

Both sides move the same `transitions` leads from `new` to `contacted`, one by one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bench import baseline_schema as schema
from bench import guanxi_side
from bench.case_import import raw_copy, raw_sqlite
from bench.databases import psycopg_conninfo, sqlite_path
from bench.harness import (
    Context,
    Measurement,
    Target,
    Unavailable,
    best,
    measure,
    time_once,
    unavailable,
)
from bench.projects import lead_rows

CASE = "transition"
TARGET = Target("abs_min", 5000.0, "≥ 5k/s")

_UPDATE = ("UPDATE lead SET state = {p}, version = version + 1, updated_at = {p} "
           "WHERE id = {p} AND version = {p} AND state = {p} AND owner = {p} "
           "AND deleted_at IS NULL AND value >= 0")
_HISTORY = ("INSERT INTO history (entity, record_id, at, user_id, action, transition, changes) "
            "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})")


def raw_transitions(url: str, backend: str, rows: list[dict[str, Any]]) -> float:
    """Seconds to move every lead new → contacted with raw UPDATE + INSERT per lead."""
    changes = json.dumps({"state": ["new", "contacted"]})
    if backend == "sqlite":
        raw_sqlite(url, rows)
        conn: Any = schema.sqlite_connect(sqlite_path(url))
        mark = "?"
    else:
        import psycopg

        raw_copy(url, rows)
        conn = psycopg.connect(psycopg_conninfo(url))
        mark = "%s"
    update = _UPDATE.format(p=mark)
    insert = _HISTORY.format(p=mark)
    ids = [r[0] for r in conn.execute("SELECT id FROM lead ORDER BY id").fetchall()]

    def run() -> None:
        for record_id in ids:
            now = dt.datetime.now(dt.UTC)
            at = now.isoformat(sep=" ") if backend == "sqlite" else now
            if backend == "sqlite":
                conn.execute("BEGIN IMMEDIATE")
            cursor = conn.execute(update, ("contacted", at, record_id, 1, "new", 1))
            if cursor.rowcount != 1:
                raise AssertionError(f"the raw transition of lead {record_id} matched no row")
            conn.execute(insert, ("lead", record_id, at, 1, "transition", "contact", changes))
            if backend == "sqlite":
                conn.execute("COMMIT")
            else:
                conn.commit()

    seconds, _ = time_once(run)
    conn.close()
    return seconds


def guanxi_transitions(ctx: Context, rows: list[dict[str, Any]]) -> float:
    """Seconds for Store.transition(rep, "lead", id, "contact", expected_version=1) on
    every lead, on a fresh database the rep imported them into."""
    app = guanxi_side.lead_app(ctx.workdir)
    store = guanxi_side.open_store(app, ctx.backend.fresh_url("gx-transition"))
    rep = guanxi_side.add_users(store, 1)[0]
    transition = guanxi_side.method(store, "transition")
    report = store.bulk_insert(rep, "lead", rows)
    if report.inserted != len(rows):
        raise AssertionError(f"populating the transition case failed: {report!r}")
    page = store.list(rep, "lead", limit=1, sort=("id",), with_total=False)
    first = page.items[0]["id"]
    ids = range(first, first + len(rows))

    def run() -> None:
        for record_id in ids:
            transition(rep, "lead", record_id, "contact", expected_version=1)

    seconds, _ = time_once(run)
    moved = store.count(rep, "lead", filters={"state": "contacted"})
    store.dispose()
    if moved != len(rows):
        raise AssertionError(f"{moved} of {len(rows)} leads moved to contacted")
    return seconds


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    rows = lead_rows(sizes.transitions)
    repeat = max(1, min(sizes.repeat, 2))
    raw_s = best([raw_transitions(backend.fresh_url("raw-transition"), backend.name, rows)
                  for _ in range(repeat)])
    name = "raw UPDATE + INSERT per transaction"
    details = {"transitions": len(rows)}
    baseline = measure(CASE, backend.name, "transitions/s", "1/s", None, name,
                       len(rows) / raw_s, TARGET, details=details)
    try:
        gx_s = best([guanxi_transitions(ctx, rows) for _ in range(repeat)])
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason), [baseline])
    return [measure(CASE, backend.name, "transitions/s", "1/s", len(rows) / gx_s, name,
                    len(rows) / raw_s, TARGET, details=details)]
