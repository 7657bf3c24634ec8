"""Aggregates written in `compute:` (`sum(purchase.amount, …)`, `count(ticket, …)`):
stored roll-ups kept in the transaction of every write to the records they add up, on
both databases, and a computed field may read them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from rollup_project import Members, open_members

MEMBER = """
    member:
      fields:
        name: {type: string, required: true}
        total: {type: money, compute: 'sum(purchase.amount)'}
        big_total: {type: money, compute: 'sum(purchase.amount, amount >= 100)'}
        bought: {type: integer, compute: count(purchase)}
        open_tickets: {type: integer, compute: 'count(ticket, state == "open")'}
        top: {type: money, compute: max(purchase.amount)}
        rank: {type: choice, options: [small, big],
               compute: 'if(total >= 1000, "big", "small")'}
      access:
        clerk: {create: all, read: all, update: all, delete: all}
"""


@pytest.fixture
def members(write_project, db_url: str) -> Iterator[Members]:
    opened = open_members(write_project, db_url, {"entities/member.yaml": MEMBER})
    yield opened
    opened.store.dispose()


def _new(members: Members, entity: str, **values: object) -> int:
    return int(members.store.create(members.clerk, entity, values)["id"])


def _member(members: Members, member: int) -> dict[str, object]:
    return members.store.get(members.clerk, "member", member)


def test_an_aggregate_in_compute_is_a_stored_rollup(members):
    spec = members.app.entity("member").fields["total"]
    assert (spec.compute, spec.rollup.kind, spec.rollup.of, spec.rollup.via) == (
        None, "sum", "purchase", "member")


def test_sums_counts_and_maxima_follow_creates(members):
    ann = _new(members, "member", name="Ann")
    _new(members, "purchase", member=ann, amount="40")
    _new(members, "purchase", member=ann, amount="150")
    record = _member(members, ann)
    assert (record["total"], record["big_total"], record["bought"], record["top"]) == (
        Decimal("190.00"), Decimal("150.00"), 2, Decimal("150.00"))


def test_the_condition_counts_only_matching_records(members):
    ann = _new(members, "member", name="Ann")
    ticket = _new(members, "ticket", member=ann, subject="broken")
    _new(members, "ticket", member=ann, subject="late")
    members.store.transition(members.clerk, "ticket", ticket, "close")
    assert _member(members, ann)["open_tickets"] == 1


def test_repointing_and_deleting_move_the_aggregates(members):
    ann, bob = _new(members, "member", name="Ann"), _new(members, "member", name="Bob")
    purchase = _new(members, "purchase", member=ann, amount="30")
    members.store.update(members.clerk, "purchase", purchase, {"member": bob})
    assert (_member(members, ann)["total"], _member(members, bob)["total"]) == (
        Decimal("0.00"), Decimal("30.00"))
    members.store.delete(members.clerk, "purchase", purchase)
    assert _member(members, bob)["bought"] == 0


def test_a_computed_field_reading_an_aggregate_follows_it(members):
    ann = _new(members, "member", name="Ann")
    _new(members, "purchase", member=ann, amount="1200")
    assert _member(members, ann)["rank"] == "big"


def test_an_aggregate_sorts_and_filters_lists(members):
    ann, bob = _new(members, "member", name="Ann"), _new(members, "member", name="Bob")
    _new(members, "purchase", member=ann, amount="5")
    _new(members, "purchase", member=bob, amount="50")
    page = members.store.list(members.clerk, "member", sort=["-total"], where="total > 1")
    assert [r["name"] for r in page.items] == ["Bob", "Ann"]
