"""A brake on guessing passwords, kept in the database so every server process shares it.

Each sign-in attempt is counted *before* its password is checked, for the username and
for the client address at once, in one transaction that locks both counts (`FOR UPDATE`
on PostgreSQL, the write lock on SQLite). So however many attempts arrive together, at
most `limit` of them for one username (and `address_limit` from one address, whatever
usernames they try) are ever checked; the rest are refused at once, before hashing.

After `limit` counted attempts for a username (`address_limit` for an address), the next
one must wait `wait_seconds`, doubled for each further attempt, up to `max_wait_seconds`.
A successful sign-in clears the username's count and takes its own attempt back off the
address's count. Counts older than `forget_seconds` start again.

Checking a password costs 64 MiB of memory for Argon2, so a process checks at most
`max_checks` at a time; a sign-in that finds them all busy is turned away at once (503,
Retry-After) rather than queued.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from guanxi.compile.tables import define_login_attempt_table
from guanxi.store.database import WRITE_OPTION
from sqlalchemy.dialects import postgresql, sqlite

ATTEMPTS = define_login_attempt_table(sa.MetaData())
SUBJECT_MAX = 200
PURGE_EVERY = 200  # attempts between sweeps of forgotten counts


def create_table(engine: sa.Engine) -> None:
    """Create the brake's table if it is not there yet (databases made before it)."""
    ATTEMPTS.metadata.create_all(engine, checkfirst=True)


def _insert(dialect: str) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """INSERT … ON CONFLICT as the dialect spells it."""
    if dialect == "postgresql":
        return postgresql.insert
    return sqlite.insert


@dataclass
class LoginBrake:
    """Counts sign-in attempts per username and per client address (see the module)."""

    limit: int = 5
    address_limit: int = 20
    wait_seconds: float = 30.0
    max_wait_seconds: float = 15 * 60.0
    forget_seconds: float = 24 * 3600.0
    max_checks: int = 4
    clock: Callable[[], float] = time.time
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _attempts: Iterator[int] = field(init=False, repr=False,
                                     default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        if min(self.limit, self.address_limit, self.max_checks) < 1:
            raise ValueError("limit, address_limit and max_checks must be at least 1")
        self._slots = threading.BoundedSemaphore(self.max_checks)

    def _subjects(self, username: str, address: str) -> dict[str, int]:
        """The counted subjects of an attempt and the limit of each."""
        return {("u:" + username.strip().lower())[:SUBJECT_MAX]: self.limit,
                ("a:" + address)[:SUBJECT_MAX]: self.address_limit}

    def _wait(self, count: int, limit: int) -> float:
        """How long a subject with `count` attempts waits (0 below its limit)."""
        if count < limit:
            return 0.0
        return min(self.wait_seconds * 2.0 ** min(count - limit, 40), self.max_wait_seconds)

    @contextmanager
    def check_slot(self) -> Iterator[bool]:
        """Yields True with one of this process's password-check slots held, False when
        all are busy (the caller answers 'try again' without checking)."""
        held = self._slots.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                self._slots.release()

    def reserve(self, engine: sa.Engine, username: str, address: str) -> int:
        """Count an attempt before its password is checked: 0 when it may go ahead (and is
        now counted), otherwise the seconds to wait (nothing counted, nothing checked)."""
        subjects = self._subjects(username, address)
        now = self.clock()
        with engine.begin() as conn:
            # The insert takes SQLite's write lock before anything is read; on PostgreSQL
            # the rows are then locked by FOR UPDATE, in one order (no deadlocks).
            conn.execute(_insert(conn.dialect.name)(ATTEMPTS).values(
                [{"subject": s, "failures": 0, "last_at": now, "blocked_until": 0.0}
                 for s in sorted(subjects)]).on_conflict_do_nothing())
            rows = conn.execute(
                sa.select(ATTEMPTS).where(ATTEMPTS.c.subject.in_(sorted(subjects)))
                .order_by(ATTEMPTS.c.subject).with_for_update()).all()
            wait: float = max(row.blocked_until - now for row in rows)
            if wait > 0:
                return math.ceil(wait)
            for row in rows:
                count = (row.failures if now - row.last_at < self.forget_seconds else 0) + 1
                pause = self._wait(count, subjects[row.subject])
                conn.execute(sa.update(ATTEMPTS).where(ATTEMPTS.c.subject == row.subject)
                             .values(failures=count, last_at=now,
                                     blocked_until=now + pause if pause else 0.0))
            if next(self._attempts) % PURGE_EVERY == 0:
                conn.execute(sa.delete(ATTEMPTS).where(
                    ATTEMPTS.c.last_at < now - self.forget_seconds,
                    ATTEMPTS.c.blocked_until < now))
        return 0

    def succeeded(self, engine: sa.Engine, username: str, address: str) -> None:
        """The reserved attempt was right: forget the username's count, and give the
        address its attempt back."""
        user_key, address_key = self._subjects(username, address)
        with engine.begin() as conn:
            conn.execute(sa.delete(ATTEMPTS).where(ATTEMPTS.c.subject == user_key))
            conn.execute(sa.update(ATTEMPTS).where(ATTEMPTS.c.subject == address_key).values(
                failures=sa.func.max(ATTEMPTS.c.failures - 1, 0)
                if conn.dialect.name == "sqlite"
                else sa.func.greatest(ATTEMPTS.c.failures - 1, 0),
                blocked_until=sa.case((ATTEMPTS.c.failures - 1 < self.address_limit, 0.0),
                                      else_=ATTEMPTS.c.blocked_until)))

    def seconds_to_wait(self, engine: sa.Engine, username: str, address: str) -> int:
        """0 when an attempt may be made now; otherwise how many seconds remain."""
        now = self.clock()
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: False})
            until = conn.execute(
                sa.select(sa.func.max(ATTEMPTS.c.blocked_until))
                .where(ATTEMPTS.c.subject.in_(list(self._subjects(username, address))))
            ).scalar()
        return max(0, math.ceil((until or 0.0) - now))
