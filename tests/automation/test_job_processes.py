"""The job queue across real worker processes on one PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.automation.tables import TABLES
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction
from job_probe import RUNS

PROBE = Path(__file__).with_name("job_probe.py")


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    made = create_engine(postgres_url)
    TABLES.jobs.create(made)
    RUNS.create(made)
    yield made
    made.dispose()


def _worker(url: str, name: str, mode: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROBE.parent)}
    return subprocess.Popen([sys.executable, str(PROBE), url, name, mode, *extra],
                            stdout=subprocess.PIPE if mode == "hang" else subprocess.DEVNULL,
                            text=True, env=env)


def _enqueue(engine: sa.Engine, count: int) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with transaction(engine, write=True) as conn:
        jobs.enqueue_many(conn, [{"kind": "probe", "payload": {"n": n}}
                                 for n in range(count)], now=now)


@pytest.mark.slow
def test_four_worker_processes_run_ten_thousand_jobs_once_each(
        engine: sa.Engine, postgres_url: str) -> None:
    _enqueue(engine, 10_000)
    workers = [_worker(postgres_url, f"w{n}", "run") for n in range(4)]
    for process in workers:
        assert process.wait(timeout=600) == 0
    with engine.connect() as conn:
        runs = conn.execute(sa.select(RUNS.c.job_id, sa.func.count())
                            .group_by(RUNS.c.job_id)).all()
        states = dict(conn.execute(sa.select(TABLES.jobs.c.state, sa.func.count())
                                   .group_by(TABLES.jobs.c.state)).all())
        workers_used = conn.execute(sa.select(sa.func.count(RUNS.c.worker.distinct()))
                                    ).scalar()
    assert len(runs) == 10_000  # none lost
    assert max(n for _, n in runs) == 1  # none twice
    assert states == {"done": 10_000}
    assert workers_used == 4


def test_the_job_of_a_killed_worker_runs_again_after_its_lease(
        engine: sa.Engine, postgres_url: str) -> None:
    _enqueue(engine, 1)
    hung = _worker(postgres_url, "doomed", "hang")
    assert hung.stdout is not None
    job_id = int(hung.stdout.readline())
    hung.send_signal(signal.SIGKILL)
    hung.wait(timeout=30)
    hung.stdout.close()
    during_lease = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    assert _worker(postgres_url, "early", "run", during_lease).wait(timeout=60) == 0
    after_lease = (dt.datetime.now(dt.UTC) + jobs.LEASE * 2).isoformat()
    assert _worker(postgres_url, "rescuer", "run", after_lease).wait(timeout=60) == 0
    with engine.connect() as conn:
        runs = conn.execute(sa.select(RUNS.c.worker).where(RUNS.c.job_id == job_id)).all()
        job = conn.execute(sa.select(TABLES.jobs).where(TABLES.jobs.c.id == job_id)
                           ).mappings().one()
    assert [r.worker for r in runs] == ["rescuer"]
    assert (job["state"], job["attempts"]) == ("done", 2)
