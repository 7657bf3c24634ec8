"""The Store's create, get, update, delete and restore, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from guanxi.errors import AccessDenied, GuanxiError, NotFound, ValidationFailed, VersionConflict
from store_project import Sales, open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def new_lead(sales: Sales, **values):
    return sales.store.create(sales.rep, "lead", {"name": "Li Wei", **values})


def test_create_returns_values_defaults_and_system_fields(sales):
    lead = new_lead(sales, value="1200.5", email="li@Example.COM")
    assert lead["name"] == "Li Wei"
    assert lead["value"] == Decimal("1200.50")
    assert lead["email"] == "li@example.com"
    assert lead["source"] == "web" and lead["vip"] is False
    assert lead["state"] == "new" and lead["version"] == 1
    assert lead["owner"] == sales.rep.id and lead["created_by"] == sales.rep.id
    assert lead["created_at"].tzinfo is not None and lead["deleted_at"] is None


def test_get_round_trips_every_field_type(sales):
    account = sales.store.create(sales.rep, "account", {"name": "Acme"})
    values = {
        "phone": "+86 10 1234 5678", "probability": 50, "visits": "7",
        "since": "2026/11/22", "follow_up": "3d", "vip": "yes", "tags": "hot; partner",
        "account": account["id"], "code": "AB-123", "notes": "line one\nline two",
    }
    created = new_lead(sales, value=1000, **values)
    got = sales.store.get(sales.rep, "lead", created["id"])
    assert got == created
    assert got["since"] == dt.date(2026, 11, 22)
    assert got["follow_up"] == 3 * 86400
    assert got["tags"] == ["hot", "partner"]
    assert got["vip"] is True and got["visits"] == 7
    assert got["expected"] == Decimal("500.00")


def test_hidden_fields_are_never_returned(sales):
    lead = sales.store.create(sales.manager, "lead", {"name": "A", "income": 99,
                                                      "owner": sales.rep.id})
    assert lead["income"] == Decimal("99.00")
    assert "income" not in sales.store.get(sales.rep, "lead", lead["id"])
    assert "income" not in sales.store.list(sales.rep, "lead").items[0]


def test_get_of_an_unreadable_record_is_not_found(sales):
    lead = new_lead(sales)
    with pytest.raises(NotFound):
        sales.store.get(sales.other_rep, "lead", lead["id"])
    with pytest.raises(NotFound):
        sales.store.get(sales.rep, "lead", 999999)


def test_update_changes_only_the_given_fields_and_bumps_the_version(sales):
    lead = new_lead(sales, phone="12345")
    updated = sales.store.update(sales.rep, "lead", lead["id"], {"value": "10"})
    assert updated["value"] == Decimal("10.00") and updated["phone"] == "12345"
    assert updated["version"] == 2
    assert sales.store.get(sales.rep, "lead", lead["id"]) == updated


def test_update_recomputes_computed_fields(sales):
    lead = new_lead(sales, value=200, probability=10)
    assert lead["expected"] == Decimal("20.00")
    updated = sales.store.update(sales.rep, "lead", lead["id"], {"probability": 25})
    assert updated["expected"] == Decimal("50.00")


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(sales):
    lead = new_lead(sales)
    sales.store.update(sales.rep, "lead", lead["id"], {"phone": "11111"}, expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        sales.store.update(sales.rep, "lead", lead["id"], {"phone": "22222"},
                           expected_version=1)
    assert caught.value.actual == 2
    assert sales.store.get(sales.rep, "lead", lead["id"])["phone"] == "11111"


def test_expected_version_may_come_as_form_text(sales):
    lead = new_lead(sales)
    assert sales.store.update(sales.rep, "lead", lead["id"], {"phone": "12345"},
                              expected_version="1")["version"] == 2
    with pytest.raises(VersionConflict):
        sales.store.update(sales.rep, "lead", lead["id"], {"phone": "12346"},
                           expected_version="1")


def test_update_that_changes_nothing_keeps_the_version(sales):
    lead = new_lead(sales, phone="12345")
    same = sales.store.update(sales.rep, "lead", lead["id"], {"phone": "12345"})
    assert same["version"] == 1
    assert len(sales.store.history(sales.rep, "lead", lead["id"])) == 1


@pytest.mark.parametrize("field", ["income", "expected", "created_by", "version", "id"])
def test_writes_refuse_fields_that_are_hidden_computed_or_system(sales, field):
    lead = new_lead(sales)
    with pytest.raises(AccessDenied) as caught:
        sales.store.update(sales.rep, "lead", lead["id"], {field: 1, "phone": "12345"})
    assert caught.value.fields == (field,)
    assert sales.store.get(sales.rep, "lead", lead["id"])["version"] == 1


def test_create_refuses_a_hidden_field_and_writes_nothing(sales):
    with pytest.raises(AccessDenied) as caught:
        new_lead(sales, income=5)
    assert "income" in str(caught.value)
    assert sales.store.count(sales.manager, "lead") == 0


def test_unknown_field_names_are_refused_by_name(sales):
    with pytest.raises(ValidationFailed) as caught:
        new_lead(sales, nmae="typo")
    assert list(caught.value.errors) == ["nmae"]
    assert "unknown field 'nmae'" in caught.value.errors["nmae"][0]


def test_state_changes_only_through_transitions(sales):
    lead = new_lead(sales)
    with pytest.raises(AccessDenied) as caught:
        sales.store.update(sales.manager, "lead", lead["id"], {"state": "converted"})
    assert "only through a transition" in str(caught.value)
    with pytest.raises(AccessDenied):
        new_lead(sales, state="converted")


def test_readonly_for_role_may_be_set_on_create_but_not_changed(sales):
    lead = new_lead(sales, source="phone", phone="12345")
    assert lead["source"] == "phone"
    with pytest.raises(AccessDenied) as caught:
        sales.store.update(sales.rep, "lead", lead["id"], {"source": "web"})
    assert caught.value.fields == ("source",)


def test_owner_may_be_reassigned_by_a_role_that_may_update(sales):
    lead = new_lead(sales)
    moved = sales.store.update(sales.manager, "lead", lead["id"], {"owner": sales.other_rep.id})
    assert moved["owner"] == sales.other_rep.id
    assert sales.store.get(sales.other_rep, "lead", lead["id"])["id"] == lead["id"]


def test_owner_must_be_an_existing_user(sales):
    with pytest.raises(ValidationFailed) as caught:
        new_lead(sales, owner=4242)
    assert caught.value.errors == {"owner": ["4242 is not the id of an active user"]}


def test_reference_to_a_missing_record_is_refused(sales):
    with pytest.raises(ValidationFailed) as caught:
        new_lead(sales, account=777)
    assert caught.value.errors == {"account": ["there is no account 777 that you can see"]}


def test_rules_may_follow_references(sales):
    retail = sales.store.create(sales.rep, "account", {"name": "Shop", "sector": "retail"})
    tech = sales.store.create(sales.rep, "account", {"name": "Lab", "sector": "tech"})
    with pytest.raises(ValidationFailed) as caught:
        new_lead(sales, account=retail["id"])
    assert caught.value.errors == {"phone": ["Retail leads need a phone number"]}
    assert new_lead(sales, account=tech["id"])["account"] == tech["id"]


def test_unique_field_refuses_a_second_record_with_the_same_value(sales):
    new_lead(sales, email="a@b.cn")
    with pytest.raises(ValidationFailed) as caught:
        new_lead(sales, email="a@B.CN")
    assert caught.value.errors == {"email": ["'a@b.cn' is already used by another lead"]}


def test_empty_values_do_not_count_for_uniqueness(sales):
    new_lead(sales, phone="12345")
    new_lead(sales, phone="12346")
    assert sales.store.count(sales.rep, "lead") == 2


def test_user_without_update_right_is_denied_and_nothing_changes(sales):
    lead = new_lead(sales)
    with pytest.raises(AccessDenied):
        sales.store.update(sales.auditor, "lead", lead["id"], {"phone": "12345"})
    with pytest.raises(NotFound):
        sales.store.update(sales.other_rep, "lead", lead["id"], {"phone": "12345"})
    assert sales.store.get(sales.rep, "lead", lead["id"])["version"] == 1


def test_create_without_create_right_is_denied(sales):
    with pytest.raises(AccessDenied):
        sales.store.create(sales.auditor, "lead", {"name": "X"})


def test_delete_hides_the_record_and_restore_brings_it_back(sales):
    lead = new_lead(sales)
    sales.store.delete(sales.manager, "lead", lead["id"])
    with pytest.raises(NotFound):
        sales.store.get(sales.manager, "lead", lead["id"])
    assert sales.store.count(sales.manager, "lead") == 0
    trash = sales.store.list(sales.manager, "lead", deleted=True)
    assert [r["id"] for r in trash.items] == [lead["id"]]
    restored = sales.store.restore(sales.manager, "lead", lead["id"])
    assert restored["deleted_at"] is None and restored["version"] == 3
    assert sales.store.get(sales.rep, "lead", lead["id"])["name"] == "Li Wei"


def test_delete_is_denied_without_the_right(sales):
    lead = new_lead(sales)
    with pytest.raises(AccessDenied):
        sales.store.delete(sales.rep, "lead", lead["id"])
    assert sales.store.get(sales.rep, "lead", lead["id"])["deleted_at"] is None


def test_delete_with_a_stale_version_is_a_conflict(sales):
    lead = new_lead(sales)
    sales.store.update(sales.rep, "lead", lead["id"], {"phone": "12345"})
    with pytest.raises(VersionConflict):
        sales.store.delete(sales.manager, "lead", lead["id"], expected_version=1)


def test_history_records_who_did_what(sales):
    lead = new_lead(sales, phone="12345")
    sales.store.update(sales.rep, "lead", lead["id"], {"phone": "54321"})
    sales.store.delete(sales.manager, "lead", lead["id"])
    sales.store.restore(sales.manager, "lead", lead["id"])
    history = sales.store.history(sales.rep, "lead", lead["id"])
    assert [(h["action"], h["user"]) for h in history] == [
        ("create", "rita"), ("update", "rita"), ("delete", "mona"), ("restore", "mona")]
    assert history[1]["changes"] == {"phone": {"old": "12345", "new": "54321"}}
    assert history[0]["changes"]["name"] == {"old": None, "new": "Li Wei"}


def test_history_leaves_out_fields_the_user_cannot_see(sales):
    lead = sales.store.create(sales.manager, "lead", {"name": "A", "owner": sales.rep.id})
    sales.store.update(sales.manager, "lead", lead["id"], {"income": 5, "phone": "12345"})
    for_rep = sales.store.history(sales.rep, "lead", lead["id"])[1]["changes"]
    for_manager = sales.store.history(sales.manager, "lead", lead["id"])[1]["changes"]
    assert set(for_rep) == {"phone"}
    assert set(for_manager) == {"phone", "income"}


def test_history_leaves_out_edits_of_only_hidden_fields(sales):
    lead = sales.store.create(sales.manager, "lead", {"name": "A", "owner": sales.rep.id})
    sales.store.update(sales.manager, "lead", lead["id"], {"income": 5})

    for_rep = sales.store.history(sales.rep, "lead", lead["id"])
    for_manager = sales.store.history(sales.manager, "lead", lead["id"])

    assert [h["action"] for h in for_rep] == ["create"]
    assert [h["action"] for h in for_manager] == ["create", "update"]


def test_history_of_an_unreadable_record_is_not_found(sales):
    lead = new_lead(sales)
    with pytest.raises(NotFound):
        sales.store.history(sales.other_rep, "lead", lead["id"])


def test_unknown_entity_is_refused_with_the_entities_there_are(sales):
    with pytest.raises(GuanxiError, match="unknown entity 'leads' \\(entities: account, lead\\)"):
        sales.store.get(sales.rep, "leads", 1)


def test_explain_tells_why_a_record_is_readable(sales):
    lead = new_lead(sales)
    lines = sales.store.explain(sales.rep, "lead", lead["id"])
    assert any("owner == current_user" in line and "holds" in line for line in lines)
