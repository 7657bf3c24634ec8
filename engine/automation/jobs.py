"""The durable job queue, in the project's own database (`gx_job`).

A job is enqueued in the transaction of whatever caused it, so it exists exactly when
that committed. Workers claim due jobs with `FOR UPDATE SKIP LOCKED` on PostgreSQL (so
concurrent workers never take the same job and never wait for each other) and inside a
short write transaction on SQLite (`BEGIN IMMEDIATE`: one claimer at a time). A claim is
a lease: the job is the worker's until `locked_until`; when a worker dies, its jobs come
due again once the lease has passed, and another worker takes them (jobs run at least
once; their actions are idempotent or checked before they act).

A failing job is retried after an exponential backoff (`BACKOFF` × 2^(attempt − 1),
at most `MAX_BACKOFF`) until `max_attempts`, then parked as `failed` with its error,
to be retried or cancelled by an administrator (`guanxi jobs retry|cancel`). A job
enqueued with an idempotency `key` is enqueued once: later ones with the same key are
ignored.

States: queued → running → done | (queued again) | failed; cancelled by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.automation.tables import TABLES
from guanxi.store.unit import transaction
from sqlalchemy.dialects import postgresql, sqlite

JOBS = TABLES.jobs
LEASE = dt.timedelta(minutes=5)
BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=6)
MAX_ATTEMPTS = 5
STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(frozen=True, slots=True)
class Job:
    """One job as claimed or listed."""

    id: int
    kind: str
    payload: dict[str, Any]
    key: str | None
    state: str
    run_at: dt.datetime
    attempts: int
    max_attempts: int
    locked_by: str | None
    locked_until: dt.datetime | None
    last_error: str | None
    result: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _insert(conn: sa.Connection) -> Any:
    return (postgresql.insert(JOBS) if conn.dialect.name == "postgresql"
            else sqlite.insert(JOBS))


def enqueue(conn: sa.Connection, kind: str, payload: dict[str, Any], *, now: dt.datetime,
            run_at: dt.datetime | None = None, key: str | None = None,
            max_attempts: int = MAX_ATTEMPTS) -> int | None:
    """Add a job in `conn`'s transaction; its id, or None when a job with `key` exists."""
    statement = _insert(conn).values(
        kind=kind, payload=payload, key=key, state="queued", run_at=run_at or now,
        attempts=0, max_attempts=max_attempts, created_at=now)
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    found = conn.execute(statement.returning(JOBS.c.id)).scalar()
    return int(found) if found is not None else None


def enqueue_many(conn: sa.Connection, jobs: list[dict[str, Any]], *,
                 now: dt.datetime) -> None:
    """Add many jobs (each a mapping with kind, payload and optionally key, run_at)."""
    if not jobs:
        return
    rows = [{"kind": job["kind"], "payload": job["payload"], "key": job.get("key"),
             "state": "queued", "run_at": job.get("run_at") or now, "attempts": 0,
             "max_attempts": job.get("max_attempts", MAX_ATTEMPTS), "created_at": now}
            for job in jobs]
    conn.execute(_insert(conn).on_conflict_do_nothing(index_elements=["key"]), rows)


def _due(now: dt.datetime) -> Any:
    return sa.or_(sa.and_(JOBS.c.state == "queued", JOBS.c.run_at <= now),
                  sa.and_(JOBS.c.state == "running", JOBS.c.locked_until < now))


def claim(engine: sa.Engine, worker: str, now: dt.datetime, *, limit: int = 10,
          lease: dt.timedelta = LEASE) -> list[Job]:
    """Take up to `limit` due jobs (queued and due, or running with a lapsed lease),
    oldest first, leased to `worker` until now + `lease`."""
    with engine.connect() as conn:  # a read first: an idle worker takes no write lock
        if conn.execute(sa.select(JOBS.c.id).where(_due(now)).limit(1)).first() is None:
            return []
    chosen = (sa.select(JOBS.c.id).where(_due(now)).order_by(JOBS.c.run_at, JOBS.c.id)
              .limit(limit).with_for_update(skip_locked=True))
    statement = (JOBS.update().where(JOBS.c.id.in_(chosen.scalar_subquery()))
                 .values(state="running", locked_by=worker, locked_until=now + lease,
                         attempts=JOBS.c.attempts + 1)
                 .returning(*JOBS.c))
    with transaction(engine, write=True) as conn:
        rows = conn.execute(statement).mappings().all()
    return sorted((Job(**row) for row in rows), key=lambda job: (job.run_at, job.id))


def _mine(job: Job, worker: str) -> Any:
    return sa.and_(JOBS.c.id == job.id, JOBS.c.locked_by == worker,
                   JOBS.c.state == "running")


def complete(conn: sa.Connection, job: Job, worker: str, now: dt.datetime,
             result: str | None = None) -> bool:
    """Mark the job done (in `conn`'s transaction, so with the job's own writes);
    False when the worker no longer holds it (its lease lapsed and another took it)."""
    done = conn.execute(JOBS.update().where(_mine(job, worker)).values(
        state="done", finished_at=now, locked_by=None, locked_until=None,
        result=None if result is None else result[:2000]))
    return bool(done.rowcount)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait before attempt `attempts + 1`."""
    wait: dt.timedelta = BACKOFF * 2 ** max(attempts - 1, 0)
    return min(wait, MAX_BACKOFF)


def fail(engine: sa.Engine, job: Job, worker: str, now: dt.datetime, error: str) -> str:
    """Record a failed attempt: queued again after the backoff, or `failed` once the
    attempts are spent. Returns the job's new state."""
    final = job.attempts >= job.max_attempts
    values: dict[str, Any] = {"locked_by": None, "locked_until": None,
                              "last_error": error[:4000]}
    if final:
        values.update(state="failed", finished_at=now)
    else:
        values.update(state="queued", run_at=now + backoff(job.attempts))
    with transaction(engine, write=True) as conn:
        conn.execute(JOBS.update().where(_mine(job, worker)).values(**values))
    return "failed" if final else "queued"


def retry(engine: sa.Engine, job_id: int, now: dt.datetime) -> bool:
    """Queue a failed (or cancelled) job again, now, with its attempts reset."""
    with transaction(engine, write=True) as conn:
        done = conn.execute(JOBS.update().where(
            JOBS.c.id == job_id, JOBS.c.state.in_(("failed", "cancelled"))).values(
            state="queued", run_at=now, attempts=0, finished_at=None))
    return bool(done.rowcount)


def cancel(engine: sa.Engine, job_id: int, now: dt.datetime) -> bool:
    """Cancel a queued or failed job (a running one finishes its attempt)."""
    with transaction(engine, write=True) as conn:
        done = conn.execute(JOBS.update().where(
            JOBS.c.id == job_id, JOBS.c.state.in_(("queued", "failed"))).values(
            state="cancelled", finished_at=now))
    return bool(done.rowcount)


def list_jobs(engine: sa.Engine, *, state: str | None = None, limit: int = 100) -> list[Job]:
    """The newest jobs first, optionally only those in `state`."""
    query = sa.select(JOBS).order_by(JOBS.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(JOBS.c.state == state)
    with engine.connect() as conn:
        return [Job(**row) for row in conn.execute(query).mappings()]


def counts(engine: sa.Engine) -> dict[str, int]:
    """How many jobs are in each state."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(JOBS.c.state, sa.func.count())
                            .group_by(JOBS.c.state)).all()
    return {str(state): int(n) for state, n in rows}
