"""Automation: the due-timer sweep, and job-claim throughput across worker processes.

timers: `timers.sweep` fires N due timers (each marked fired and given its job, in
batches of 1000 per transaction) against the hand-written SQL doing the same updates:
per batch one `UPDATE gx_timer … WHERE id IN (SELECT … LIMIT 1000) RETURNING …` and
one multi-row INSERT into gx_job, in one transaction.

claim (PostgreSQL): M no-op jobs claimed (`FOR UPDATE SKIP LOCKED`, 20 at a time) and
completed (one transaction each) by 4 worker processes, against the same with 1
process; the ratio is the scaling.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from guanxi.automation import jobs, timers
from guanxi.automation.tables import TABLES
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction

from bench.harness import Context, Measurement, Target, best, measure, time_once

CASE = "automation"
SWEEP_TARGET = Target("ratio_min", 0.3, "≥ 0.3× raw SQL")
CLAIM_TARGET = Target("ratio_min", 2.5, "4 processes ≥ 2.5× 1")
BATCH = 1000
_RAW_FIRE = ("UPDATE gx_timer SET state = 'fired', fired_at = :now WHERE id IN "
             "(SELECT id FROM gx_timer WHERE state = 'pending' AND due_at <= :now "
             "ORDER BY due_at, id LIMIT 1000) "
             "RETURNING id, entity, record_id, source, name, step")
_RAW_JOB = ("INSERT INTO gx_job (kind, payload, key, state, run_at, attempts, max_attempts, "
            "created_at) VALUES ('timer', :payload, :key, 'queued', :now, 0, 5, :now)")


def _armed(url: str, count: int) -> tuple[sa.Engine, dt.datetime]:
    engine = create_engine(url)
    TABLES.timers.create(engine)
    TABLES.jobs.create(engine)
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    rows = [{"entity": "ticket", "record_id": n, "source": "timer", "name": "reply_alarm",
             "step": 0, "due_at": start, "state": "pending", "armed_at": start}
            for n in range(count)]
    with transaction(engine, write=True) as conn:
        conn.execute(TABLES.timers.insert(), rows)
    return engine, start + dt.timedelta(hours=1)


def guanxi_sweep(url: str, count: int) -> float:
    engine, now = _armed(url, count)

    def run() -> int:
        fired = 0
        while (n := timers.sweep(engine, now, limit=BATCH)):
            fired += n
        return fired

    seconds, fired = time_once(run)
    engine.dispose()
    if fired != count:
        raise AssertionError(f"the sweep fired {fired} of {count} timers")
    return seconds


def raw_sweep(url: str, count: int) -> float:
    engine, now = _armed(url, count)
    bound = now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now
    fire, job = sa.text(_RAW_FIRE), sa.text(_RAW_JOB)

    def run() -> int:
        fired = 0
        while True:
            with transaction(engine, write=True) as conn:
                rows = conn.execute(fire, {"now": bound}).all()
                if not rows:
                    return fired
                conn.execute(job, [{
                    "payload": json.dumps({"timer": r.id, "entity": r.entity,
                                           "record_id": r.record_id, "source": r.source,
                                           "name": r.name, "step": r.step}),
                    "key": f"timer:{r.id}", "now": bound} for r in rows])
                fired += len(rows)

    seconds, fired = time_once(run)
    engine.dispose()
    if fired != count:
        raise AssertionError(f"the raw sweep fired {fired} of {count} timers")
    return seconds


def claim_rate(url: str, count: int, processes: int, workdir: Path) -> float:
    """Jobs per second that `processes` worker processes claim and complete."""
    engine = create_engine(url)
    TABLES.jobs.create(engine)
    with transaction(engine, write=True) as conn:
        jobs.enqueue_many(conn, [{"kind": "noop", "payload": {}} for _ in range(count)],
                          now=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    start = workdir / f"start-{processes}-{id(engine)}"
    workers = [subprocess.Popen([sys.executable, "-m", "bench.jobs_worker", url, f"w{n}",
                                 str(start)], stdout=subprocess.PIPE, text=True)
               for n in range(processes)]
    start.touch()
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        reports.append([float(x) for x in out.split()])
    done = int(sum(r[0] for r in reports))
    engine.dispose()
    if done != count:
        raise AssertionError(f"{done} of {count} jobs ran")
    began, finished = min(r[1] for r in reports), max(r[2] for r in reports)
    return count / (finished - began)


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    count = sizes.timers
    repeat = max(1, min(sizes.repeat, 2))
    raw_s = best([raw_sweep(backend.fresh_url("raw-sweep"), count) for _ in range(repeat)])
    gx_s = best([guanxi_sweep(backend.fresh_url("gx-sweep"), count) for _ in range(repeat)])
    out = [measure(CASE, backend.name, "timers fired/s", "1/s", count / gx_s,
                   "raw UPDATE … RETURNING + INSERT per 1000", count / raw_s, SWEEP_TARGET,
                   details={"timers": count})]
    if backend.name == "postgresql":
        one = claim_rate(backend.fresh_url("claim-1"), sizes.jobs, 1, ctx.workdir)
        four = claim_rate(backend.fresh_url("claim-4"), sizes.jobs, 4, ctx.workdir)
        out.append(measure(CASE, backend.name, "jobs/s, 4 worker processes", "1/s", four,
                           "the same with 1 process", one, CLAIM_TARGET,
                           details={"jobs": sizes.jobs}))
    return out
