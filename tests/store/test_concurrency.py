"""Concurrent writers with real threads, each with its own database connection.

SQLite writers queue on `BEGIN IMMEDIATE`; PostgreSQL writers lock the row. Either way
compare-and-set lets exactly one of several conflicting writes win, and nothing is lost.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from guanxi.errors import GuanxiError, TransitionRefused, VersionConflict
from store_project import open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads started together; each outcome is its result or
    the exception it raised."""
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
    for thread in threads:
        thread.join()
    return outcomes


def test_conflicting_updates_one_wins_the_other_gets_a_conflict(sales):
    store = sales.store
    lead = store.create(sales.rep, "lead", {"name": "Li", "phone": "10000"})
    phones = ["11111", "22222"]
    outcomes = race(2, lambda i: store.update(sales.rep, "lead", lead["id"],
                                              {"phone": phones[i]}, expected_version=1))
    winners = [o for o in outcomes if isinstance(o, dict)]
    conflicts = [o for o in outcomes if isinstance(o, VersionConflict)]
    assert len(winners) == 1 and len(conflicts) == 1
    stored = store.get(sales.rep, "lead", lead["id"])
    assert stored["phone"] == winners[0]["phone"] and stored["version"] == 2
    assert [h["action"] for h in store.history(sales.rep, "lead", lead["id"])] == [
        "create", "update"]


def test_updates_without_a_version_all_apply_and_none_is_lost(sales):
    store = sales.store
    lead = store.create(sales.rep, "lead", {"name": "Li", "visits": 0, "phone": "10000"})
    fields = ["visits", "phone", "notes", "referrer", "code", "probability"]
    values = [5, "12345", "note", "Bo", "AB-123", 40]
    outcomes = race(len(fields), lambda i: store.update(sales.rep, "lead", lead["id"],
                                                        {fields[i]: values[i]}))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    stored = store.get(sales.rep, "lead", lead["id"])
    assert [stored[f] for f in fields] == values
    assert stored["version"] == 1 + len(fields)


def test_twenty_racing_transitions_exactly_one_fires(sales):
    store = sales.store
    lead = store.create(sales.rep, "lead", {"name": "Li", "value": 100})
    store.transition(sales.rep, "lead", lead["id"], "contact")
    outcomes = race(20, lambda i: store.transition(sales.rep, "lead", lead["id"], "qualify",
                                                   expected_version=2))
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds["dict"] == 1
    assert all(isinstance(o, dict | VersionConflict | TransitionRefused) for o in outcomes)
    history = store.history(sales.rep, "lead", lead["id"])
    assert [h["transition"] for h in history].count("qualify") == 1
    assert store.get(sales.rep, "lead", lead["id"])["version"] == 3


def test_twenty_racing_transitions_without_version_exactly_one_fires(sales):
    store = sales.store
    lead = store.create(sales.rep, "lead", {"name": "Li"})
    outcomes = race(20, lambda i: store.transition(sales.rep, "lead", lead["id"], "contact"))
    assert sum(isinstance(o, dict) for o in outcomes) == 1
    assert all(isinstance(o, dict | GuanxiError) for o in outcomes)
    history = store.history(sales.rep, "lead", lead["id"])
    assert [h["action"] for h in history] == ["create", "transition"]


def test_concurrent_creates_of_a_unique_value_keep_one(sales):
    store = sales.store
    outcomes = race(8, lambda i: store.create(sales.rep, "lead",
                                              {"name": f"n{i}", "email": "same@x.cn"}))
    assert sum(isinstance(o, dict) for o in outcomes) == 1
    assert all(isinstance(o, dict | GuanxiError) for o in outcomes)
    assert store.count(sales.rep, "lead") == 1
