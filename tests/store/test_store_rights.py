"""Store.get(..., with_rights=True): a record and what the user may do with it now."""

from __future__ import annotations

import pytest
from guanxi.errors import NotFound
from guanxi.store.rights import RecordRights
from store_project import Sales, open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def lead(sales: Sales) -> dict:
    return sales.store.create(sales.rep, "lead", {"name": "Li Wei"})


def test_without_rights_get_answers_the_record_alone(sales):
    record = lead(sales)
    assert sales.store.get(sales.rep, "lead", record["id"]) == record


def test_with_rights_the_record_is_the_one_the_user_sees(sales):
    record = lead(sales)
    held = sales.store.get(sales.rep, "lead", record["id"], with_rights=True)
    assert isinstance(held, RecordRights) and held.record == record
    assert "income" not in held.record


def test_the_owner_may_update_but_not_delete_without_a_delete_grant(sales):
    held = sales.store.get(sales.rep, "lead", lead(sales)["id"], with_rights=True)
    assert (held.may_update, held.may_delete) == (True, False)


def test_a_manager_may_update_and_delete(sales):
    held = sales.store.get(sales.manager, "lead", lead(sales)["id"], with_rights=True)
    assert (held.may_update, held.may_delete) == (True, True)


def test_the_transitions_are_those_the_user_may_fire_now(sales):
    held = sales.store.get(sales.rep, "lead", lead(sales)["id"], with_rights=True)
    assert [t.name for t in held.transitions] == ["contact", "lose"]


def test_a_reader_who_may_change_nothing_gets_no_rights_and_no_transitions(sales):
    held = sales.store.get(sales.auditor, "lead", lead(sales)["id"], with_rights=True)
    assert (held.may_update, held.may_delete, held.transitions) == (False, False, ())


def test_an_unreadable_record_is_not_found_with_rights_too(sales):
    record = lead(sales)
    with pytest.raises(NotFound):
        sales.store.get(sales.other_rep, "lead", record["id"], with_rights=True)
