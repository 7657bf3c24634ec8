"""Historical import: records created directly in a workflow state, with their original
times and owner, checked against that state's requirements, recorded as imported."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi.errors import AccessDenied
from guanxi.store import events
from guanxi.store.facade import ImportReport, RowError
from store_project import PROJECT, open_sales

ADMIN = PROJECT["guanxi.yaml"].replace(
    "manager: {includes: [rep]}", "manager: {includes: [rep], admin: true}") + """
        system:
          grants:
            lead: {create: all, read: all, update: all}
"""
CREATED = dt.datetime(2024, 1, 5, 9, 0, tzinfo=dt.UTC)
UPDATED = dt.datetime(2024, 2, 1, 17, 30, tzinfo=dt.UTC)


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url, {"guanxi.yaml": ADMIN})
    yield opened
    opened.store.dispose()


def lost_lead(sales, **extra):
    return {"name": "Old deal", "state": "lost", "loss_reason": "budget",
            "created_at": "2024-01-05T09:00:00Z", "updated_at": "2024-02-01T17:30:00Z",
            "owner": sales.rep.id, **extra}


def test_an_imported_record_keeps_its_state_times_and_owner(sales):
    report = sales.store.bulk_insert(sales.manager, "lead", [lost_lead(sales)],
                                     historical=True)
    assert report == ImportReport(1, [])
    [lead] = sales.store.list(sales.manager, "lead").items
    assert (lead["state"], lead["created_at"], lead["updated_at"], lead["owner"]) == (
        "lost", CREATED, UPDATED, sales.rep.id)


def test_an_imported_record_has_one_import_entry_in_history_at_its_creation(sales):
    sales.store.bulk_insert(sales.manager, "lead", [lost_lead(sales)], historical=True)
    [lead] = sales.store.list(sales.manager, "lead").items
    [entry] = sales.store.history(sales.manager, "lead", lead["id"])
    assert (entry["action"], entry["at"]) == ("import", CREATED)
    assert entry["changes"]["state"] == {"old": None, "new": "lost"}


def test_an_imported_record_emits_an_imported_event(sales):
    sales.store.bulk_insert(sales.manager, "lead", [lost_lead(sales)], historical=True)
    with events.claim(sales.store.engine, "test") as batch:
        assert [e.kind for e in batch] == ["imported"]


def test_an_imported_record_meets_its_states_requirements(sales):
    report = sales.store.bulk_insert(sales.manager, "lead",
                                     [lost_lead(sales, loss_reason=None)], historical=True)
    assert report == ImportReport(0, [RowError(1, {
        "loss_reason": ["is required in state 'lost'"]})])


def test_an_unknown_state_is_reported(sales):
    report = sales.store.bulk_insert(sales.manager, "lead", [lost_lead(sales, state="lsot")],
                                     historical=True)
    assert list(report.errors[0].errors) == ["state"]


def test_an_unreadable_time_is_reported(sales):
    report = sales.store.bulk_insert(sales.manager, "lead",
                                     [lost_lead(sales, created_at="last spring")],
                                     historical=True)
    assert list(report.errors[0].errors) == ["created_at"]


def test_the_system_actor_may_import_history(sales):
    report = sales.store.bulk_insert(sales.store.system, "lead", [lost_lead(sales)],
                                     historical=True)
    assert report.inserted == 1


def test_only_administrators_and_the_system_may_import_history(sales):
    with pytest.raises(AccessDenied):
        sales.store.bulk_insert(sales.rep, "lead", [lost_lead(sales)], historical=True)


def test_an_ordinary_import_may_not_set_the_state_or_times(sales):
    report = sales.store.bulk_insert(sales.manager, "lead", [lost_lead(sales)])
    assert {"state", "created_at", "updated_at"} <= set(report.errors[0].errors)
