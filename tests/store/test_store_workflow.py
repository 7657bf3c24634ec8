"""Workflow transitions through the Store: roles, states, guards, requirements, `set`."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi.errors import AccessDenied, TransitionRefused, ValidationFailed, VersionConflict
from store_project import PROJECT, Sales, open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def lead_in(sales: Sales, state: str, **values):
    """A lead of the rep's, moved along the happy path to `state`."""
    store, rep = sales.store, sales.rep
    lead = store.create(rep, "lead", {"name": "Li Wei", "value": 500, **values})
    path = {"new": [], "contacted": ["contact"], "qualified": ["contact", "qualify"]}
    for name in path[state]:
        lead = store.transition(rep, "lead", lead["id"], name)
    return lead


def test_transition_moves_the_state_and_bumps_the_version(sales):
    lead = lead_in(sales, "new")
    moved = sales.store.transition(sales.rep, "lead", lead["id"], "contact")
    assert moved["state"] == "contacted" and moved["version"] == 2


def test_transition_from_the_wrong_state_says_where_it_is_allowed_from(sales):
    lead = lead_in(sales, "new")
    with pytest.raises(TransitionRefused) as caught:
        sales.store.transition(sales.rep, "lead", lead["id"], "qualify")
    assert str(caught.value) == "can't 'qualify' from 'new' (allowed from: contacted)"


def test_transition_message_is_in_the_users_language(sales):
    lead = sales.store.create(sales.zh_rep, "lead", {"name": "王伟"})
    with pytest.raises(TransitionRefused) as caught:
        sales.store.transition(sales.zh_rep, "lead", lead["id"], "qualify")
    assert str(caught.value) == "无法从“new”执行“qualify”（允许的起始状态：contacted）"


def test_guard_that_fails_names_the_condition(sales):
    lead = lead_in(sales, "contacted", value=0)
    with pytest.raises(TransitionRefused) as caught:
        sales.store.transition(sales.rep, "lead", lead["id"], "qualify")
    assert str(caught.value) == "can't 'qualify': condition failed: value > 0"
    assert sales.store.get(sales.rep, "lead", lead["id"])["state"] == "contacted"


def test_guard_sees_values_given_with_the_transition(sales):
    lead = lead_in(sales, "contacted", value=0)
    moved = sales.store.transition(sales.rep, "lead", lead["id"], "qualify", {"value": 10})
    assert moved["state"] == "qualified" and moved["value"] == 10


def test_role_not_allowed_is_denied(sales):
    lead = lead_in(sales, "qualified")
    with pytest.raises(AccessDenied, match="your roles \\(rep\\) may not 'convert'"):
        sales.store.transition(sales.rep, "lead", lead["id"], "convert")


def test_set_assigns_fields_when_the_transition_fires(sales):
    today = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    sales.store.clock = lambda: today
    lead = lead_in(sales, "qualified")
    converted = sales.store.transition(sales.manager, "lead", lead["id"], "convert")
    assert converted["state"] == "converted"
    assert converted["converted_on"] == dt.date(2026, 11, 22)


def test_missing_required_fields_are_named(sales):
    lead = lead_in(sales, "new")
    with pytest.raises(TransitionRefused) as caught:
        sales.store.transition(sales.rep, "lead", lead["id"], "lose")
    assert str(caught.value) == "can't 'lose': missing: loss_reason"
    assert caught.value.missing == ("loss_reason",)


def test_required_fields_may_be_given_with_the_transition(sales):
    lead = lead_in(sales, "new")
    lost = sales.store.transition(sales.rep, "lead", lead["id"], "lose",
                                  {"loss_reason": "budget"})
    assert lost["state"] == "lost" and lost["loss_reason"] == "budget"


def test_values_given_with_a_transition_are_validated(sales):
    lead = lead_in(sales, "new")
    with pytest.raises(ValidationFailed) as caught:
        sales.store.transition(sales.rep, "lead", lead["id"], "lose", {"loss_reason": "bored"})
    assert caught.value.errors == {
        "loss_reason": ["'bored' is not one of: budget, competitor"]}


def test_target_state_requirements_are_checked(write_project, db_url):
    unguarded = PROJECT["workflows/pipeline.yaml"].replace(", when: value > 0", "")
    sales = open_sales(write_project, db_url, {"workflows/pipeline.yaml": unguarded})
    try:
        lead = sales.store.create(sales.rep, "lead", {"name": "No value"})
        sales.store.transition(sales.rep, "lead", lead["id"], "contact")
        with pytest.raises(TransitionRefused) as caught:
            sales.store.transition(sales.rep, "lead", lead["id"], "qualify")
        assert str(caught.value) == "can't 'qualify': missing: value"
    finally:
        sales.store.dispose()


def test_unknown_transition_lists_the_transitions(sales):
    lead = lead_in(sales, "new")
    with pytest.raises(TransitionRefused) as caught:
        sales.store.transition(sales.rep, "lead", lead["id"], "win")
    assert str(caught.value) == (
        "'lead' has no transition 'win' (transitions: contact, qualify, convert, lose)")


def test_transition_with_a_stale_version_is_a_conflict(sales):
    lead = lead_in(sales, "new")
    sales.store.update(sales.rep, "lead", lead["id"], {"phone": "12345"})
    with pytest.raises(VersionConflict):
        sales.store.transition(sales.rep, "lead", lead["id"], "contact", expected_version=1)


def test_transition_writes_one_history_row_naming_it(sales):
    lead = lead_in(sales, "new")
    sales.store.transition(sales.rep, "lead", lead["id"], "lose", {"loss_reason": "budget"})
    last = sales.store.history(sales.rep, "lead", lead["id"])[-1]
    assert last["action"] == "transition" and last["transition"] == "lose"
    assert last["changes"] == {"state": {"old": "new", "new": "lost"},
                               "loss_reason": {"old": None, "new": "budget"}}


def test_fields_are_not_editable_in_a_state_that_freezes_them(sales):
    lead = lead_in(sales, "qualified")
    sales.store.transition(sales.manager, "lead", lead["id"], "convert")
    with pytest.raises(AccessDenied):
        sales.store.update(sales.manager, "lead", lead["id"], {"phone": "12345"})


def test_available_transitions_respect_state_role_and_guard(sales):
    store = sales.store
    lead = lead_in(sales, "contacted", value=0)
    assert [t.name for t in store.available_transitions(sales.rep, "lead", lead)] == ["lose"]
    lead = store.update(sales.rep, "lead", lead["id"], {"value": 5})
    assert [t.name for t in store.available_transitions(sales.rep, "lead", lead)] == [
        "qualify", "lose"]
    qualified = store.transition(sales.rep, "lead", lead["id"], "qualify")
    assert [t.name for t in store.available_transitions(sales.rep, "lead", qualified)] == [
        "lose"]
    assert [t.name for t in store.available_transitions(sales.manager, "lead", qualified)] == [
        "convert", "lose"]


def test_available_transitions_are_none_for_a_reader(sales):
    lead = lead_in(sales, "new")
    assert sales.store.available_transitions(sales.auditor, "lead", lead) == []
