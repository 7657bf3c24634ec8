"""`guanxi migrate` that adds a roll-up column fills it from the records in the same run."""

from __future__ import annotations

from decimal import Decimal

from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

BEFORE = {
    "guanxi.yaml": """
        project: shop
        roles:
          clerk: {}
    """,
    "entities/member.yaml": """
        member:
          fields:
            name: {type: string, required: true}
          access:
            clerk: {create: all, read: all, update: all}
    """,
    "entities/purchase.yaml": """
        purchase:
          fields:
            member: {type: reference, to: member}
            amount: {type: money, required: true}
          access:
            clerk: {create: all, read: all}
    """,
}
WITH_SPEND = {**BEFORE, "entities/member.yaml": """
    member:
      fields:
        name: {type: string, required: true}
        spend: {type: money, rollup: {sum: amount, of: purchase, via: member}}
        buys: {type: integer, rollup: {count: purchase, via: member}}
      access:
        clerk: {create: all, read: all, update: all}
"""}


def _store(root, db_url: str) -> Store:
    return Store(compile_app(load_project_or_raise(root)), db_url)


def test_migrate_that_adds_a_rollup_fills_it_from_the_existing_records(
        write_project, db_url: str, capsys) -> None:
    root = write_project(BEFORE)
    assert main(["migrate", str(root), "--db", db_url]) == 0
    store = _store(root, db_url)
    clerk = add_account(store, "clara", ["clerk"])
    ann = store.create(clerk, "member", {"name": "Ann"})["id"]
    store.create(clerk, "member", {"name": "Bob"})
    for amount in ("12", "30"):
        store.create(clerk, "purchase", {"member": ann, "amount": amount})
    store.dispose()
    write_project(WITH_SPEND)
    capsys.readouterr()
    assert main(["migrate", str(root), "--db", db_url]) == 0
    printed = capsys.readouterr().out
    assert "filled member.spend: 2 record(s)" in printed
    store = _store(root, db_url)
    assert [(m["name"], m["spend"], m["buys"]) for m in store.list(
        clerk, "member", sort=["name"]).items] == [
        ("Ann", Decimal("42.00"), 2), ("Bob", Decimal("0.00"), 0)]
    store.dispose()
