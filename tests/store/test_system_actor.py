"""The system actor: automation writes as it, with only the grants written under
`system: grants:` in guanxi.yaml, and history shows it as the system."""

from __future__ import annotations

import pytest
from guanxi.errors import AccessDenied
from guanxi.store import events
from store_project import PROJECT, open_sales

SYSTEM = PROJECT["guanxi.yaml"] + """
        system:
          grants:
            lead: {create: all, read: all, update: all, hide: [income],
                   transitions: [contact]}
"""


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url, {"guanxi.yaml": SYSTEM})
    yield opened
    opened.store.dispose()


def test_the_system_writes_what_its_grants_allow(sales):
    lead = sales.store.create(sales.store.system, "lead", {"name": "From the web form"})
    moved = sales.store.transition(sales.store.system, "lead", lead["id"], "contact")
    assert moved["state"] == "contacted"


def test_history_and_events_show_the_system_as_the_writer(sales):
    lead = sales.store.create(sales.store.system, "lead", {"name": "Ann"})
    [entry] = sales.store.history(sales.manager, "lead", lead["id"])
    assert (entry["user_id"], entry["user"]) == (None, "system")
    with events.claim(sales.store.engine, "test") as batch:
        assert [e.user_id for e in batch] == [None]


def test_the_system_may_not_fire_a_transition_its_grants_do_not_list(sales):
    lead = sales.store.create(sales.store.system, "lead", {"name": "Ann",
                                                           "loss_reason": "budget"})
    with pytest.raises(AccessDenied):
        sales.store.transition(sales.store.system, "lead", lead["id"], "lose")


def test_the_system_may_not_delete_without_a_delete_grant(sales):
    lead = sales.store.create(sales.store.system, "lead", {"name": "Ann"})
    with pytest.raises(AccessDenied):
        sales.store.delete(sales.store.system, "lead", lead["id"])


def test_the_system_may_not_write_a_field_its_grants_hide(sales):
    with pytest.raises(AccessDenied):
        sales.store.create(sales.store.system, "lead", {"name": "Ann", "income": 5})


def test_the_system_may_not_touch_an_entity_it_has_no_grants_on(sales):
    with pytest.raises(AccessDenied):
        sales.store.create(sales.store.system, "account", {"name": "Acme"})
