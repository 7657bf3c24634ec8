"""A worker process for the job-queue tests: `python job_probe.py URL NAME run|hang`.

run: claim "probe" jobs until none is left, recording each run in `probe_run` in the
transaction that completes the job. hang: claim one job, say so, and sleep (to be
killed with SIGKILL)."""

from __future__ import annotations

import datetime as dt
import sys
import time

import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction

RUNS = sa.Table("probe_run", sa.MetaData(),
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("job_id", sa.BigInteger, nullable=False),
                sa.Column("worker", sa.String(100), nullable=False))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run(engine: sa.Engine, name: str, at: dt.datetime | None) -> None:
    idle = 0
    while idle < 3:
        claimed = jobs.claim(engine, name, at or now(), limit=20)
        if not claimed:
            idle += 1
            time.sleep(0.05)
            continue
        idle = 0
        for job in claimed:
            with transaction(engine, write=True) as conn:
                conn.execute(RUNS.insert().values(job_id=job.id, worker=name))
                jobs.complete(conn, job, name, at or now())


def hang(engine: sa.Engine, name: str) -> None:
    [job] = jobs.claim(engine, name, now(), limit=1)
    print(job.id, flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    url, worker, mode = sys.argv[1:4]
    moment = dt.datetime.fromisoformat(sys.argv[4]) if len(sys.argv) > 4 else None
    engine = create_engine(url)
    if mode == "hang":
        hang(engine, worker)
    else:
        run(engine, worker, moment)
    engine.dispose()
