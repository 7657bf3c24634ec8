"""Two redemptions of 500 points against a balance of 741, at the same time, with real
threads and their own connections: the balance is a roll-up of point movements and the
member's rule `points >= 0` is checked in each movement's transaction with the member's
row locked, so exactly one succeeds and the balance never goes below zero."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from guanxi.errors import ValidationFailed
from rollup_project import Members, open_members


def race(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[threading.Thread]]:
    """Start `work(i)` in `count` threads together; their outcomes (result or exception,
    filled in as they finish) and the threads."""
    barrier = threading.Barrier(count)
    outcomes: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Exception as error:
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return outcomes, threads


def _redeem(members: Members, member: int) -> Callable[[int], Any]:
    return lambda _: members.store.create(members.clerk, "movement",
                                          {"member": member, "points": -500})


def _balance(members: Members, member: int) -> int:
    return int(members.store.get(members.clerk, "member", member)["points"])


@pytest.fixture
def members(write_project, db_url: str) -> Iterator[Members]:
    opened = open_members(write_project, db_url)
    yield opened
    opened.store.dispose()


@pytest.fixture
def pg_members(write_project, postgres_url: str) -> Iterator[Members]:
    opened = open_members(write_project, postgres_url)
    yield opened
    opened.store.dispose()


def _start_balance(members: Members) -> int:
    member = int(members.store.create(members.clerk, "member", {"name": "Mei"})["id"])
    members.store.create(members.clerk, "movement", {"member": member, "points": 741})
    return member


def test_two_concurrent_redemptions_never_overdraw(members):
    member = _start_balance(members)
    outcomes, threads = race(2, _redeem(members, member))
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["ValidationFailed", "dict"]
    assert _balance(members, member) == 241


def _waiting_on_locks(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar_one())


def test_redemptions_that_both_inserted_before_either_checked_still_never_overdraw(
        pg_members):
    members = pg_members
    member = _start_balance(members)
    table = members.app.tables.entities["member"]
    holder = members.store.engine.connect()
    transaction = holder.begin()
    # Hold the member's row so both redemptions insert their movement, then queue.
    holder.execute(sa.select(table.c.id).where(table.c.id == member)
                   .with_for_update(key_share=True))
    outcomes, threads = race(2, _redeem(members, member))
    deadline = time.monotonic() + 30
    while _waiting_on_locks(members.store.engine) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _waiting_on_locks(members.store.engine) == 2
    transaction.rollback()
    holder.close()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, ValidationFailed) for o in outcomes) == 1
    assert sum(isinstance(o, dict) for o in outcomes) == 1
    assert _balance(members, member) == 241
