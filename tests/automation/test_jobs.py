"""The job queue on one database: idempotency keys, leases, backoff, the failed state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from guanxi.automation import jobs
from guanxi.automation.tables import TABLES
from guanxi.store.database import create_engine
from guanxi.store.unit import transaction

NOW = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = create_engine(db_url)
    TABLES.jobs.create(made)
    yield made
    made.dispose()


def _enqueue(engine: sa.Engine, key: str | None = None, max_attempts: int = 5) -> int | None:
    with transaction(engine, write=True) as conn:
        return jobs.enqueue(conn, "probe", {"n": 1}, now=NOW, key=key,
                            max_attempts=max_attempts)


def test_a_job_with_a_known_key_is_not_enqueued_again(engine: sa.Engine) -> None:
    first = _enqueue(engine, key="timer:7")
    assert _enqueue(engine, key="timer:7") is None
    assert [job.id for job in jobs.list_jobs(engine)] == [first]


def test_a_claimed_job_is_not_claimed_again_while_its_lease_lasts(engine: sa.Engine) -> None:
    _enqueue(engine)
    [job] = jobs.claim(engine, "a", NOW)
    assert jobs.claim(engine, "b", NOW + jobs.LEASE - SECOND) == []
    [again] = jobs.claim(engine, "b", NOW + jobs.LEASE + SECOND)
    assert (again.id, again.locked_by, again.attempts) == (job.id, "b", 2)


def test_a_worker_that_lost_its_lease_cannot_complete_the_job(engine: sa.Engine) -> None:
    _enqueue(engine)
    [job] = jobs.claim(engine, "a", NOW)
    jobs.claim(engine, "b", NOW + jobs.LEASE + SECOND)
    with transaction(engine, write=True) as conn:
        assert not jobs.complete(conn, job, "a", NOW + jobs.LEASE + 2 * SECOND)


def test_a_failed_attempt_waits_longer_each_time(engine: sa.Engine) -> None:
    _enqueue(engine)
    moment, waits = NOW, []
    for _ in range(3):
        [job] = jobs.claim(engine, "a", moment)
        jobs.fail(engine, job, "a", moment, "boom")
        [queued] = jobs.list_jobs(engine)
        waits.append(queued.run_at - moment)
        moment = queued.run_at
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60),
                     dt.timedelta(seconds=120)]


def test_the_last_attempt_parks_the_job_as_failed_with_its_error(engine: sa.Engine) -> None:
    _enqueue(engine, max_attempts=1)
    [job] = jobs.claim(engine, "a", NOW)
    assert jobs.fail(engine, job, "a", NOW, "the ticket may not be closed") == "failed"
    [parked] = jobs.list_jobs(engine, state="failed")
    assert parked.last_error == "the ticket may not be closed"
    assert jobs.claim(engine, "a", NOW + dt.timedelta(days=1)) == []
