"""A file import whose next batches are read, cleaned and checked in a second process
while this one writes (`saving.Ahead`, `guanxi.store.ahead`): the same report, records,
history, events and journal as an import prepared here; imports that look records up
prepared here; nothing written when the second process dies."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from crm_project import Crm, open_crm
from guanxi.data import batches
from guanxi.data.importer import Importer, Problem
from guanxi.errors import GuanxiError
from guanxi.store import ahead
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_project import fresh

MOMENT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
HEADERS = ["name", "email", "revenue", "since", "tier"]
# A batch of a file's rows: (line, cells).
Items = list[tuple[int, list[str]]]

CELLS = st.fixed_dictionaries({
    "name": st.sampled_from(["", "Ann", "Bo", " Cy "]),
    "email": st.sampled_from(["", "x@y.cn", "z@y.cn", "X@Y.cn", "taken@y.cn", "not mail"]),
    "revenue": st.sampled_from(["", "10", "1,100.04", "-1", "ten"]),
    "since": st.sampled_from(["", "2024-03-01", "2024-13-01"]),
    "tier": st.sampled_from(["", "gold", "金牌", "platinum"]),
})


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def crm(write_project, db_url: str, tmp_path: Path) -> Crm:
    """The CRM on a database of its own, a customer already holding `taken@y.cn`."""
    opened = open_crm(write_project, fresh(db_url, tmp_path))
    opened.store.clock = lambda: MOMENT
    opened.store.create(opened.manager, "customer", {"name": "Old", "email": "taken@y.cn"})
    return opened


def imported(opened: Crm, path: Path, **options: Any) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    result = Importer(opened.store, opened.manager, "customer", report=problems.append,
                      **options).run(path)
    return result, problems


def stored(opened: Crm) -> tuple[list[dict[str, Any]], list[Any], list[Any], list[Any]]:
    """The customers, their history and events, and the import journal."""
    tables = opened.app.tables
    with opened.store.engine.connect() as conn:
        records = [dict(r) for r in conn.execute(
            sa.select(tables.entities["customer"]).order_by("id")).mappings()]
        history = [(h.record_id, h.action, h.changes) for h in conn.execute(
            sa.select(tables.history).order_by(tables.history.c.id))]
        events = [(e.record_id, e.kind, e.changes) for e in conn.execute(
            sa.select(tables.events).order_by(tables.events.c.id))]
        journal = [(r.number, r.record_id, r.action) for r in conn.execute(
            sa.select(batches.ROWS).order_by(batches.ROWS.c.record_id))]
    return records, history, events, journal


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(CELLS, min_size=2, max_size=8), batch_size=st.integers(1, 3),
       mode=st.sampled_from(["skip-bad", "all-or-nothing"]))
def test_an_import_prepared_in_a_second_process_agrees_with_one_prepared_here(
        write_project, db_url, tmp_path, rows, batch_size, mode):
    path = write(tmp_path / "customers.csv", rows)
    here, there = (crm(write_project, db_url, tmp_path),
                   crm(write_project, db_url, tmp_path))
    try:
        expected = imported(here, path, mode=mode, batch_size=batch_size, ahead=False)
        result = imported(there, path, mode=mode, batch_size=batch_size, ahead=True)
        assert result == expected
        assert stored(there) == stored(here)
    finally:
        here.store.dispose()
        there.store.dispose()


def in_the_child(monkeypatch, change: Callable[[Items], Items]) -> None:
    """`Importer._first` given the items as `change` makes them (it may also end the
    process), in the second process only."""
    parent = os.getpid()
    first = Importer._first

    def changed(self: Importer, items: Items) -> Any:
        return first(self, change(items) if os.getpid() != parent else items)

    monkeypatch.setattr(Importer, "_first", changed)


def test_the_batches_after_the_first_are_prepared_in_another_process(
        write_project, db_url, tmp_path, monkeypatch):
    # The child tells by the names.
    in_the_child(monkeypatch, lambda items: [(number, [cells[0] + " *", *cells[1:]])
                                             for number, cells in items])
    opened = crm(write_project, db_url, tmp_path)
    try:
        path = write(tmp_path / "c.csv", [{"name": f"c{i}"} for i in range(5)])
        result, problems = imported(opened, path, batch_size=2, ahead=True)
        assert (result.created, problems) == (5, [])
        names = [r["name"] for r in stored(opened)[0]][1:]
        assert names == ["c0", "c1", "c2 *", "c3 *", "c4 *"]
    finally:
        opened.store.dispose()


def test_a_value_another_record_has_is_reported_with_its_cell_from_a_later_batch(
        write_project, db_url, tmp_path):
    opened = crm(write_project, db_url, tmp_path)
    try:
        path = write(tmp_path / "c.csv", [{"name": "A"}, {"name": "B"},
                                          {"name": "C", "email": "taken@y.cn"}])
        result, problems = imported(opened, path, mode="skip-bad", batch_size=1, ahead=True)
        assert result.created == 2
        [problem] = problems
        assert (problem.row, problem.column, problem.value) == (4, "email", "taken@y.cn")
    finally:
        opened.store.dispose()


def test_an_import_that_looks_records_up_is_prepared_here(write_project, db_url, tmp_path,
                                                         monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("prepared in a second process")

    monkeypatch.setattr(ahead, "split", refuse)
    opened = crm(write_project, db_url, tmp_path)
    try:
        opened.store.create(opened.manager, "company", {"name": "Acme"})
        path = tmp_path / "c.csv"
        path.write_text("name,company\nA,Acme\nB,Acme\nC,Acme\n", encoding="utf-8")
        result, problems = imported(opened, path, batch_size=1, ahead=True)
        assert (result.created, problems) == (3, [])
        upsert, _ = imported(opened, path, batch_size=1, ahead=True, mode="upsert",
                             keys=["name"])
        assert upsert.unchanged == 3
    finally:
        opened.store.dispose()


def test_a_second_process_that_dies_fails_the_import_and_writes_nothing(
        write_project, db_url, tmp_path, monkeypatch):
    def dying(items: Items) -> Items:
        if items[0][0] >= 5:
            os._exit(3)
        return items

    in_the_child(monkeypatch, dying)
    opened = crm(write_project, db_url, tmp_path)
    try:
        path = write(tmp_path / "c.csv", [{"name": f"c{i}"} for i in range(8)])
        with pytest.raises(GuanxiError, match="ended unexpectedly") as raised:
            imported(opened, path, batch_size=2, ahead=True)
        assert raised.value.code == "import_checker_failed"
        assert opened.store.count(opened.manager, "customer") == 1
        [batch] = batches.listing(opened.store.engine)
        assert batch.status == "failed"
    finally:
        opened.store.dispose()


def test_a_report_that_fails_ends_the_second_process_with_the_import(
        write_project, db_url, tmp_path, monkeypatch):
    forked: list[int] = []
    fork = os.fork

    def noting() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", noting)

    def failing(problem: Problem) -> None:
        raise RuntimeError(f"the report is full at line {problem.row}")

    opened = crm(write_project, db_url, tmp_path)
    try:
        rows = [{"name": f"c{i}"} for i in range(6)] + [{"name": "c6", "revenue": "ten"}]
        path = write(tmp_path / "c.csv", rows)
        with pytest.raises(RuntimeError, match="line 8"):
            Importer(opened.store, opened.manager, "customer", report=failing,
                     batch_size=2, ahead=True).run(path)
        [pid] = forked
        with pytest.raises(ChildProcessError):  # ended and waited for
            os.waitpid(pid, os.WNOHANG)
        assert opened.store.count(opened.manager, "customer") == 1
    finally:
        opened.store.dispose()
