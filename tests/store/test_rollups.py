"""Roll-up fields: aggregates over the records that reference a record, stored in its
columns and kept right in the transaction of every write to those records, on both
databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from guanxi.errors import AccessDenied, ValidationFailed
from rollup_project import Members, open_members


@pytest.fixture
def members(write_project, db_url: str) -> Iterator[Members]:
    opened = open_members(write_project, db_url)
    yield opened
    opened.store.dispose()


def _member(members: Members, name: str = "Ann") -> int:
    return int(members.store.create(members.clerk, "member", {"name": name})["id"])


def _buy(members: Members, member: int | None, amount: str, **more: object) -> int:
    values = {"member": member, "amount": amount, **more}
    return int(members.store.create(members.clerk, "purchase", values)["id"])


def _get(members: Members, member: int) -> dict[str, object]:
    return members.store.get(members.clerk, "member", member)


def test_a_new_record_starts_with_zero_counts_and_sums_and_no_extremes(members):
    record = _get(members, _member(members))
    assert (record["spend"], record["purchases"], record["biggest"], record["average"]) == (
        Decimal("0.00"), 0, None, None)


def test_creating_children_sums_counts_and_keeps_the_extremes(members):
    ann = _member(members)
    _buy(members, ann, "100.00")
    _buy(members, ann, "250.50")
    record = _get(members, ann)
    assert (record["spend"], record["purchases"], record["biggest"], record["smallest"],
            record["average"]) == (Decimal("350.50"), 2, Decimal("250.50"),
                                   Decimal("100.00"), Decimal("175.25"))


def test_a_maximum_over_dates_keeps_the_latest(members):
    ann = _member(members)
    _buy(members, ann, "1", bought_on="2026-01-05")
    _buy(members, ann, "1", bought_on="2025-03-01")
    assert _get(members, ann)["last_bought"] == dt.date(2026, 1, 5)


def test_updating_a_child_moves_the_sum(members):
    ann = _member(members)
    purchase = _buy(members, ann, "100")
    members.store.update(members.clerk, "purchase", purchase, {"amount": "40"})
    assert _get(members, ann)["spend"] == Decimal("40.00")


def test_repointing_a_child_updates_the_old_and_the_new_parent(members):
    ann, bob = _member(members), _member(members, "Bob")
    purchase = _buy(members, ann, "100")
    _buy(members, ann, "5")
    members.store.update(members.clerk, "purchase", purchase, {"member": bob})
    assert (_get(members, ann)["spend"], _get(members, bob)["spend"]) == (
        Decimal("5.00"), Decimal("100.00"))


def test_unlinking_a_child_takes_it_out_of_its_old_parent(members):
    ann = _member(members)
    purchase = _buy(members, ann, "100")
    members.store.update(members.clerk, "purchase", purchase, {"member": None})
    assert (_get(members, ann)["spend"], _get(members, ann)["biggest"]) == (
        Decimal("0.00"), None)


def test_deleting_a_child_takes_it_out(members):
    ann = _member(members)
    purchase = _buy(members, ann, "100")
    _buy(members, ann, "7")
    members.store.delete(members.clerk, "purchase", purchase)
    assert (_get(members, ann)["spend"], _get(members, ann)["purchases"]) == (
        Decimal("7.00"), 1)


def test_restoring_a_child_puts_it_back(members):
    ann = _member(members)
    purchase = _buy(members, ann, "100")
    members.store.delete(members.clerk, "purchase", purchase)
    members.store.restore(members.clerk, "purchase", purchase)
    assert _get(members, ann)["spend"] == Decimal("100.00")


def test_a_condition_keeps_only_the_children_where_it_holds(members):
    ann = _member(members)
    today = dt.date.today()
    _buy(members, ann, "100", bought_on=str(today - dt.timedelta(days=30)))
    _buy(members, ann, "900", bought_on=str(today - dt.timedelta(days=400)))
    record = _get(members, ann)
    assert (record["spend_12m"], record["spend"]) == (Decimal("100.00"), Decimal("1000.00"))


def test_final_false_counts_the_children_not_in_a_final_state(members):
    ann = _member(members)
    first = members.store.create(members.clerk, "ticket", {"member": ann})
    members.store.create(members.clerk, "ticket", {"member": ann})
    assert _get(members, ann)["open_tickets"] == 2
    members.store.transition(members.clerk, "ticket", first["id"], "close")
    assert _get(members, ann)["open_tickets"] == 1


def test_bulk_insert_keeps_the_rollups_right(members):
    ann, bob = _member(members), _member(members, "Bob")
    rows = [{"member": ann if n % 2 else bob, "amount": str(n)} for n in range(1, 101)]
    report = members.store.bulk_insert(members.clerk, "purchase", rows, batch_size=30)
    assert report.inserted == 100
    assert (_get(members, ann)["spend"], _get(members, bob)["spend"],
            _get(members, ann)["purchases"]) == (Decimal(2500), Decimal(2550), 50)


def test_a_computed_field_follows_the_rollup_it_reads(members):
    ann = _member(members)
    assert _get(members, ann)["tier"] == "basic"
    _buy(members, ann, "4999")
    _buy(members, ann, "1")
    assert _get(members, ann)["tier"] == "black"


def test_a_rollup_cannot_be_given_on_create(members):
    with pytest.raises(AccessDenied) as raised:
        members.store.create(members.clerk, "member", {"name": "Ann", "spend": "9"})
    assert "spend" in raised.value.fields


def test_a_rollup_cannot_be_changed_by_an_update(members):
    ann = _member(members)
    with pytest.raises(AccessDenied):
        members.store.update(members.clerk, "member", ann, {"purchases": 9})


def test_a_rule_on_the_parent_refuses_the_child_that_breaks_it(members):
    ann = _member(members)
    members.store.create(members.clerk, "movement", {"member": ann, "points": 741})
    members.store.create(members.clerk, "movement", {"member": ann, "points": -500})
    with pytest.raises(ValidationFailed) as raised:
        members.store.create(members.clerk, "movement", {"member": ann, "points": -500})
    assert "points balance cannot go below zero" in str(raised.value)
    assert _get(members, ann)["points"] == 241
    assert members.store.count(members.clerk, "movement") == 2


def test_rollups_sort_and_filter_lists(members):
    ann, bob = _member(members), _member(members, "Bob")
    _buy(members, ann, "10")
    _buy(members, bob, "20")
    page = members.store.list(members.clerk, "member", sort=["-spend"], where="spend > 5")
    assert [r["name"] for r in page.items] == ["Bob", "Ann"]


def _parent_entries(members: Members, member: int) -> list[tuple[str, dict]]:
    return [(h["action"], h["changes"])
            for h in members.store.history(members.clerk, "member", member)]


def test_a_rollup_change_is_an_update_in_the_parents_history_by_the_writer(members):
    ann = _member(members)
    _buy(members, ann, "10")
    [created, derived] = members.store.history(members.clerk, "member", ann)
    assert (created["action"], derived["action"], derived["user"]) == (
        "create", "update", "clara")
    assert (derived["changes"]["spend"], derived["changes"]["purchases"]) == (
        {"old": "0.00", "new": "10.00"}, {"old": 0, "new": 1})


def test_a_rollup_change_sends_an_updated_event_for_the_parent(members):
    ann = _member(members)
    _buy(members, ann, "10")
    events = members.app.tables.events
    with members.store.engine.connect() as conn:
        kinds = [(e.entity, e.kind) for e in conn.execute(
            sa.select(events).order_by(events.c.id))]
    assert kinds == [("member", "created"), ("purchase", "created"), ("member", "updated")]


def test_a_computed_field_following_a_rollup_is_in_the_same_entry(members):
    ann = _member(members)
    _buy(members, ann, "5000")
    action, changes = _parent_entries(members, ann)[-1]
    assert (action, changes["tier"]) == ("update", {"old": "basic", "new": "black"})


def test_a_bulk_import_records_each_parents_rollups_once(members):
    ann = _member(members)
    report = members.store.bulk_insert(
        members.clerk, "purchase", [{"member": ann, "amount": "1"}] * 5, batch_size=2)
    assert report.inserted == 5
    entries = _parent_entries(members, ann)
    assert [a for a, _ in entries] == ["create", "update"]
    assert entries[1][1]["purchases"] == {"old": 0, "new": 5}


def test_a_rollup_that_ends_where_it_began_records_nothing(members):
    ann, bob = _member(members), _member(members, "Bob")
    purchase = _buy(members, ann, "10")
    before = len(_parent_entries(members, bob))
    members.store.update(members.clerk, "purchase", purchase, {"amount": "10.00"})
    assert len(_parent_entries(members, bob)) == before


def test_a_rollup_change_leaves_the_parents_version(members):
    ann = _member(members)
    _buy(members, ann, "10")
    assert _get(members, ann)["version"] == 1


def test_recompute_rebuilds_rollups_after_a_raw_sql_change(members):
    ann = _member(members)
    _buy(members, ann, "4999")
    _buy(members, ann, "1")
    table = members.app.tables.entities["member"]
    with members.store.engine.begin() as conn:
        conn.execute(table.update().values(spend=0, purchases=7, tier="basic"))
    counts = members.store.recompute()
    record = _get(members, ann)
    assert (record["spend"], record["purchases"], record["tier"]) == (
        Decimal("5000.00"), 2, "black")
    assert counts["member.spend"] == 1 and counts["member.purchases"] == 1


def test_recompute_of_one_entity_leaves_the_others(members):
    ann = _member(members)
    purchase = _buy(members, ann, "1")
    purchases = members.app.tables.entities["purchase"]
    with members.store.engine.begin() as conn:
        conn.execute(purchases.update().values(member_name="stale"))
    members.store.recompute("member")
    assert members.store.get(members.clerk, "purchase", purchase)["member_name"] == "stale"


def test_a_computed_field_read_through_a_reference_follows_the_referenced_record(members):
    ann = _member(members)
    purchase = _buy(members, ann, "1")
    members.store.update(members.clerk, "member", ann, {"name": "Annabel"})
    assert members.store.get(members.clerk, "purchase", purchase)["member_name"] == "Annabel"


def test_a_rollup_is_kept_in_a_real_column(members):
    ann = _member(members)
    _buy(members, ann, "12")
    table = members.app.tables.entities["member"]
    with members.store.engine.connect() as conn:
        stored = conn.execute(sa.select(table.c.spend).where(table.c.id == ann)).scalar()
    assert Decimal(stored) == Decimal("12")


def test_bulk_insert_adds_only_the_rows_where_the_condition_holds(members):
    ann = _member(members)
    today = dt.date.today()
    rows = [{"member": ann, "amount": "10", "bought_on": str(today)},
            {"member": ann, "amount": "20", "bought_on": str(today - dt.timedelta(days=400))}]
    members.store.bulk_insert(members.clerk, "purchase", rows)
    assert (_get(members, ann)["spend_12m"], _get(members, ann)["spend"]) == (
        Decimal("10.00"), Decimal("30.00"))


def test_an_empty_stored_rollup_is_aggregated_in_full_on_the_next_create(members):
    ann = _member(members)
    _buy(members, ann, "5")
    table = members.app.tables.entities["member"]
    with members.store.engine.begin() as conn:  # as a migration adding the column leaves it
        conn.execute(table.update().values(spend=None, purchases=None))
    _buy(members, ann, "7")
    assert (_get(members, ann)["spend"], _get(members, ann)["purchases"]) == (
        Decimal("12.00"), 2)
