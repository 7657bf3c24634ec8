"""Imports queued as jobs (`guanxi.data.queue`): run by the worker as the user who sent
the file, once, with their progress and problems kept for the import's page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crm_project import Crm, open_crm
from guanxi.accounts.users import set_active
from guanxi.automation import jobs
from guanxi.automation.worker import Worker
from guanxi.data import batches, plug, queue

plug.install()


@pytest.fixture
def crm(write_project, sqlite_url: str) -> Iterator[Crm]:
    made = open_crm(write_project, sqlite_url)
    yield made
    made.store.dispose()


def queued(crm: Crm, tmp_path: Path, text: str, mode: str = "all-or-nothing") -> int:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return queue.queue(crm.store, crm.manager, "customer", path, "customers.csv", mode, (),
                       None)


def names(crm: Crm) -> list[str]:
    table = crm.app.entity("customer").table
    with crm.store.engine.connect() as conn:
        return [r.name for r in conn.execute(table.select().order_by(table.c.id))]


def test_a_queued_import_waits_for_the_worker_then_runs(crm: Crm, tmp_path: Path) -> None:
    batch = queued(crm, tmp_path, "Name\nAda\nBo\n")
    assert (batches.get(crm.store.engine, batch).status, names(crm)) == ("queued", [])
    assert queue.read_progress(crm.store.engine, batch).total == 2
    Worker(crm.store).tick()
    assert batches.get(crm.store.engine, batch).status == "done"
    assert queue.read_progress(crm.store.engine, batch).done == 2
    assert names(crm) == ["Ada", "Bo"]


def test_a_job_claimed_again_finds_its_batch_taken_and_imports_nothing_more(
        crm: Crm, tmp_path: Path) -> None:
    batch = queued(crm, tmp_path, "Name\nAda\n")
    Worker(crm.store).tick()
    [job] = jobs.list_jobs(crm.store.engine)
    again = queue.run_import(crm.store, job, crm.store.clock())
    assert again.done == [f"import {batch}: already taken"]
    assert names(crm) == ["Ada"]


def test_an_all_or_nothing_import_with_a_bad_row_writes_nothing_and_keeps_the_problem(
        crm: Crm, tmp_path: Path) -> None:
    batch = queued(crm, tmp_path, "Name,E-mail\nAda,ada@example.com\nBo,not-an-email\n")
    Worker(crm.store).tick()
    progress = queue.read_progress(crm.store.engine, batch)
    assert batches.get(crm.store.engine, batch).status == "failed"
    assert [(p.row, p.value) for p in progress.problems] == [(3, "not-an-email")]
    assert names(crm) == []


def test_the_import_of_a_user_deactivated_meanwhile_fails_with_the_reason(
        crm: Crm, tmp_path: Path) -> None:
    batch = queued(crm, tmp_path, "Name\nAda\n")
    set_active(crm.store.engine, "mona", False)
    Worker(crm.store).tick()
    assert batches.get(crm.store.engine, batch).status == "failed"
    assert "can no longer sign in" in queue.read_progress(crm.store.engine, batch).error
    assert names(crm) == []
