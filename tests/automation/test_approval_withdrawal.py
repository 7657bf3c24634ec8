"""Approvals follow their record: deleting the record withdraws its pending requests
(a consumer of the change events, run by the real worker), and reminders repeat at the
declared interval until the request is decided or withdrawn, once per due time."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from approval_project import FILES, START, Buying, open_buying
from guanxi.automation import asking, jobs, notifications, timers
from guanxi.automation.handlers import run_timer
from guanxi.automation.worker import Worker

DAY = dt.timedelta(days=1)
# Buyers may delete purchases; `approve` reminds daily, three times at most.
DELETING = {**FILES, "entities/purchase.yaml": FILES["entities/purchase.yaml"].replace(
    "buyer: {create: all, read: all, update: all}",
    "buyer: {create: all, read: all, update: all, delete: all}")}
REPEATING = {**DELETING, "workflows/buying.yaml": FILES["workflows/buying.yaml"].replace(
    "remind: 1d", "remind: {every: 1d, times: 3}")}


@pytest.fixture
def buying(write_project, db_url: str) -> Iterator[Buying]:  # type: ignore[no-untyped-def]
    made = open_buying(write_project(DELETING, name="buying"), db_url)
    yield made
    made.store.dispose()


@pytest.fixture
def repeating(write_project, db_url: str) -> Iterator[Buying]:  # type: ignore[no-untyped-def]
    made = open_buying(write_project(REPEATING, name="buying"), db_url)
    yield made
    made.store.dispose()


def _texts(buying: Buying, user_id: int) -> list[str]:
    return [n.text("en") for n in notifications.inbox(buying.store.engine, user_id)]


def _reminders(buying: Buying, user_id: int) -> int:
    return sum("still waits for your approval" in t for t in _texts(buying, user_id))


def _approval(buying: Buying, approval_id: int) -> dict[str, Any]:
    with buying.store.engine.connect() as conn:
        row = conn.execute(sa.select(asking.APPROVALS).where(
            asking.APPROVALS.c.id == approval_id)).mappings().one()
        tasks = conn.execute(sa.select(asking.TASKS.c.decision).where(
            asking.TASKS.c.approval_id == approval_id)).scalars().all()
    return {**row, "tasks": list(tasks)}


def _said(buying: Buying, record_id: int) -> list[tuple[str, str]]:
    return [(h["user"], h["changes"]["approval"]["new"]["event"])
            for h in buying.store.history(buying.rita, "purchase", record_id)
            if h["action"] == "approval"]


def test_deleting_the_record_withdraws_its_pending_request(buying: Buying) -> None:
    record_id, fired = buying.ask()
    approval = fired["approval"]["id"]
    buying.store.delete(buying.mona, "purchase", record_id)
    lines = buying.run(START)
    assert f"approval {approval} withdrawn: purchase {record_id} was deleted" in lines
    assert buying.store.approvals(buying.mona) == []
    with buying.store.engine.connect() as conn:
        assert asking.pending_count(conn, buying.mona.id) == 0
    found = _approval(buying, approval)
    assert found["state"] == "withdrawn"
    assert found["tasks"] == ["withdrawn"]
    decided = buying.store.approvals(buying.mona, decided=True)
    assert [(a["id"], a["state"], a["decision"]) for a in decided] == [
        (approval, "withdrawn", "withdrawn")]
    assert _texts(buying, buying.rita.id)[0] == (
        f"purchase {record_id} was deleted: your request for Approve is withdrawn")
    assert timers.pending(buying.store.engine, "purchase", record_id) == []


def test_a_withdrawn_request_is_never_reminded(buying: Buying) -> None:
    record_id, _ = buying.ask()
    buying.store.delete(buying.mona, "purchase", record_id)
    buying.run(START)
    buying.run(START + 2 * DAY)
    assert _reminders(buying, buying.mona.id) == 0


def test_restoring_the_record_does_not_reopen_the_request(buying: Buying) -> None:
    record_id, fired = buying.ask()
    buying.store.delete(buying.rita, "purchase", record_id)
    buying.run(START)
    buying.store.restore(buying.rita, "purchase", record_id)
    buying.run(START)
    assert buying.state(record_id) == "submitted"
    assert buying.store.pending_approval(buying.rita, "purchase", record_id) is None
    assert _approval(buying, fired["approval"]["id"])["state"] == "withdrawn"
    assert _said(buying, record_id) == [("rita", "requested"), ("system", "withdrawn")]
    asked = buying.store.transition(buying.rita, "purchase", record_id, "approve")
    assert asked["approval"]["state"] == "pending"
    assert [a["id"] for a in buying.store.approvals(buying.mona)] == [asked["approval"]["id"]]


def test_the_requester_who_deleted_the_record_is_not_told(buying: Buying) -> None:
    record_id, fired = buying.ask()
    buying.store.delete(buying.rita, "purchase", record_id)
    buying.run(START)
    assert _approval(buying, fired["approval"]["id"])["state"] == "withdrawn"
    assert not any("withdrawn" in t for t in _texts(buying, buying.rita.id))


def test_a_request_asked_between_deletion_and_following_is_kept(buying: Buying) -> None:
    record_id, first = buying.ask()
    buying.store.delete(buying.rita, "purchase", record_id)
    buying.store.restore(buying.rita, "purchase", record_id)
    buying.store.transition(buying.rita, "purchase", record_id, "withdraw")  # cancels it
    buying.store.transition(buying.rita, "purchase", record_id, "submit")
    asked = buying.store.transition(buying.rita, "purchase", record_id, "approve")
    buying.run(START)  # follows the deletion only now, on the same clock
    assert _approval(buying, first["approval"]["id"])["state"] == "cancelled"
    assert _approval(buying, asked["approval"]["id"])["state"] == "pending"
    assert [a["id"] for a in buying.store.approvals(buying.mona)] == [asked["approval"]["id"]]


def test_a_decided_request_is_left_as_it_was(buying: Buying) -> None:
    record_id, fired = buying.ask()
    buying.store.decide_approval(buying.mona, fired["approval"]["id"], "reject", "no")
    buying.store.delete(buying.rita, "purchase", record_id)
    buying.run(START)
    assert _approval(buying, fired["approval"]["id"])["state"] == "rejected"


def test_the_record_a_merge_folds_away_withdraws_its_request(buying: Buying) -> None:
    keep = buying.purchase()
    gone, fired = buying.ask()
    buying.store.merge(buying.mona, "purchase", keep["id"], gone)
    buying.run(START)
    assert _approval(buying, fired["approval"]["id"])["state"] == "withdrawn"


# ---------------------------------------------------------------- repeated reminders


def test_reminders_repeat_every_day_up_to_the_declared_times(repeating: Buying) -> None:
    record_id, _ = repeating.ask()
    seen = []
    for hours in (23, 25, 47, 49, 73, 97, 121):
        repeating.run(START + dt.timedelta(hours=hours))
        seen.append(_reminders(repeating, repeating.mona.id))
    assert seen == [0, 1, 1, 2, 3, 3, 3]
    assert timers.pending(repeating.store.engine, "purchase", record_id) == []


def test_reminders_stop_once_the_request_is_decided(repeating: Buying) -> None:
    _, fired = repeating.ask()
    repeating.run(START + DAY)
    repeating.store.decide_approval(repeating.mona, fired["approval"]["id"], "approve")
    repeating.run(START + 5 * DAY)
    assert _reminders(repeating, repeating.mona.id) == 1


def test_reminders_stop_once_the_request_is_withdrawn(repeating: Buying) -> None:
    record_id, _ = repeating.ask()
    repeating.run(START + DAY)
    repeating.store.delete(repeating.rita, "purchase", record_id)
    repeating.run(START + DAY)
    repeating.run(START + 5 * DAY)
    assert _reminders(repeating, repeating.mona.id) == 1


def test_a_worker_stopped_for_days_sends_one_reminder_not_a_burst(repeating: Buying) -> None:
    record_id, _ = repeating.ask()
    repeating.run(START + dt.timedelta(days=2, hours=12))
    assert _reminders(repeating, repeating.mona.id) == 1
    [armed] = timers.pending(repeating.store.engine, "purchase", record_id)
    assert armed["due_at"] == START + 3 * DAY


def test_a_reminder_job_run_twice_reminds_once_and_arms_one_successor(
        repeating: Buying) -> None:
    record_id, _ = repeating.ask()
    at = START + DAY
    assert timers.sweep(repeating.store.engine, at) == 1
    [job] = jobs.claim(repeating.store.engine, "w1", at, limit=10)
    run_timer(repeating.store, job, at)
    again = run_timer(repeating.store, job, at)  # as after a lost lease
    assert again.done == [f"approval {job.payload['name']} on purchase {record_id}: "
                          "already reminded"]
    assert _reminders(repeating, repeating.mona.id) == 1
    assert [t["due_at"] for t in timers.pending(repeating.store.engine, "purchase",
                                                  record_id)] == [START + 2 * DAY]


def test_several_workers_send_one_reminder_per_due_time(repeating: Buying) -> None:
    record_id, _ = repeating.ask()
    for day in (1, 2, 3):
        at = START + day * DAY
        workers = [Worker(repeating.store, name=f"w{i}") for i in range(4)]
        start = threading.Barrier(len(workers))
        errors: list[BaseException] = []

        def run(worker: Worker, at: dt.datetime = at,
                start: threading.Barrier = start, errors: list[BaseException] = errors
                ) -> None:
            try:
                start.wait()
                worker.run_until_quiet(at)
            except BaseException as error:  # reported below
                errors.append(error)
        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert _reminders(repeating, repeating.mona.id) == day
    assert timers.pending(repeating.store.engine, "purchase", record_id) == []
