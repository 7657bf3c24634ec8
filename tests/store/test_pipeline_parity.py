"""One pipeline: for random rows, a bulk insert and the same rows created one by one,
and a bulk save and the same changes and deletions made one by one, give the same
records, the same errors and the same history, on both databases; every single write
(update, transition, delete, restore) leaves one history row, one event and one
version step."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from guanxi.errors import AccessDenied, NotFound, TransitionRefused, ValidationFailed
from guanxi.store.saving import Write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_project import fresh, open_sales

MOMENT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)

ROW = st.fixed_dictionaries({"name": st.sampled_from(["", "Ann", "Bo"])}, optional={
    "email": st.sampled_from([None, "x@y.cn", "z@y.cn", "X@Y.cn", "not an email"]),
    "value": st.sampled_from([None, "10", "-1", "ten", 2500]),
    "source": st.sampled_from(["web", "referral"]),
    "referrer": st.sampled_from([None, "Ann"]),
    "visits": st.sampled_from([1, 150]),
    "account": st.sampled_from([1, 999]),
    "income": st.just(5),
    "nope": st.just(1),
})


def opened(write_project, db_url, tmp_path):
    sales = open_sales(write_project, fresh(db_url, tmp_path))
    sales.store.clock = lambda: MOMENT
    sales.store.create(sales.rep, "account", {"name": "Acme", "sector": "tech"})
    return sales


def outcome(sales, rows_count):
    """The leads, their history and events, each lead's id replaced by its place in id
    order: on PostgreSQL a batch written under a savepoint that a unique index refused
    has used ids from the sequence (as any rolled-back insert does), so the ids of a
    bulk insert may have gaps that single creates do not."""
    tables = sales.app.tables
    with sales.store.engine.connect() as conn:
        records = [dict(r) for r in conn.execute(
            sa.select(tables.entities["lead"]).order_by("id")).mappings()]
        history = [(h.record_id, h.action, h.changes) for h in conn.execute(
            sa.select(tables.history).where(tables.history.c.entity == "lead")
            .order_by(tables.history.c.id))]
        events = [(e.record_id, e.kind, e.changes) for e in conn.execute(
            sa.select(tables.events).where(tables.events.c.entity == "lead")
            .order_by(tables.events.c.id))]
    place = {record["id"]: number for number, record in enumerate(records, 1)}
    return ([{**record, "id": place[record["id"]]} for record in records],
            [(place.get(record_id), *rest) for record_id, *rest in history],
            [(place.get(record_id), *rest) for record_id, *rest in events])


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=5), batch_size=st.integers(1, 3))
def test_bulk_insert_and_single_creates_agree(write_project, db_url, tmp_path, rows,
                                              batch_size):
    one, many = opened(write_project, db_url, tmp_path), opened(write_project, db_url, tmp_path)
    try:
        single_errors = {}
        for number, values in enumerate(rows, 1):
            try:
                one.store.create(one.rep, "lead", values)
            except ValidationFailed as error:
                single_errors[number] = error.errors
            except AccessDenied as error:
                single_errors[number] = error
        report = many.store.bulk_insert(many.rep, "lead", rows, mode="skip_bad",
                                        batch_size=batch_size)
        bulk_errors = {e.row: e.errors for e in report.errors}
        assert set(bulk_errors) == set(single_errors)
        for number, error in single_errors.items():
            if isinstance(error, AccessDenied):
                # A single write stops at names it may not set; a bulk row goes on.
                assert set(error.fields) <= set(bulk_errors[number])
            elif "nope" in rows[number - 1]:
                # Likewise at unknown names.
                assert error.items() <= bulk_errors[number].items()
            else:
                assert bulk_errors[number] == error
        assert outcome(many, len(rows)) == outcome(one, len(rows))
    finally:
        one.store.dispose()
        many.store.dispose()


TRICKY = [
    {"name": "Tab", "notes": "a\tb\nc\\d \"e\" \\N", "referrer": "\\N", "value": "1234.56",
     "probability": "12.5", "since": "2024-02-29", "follow_up": "90m", "vip": True,
     "tags": ["hot", "partner"], "account": 1, "visits": 0, "phone": "+86 139 0000 0002"},
    {"name": "Empty", "notes": "", "referrer": None, "tags": [], "vip": False},
    {"name": "汉字", "notes": "第一行\r\n第二行", "value": 0, "email": "wang@example.cn"},
]


def test_a_bulk_insert_keeps_every_kind_of_value_as_single_creates_do(
        write_project, db_url, tmp_path) -> None:
    one, many = opened(write_project, db_url, tmp_path), opened(write_project, db_url, tmp_path)
    try:
        for values in TRICKY:
            one.store.create(one.rep, "lead", values)
        report = many.store.bulk_insert(many.rep, "lead", TRICKY)
        assert (report.inserted, report.errors) == (3, [])
        assert outcome(many, 3) == outcome(one, 3)
        [first, *_] = many.store.list(many.rep, "lead", sort=["id"]).items
        assert (first["notes"], first["referrer"]) == ("a\tb\nc\\d \"e\" \\N", "\\N")
    finally:
        one.store.dispose()
        many.store.dispose()


CHANGE = st.fixed_dictionaries({}, optional={
    "name": st.sampled_from(["", "Cy"]),
    "email": st.sampled_from([None, "x@y.cn", "X@Y.cn", "not an email"]),
    "value": st.sampled_from([None, "10", "-1", "ten"]),
    "source": st.sampled_from(["web", "referral"]),
    "referrer": st.sampled_from([None, "Ann"]),
    "visits": st.sampled_from([1, 150]),
    "account": st.sampled_from([1, 999]),
    "nope": st.just(1),
})
OPERATION = st.one_of(
    st.tuples(st.just("update"), st.integers(1, 3), CHANGE),
    st.tuples(st.just("delete"), st.integers(1, 3), st.just({})))


def with_leads(write_project, db_url, tmp_path):
    sales = opened(write_project, db_url, tmp_path)
    for name in ("Ann", "Bo", "Cy"):
        sales.store.create(sales.manager, "lead", {"name": name, "value": "5"})
    return sales


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, max_size=5))
def test_bulk_saves_and_single_updates_and_deletes_agree(write_project, db_url, tmp_path,
                                                         operations):
    one = with_leads(write_project, db_url, tmp_path)
    many = with_leads(write_project, db_url, tmp_path)
    try:
        single_errors = {}
        for number, (kind, record_id, values) in enumerate(operations, 1):
            try:
                if kind == "delete":
                    one.store.delete(one.manager, "lead", record_id)
                else:
                    one.store.update(one.manager, "lead", record_id, values)
            except ValidationFailed as error:
                single_errors[number] = error.errors
            except NotFound:
                single_errors[number] = "not found"

        def prepare(unit, batch):
            return [Write(number, values, record_id, delete=kind == "delete")
                    for number, (kind, record_id, values) in batch]

        report = many.store.bulk_save(many.manager, "lead", list(enumerate(operations, 1)),
                                      prepare, mode="skip_bad", batch_size=1)
        bulk_errors = {e.row: e.errors for e in report.errors}
        assert set(bulk_errors) == set(single_errors)
        for number, error in single_errors.items():
            if error == "not found":
                assert list(bulk_errors[number]) == [""]
            elif "nope" in operations[number - 1][2]:
                # A single write stops at unknown names; a bulk row goes on.
                assert error.items() <= bulk_errors[number].items()
            else:
                assert bulk_errors[number] == error
        assert outcome(many, 3) == outcome(one, 3)
    finally:
        one.store.dispose()
        many.store.dispose()


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(
    ["contact", "qualify", "lose", "delete", "restore", "value"]), max_size=6))
def test_transitions_deletes_and_restores_keep_history_and_events_in_step(
        write_project, db_url, tmp_path, steps):
    sales = with_leads(write_project, db_url, tmp_path)
    store, manager = sales.store, sales.manager
    try:
        for step in steps:
            try:
                if step == "delete":
                    store.delete(manager, "lead", 1)
                elif step == "restore":
                    store.restore(manager, "lead", 1)
                elif step == "value":
                    store.update(manager, "lead", 1, {"value": "7"})
                else:
                    store.transition(manager, "lead", 1, step,
                                     {"loss_reason": "budget"} if step == "lose" else None)
            except (ValidationFailed, NotFound, TransitionRefused):
                pass
        _records, history, events = outcome(sales, 3)
        assert [(r, c) for r, _a, c in history] == [(r, c) for r, _k, c in events]
        with store.engine.connect() as conn:
            stored = conn.execute(sa.select(sales.app.tables.entities["lead"].c.version)
                                  .where(sa.text("id = 1"))).scalar()
        # One version per history row of the lead, its creation being version 1.
        assert stored == len([h for h in history if h[0] == 1])
    finally:
        store.dispose()


def test_one_batch_of_changes_gives_each_record_its_values_and_version(
        write_project, db_url, tmp_path):
    sales = with_leads(write_project, db_url, tmp_path)
    try:
        writes = [Write(1, {"name": "Ann B"}, 1), Write(2, {"value": "9"}, 2),
                  Write(3, {"name": "Cy B"}, 3)]

        def prepare(unit, batch):
            return batch

        report = sales.store.bulk_save(sales.manager, "lead", writes, prepare,
                                       batch_size=10)
        assert (report.updated, report.errors) == (3, [])
        leads = {r["id"]: r for r in sales.store.list(sales.manager, "lead").items}
        assert [(leads[i]["name"], str(leads[i]["value"]), leads[i]["version"])
                for i in (1, 2, 3)] == [("Ann B", "5.00", 2), ("Bo", "9.00", 2),
                                        ("Cy B", "5.00", 2)]
    finally:
        sales.store.dispose()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=2, max_size=7), batch_size=st.integers(1, 3),
       mode=st.sampled_from(["skip_bad", "all_or_nothing"]))
def test_a_bulk_insert_checked_ahead_in_a_second_process_agrees_with_one_checked_here(
        write_project, db_url, tmp_path, rows, batch_size, mode):
    here, ahead = opened(write_project, db_url, tmp_path), opened(write_project, db_url, tmp_path)
    try:
        expected = here.store.bulk_insert(here.rep, "lead", rows, mode=mode,
                                          batch_size=batch_size, ahead=False)
        report = ahead.store.bulk_insert(ahead.rep, "lead", rows, mode=mode,
                                         batch_size=batch_size, ahead=True)
        assert report == expected
        assert outcome(ahead, len(rows)) == outcome(here, len(rows))
    finally:
        here.store.dispose()
        ahead.store.dispose()
