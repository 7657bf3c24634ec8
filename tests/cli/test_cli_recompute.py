"""`guanxi recompute`: rebuilds roll-ups and computed fields from the records as they are."""

from __future__ import annotations

from decimal import Decimal

from guanxi.cli.main import main
from rollup_project import PROJECT, open_members


def test_recompute_corrects_a_rollup_changed_behind_the_stores_back(
        write_project, db_url: str, capsys) -> None:
    members = open_members(write_project, db_url)
    store, clerk = members.store, members.clerk
    ann = store.create(clerk, "member", {"name": "Ann"})["id"]
    store.create(clerk, "purchase", {"member": ann, "amount": "12"})
    with store.engine.begin() as conn:
        conn.execute(members.app.tables.entities["member"].update().values(spend=99))
    root = write_project(PROJECT)
    assert main(["recompute", str(root), "--db", db_url]) == 0
    printed = capsys.readouterr().out
    assert "member.spend: 1 record corrected" in printed
    assert store.get(clerk, "member", ann)["spend"] == Decimal("12.00")
    store.dispose()


def test_recompute_of_an_unknown_entity_is_an_error(write_project, sqlite_url: str,
                                                    capsys) -> None:
    members = open_members(write_project, sqlite_url)
    root = write_project(PROJECT)
    assert main(["recompute", str(root), "membr", "--db", sqlite_url]) == 1
    assert "unknown entity 'membr'" in capsys.readouterr().err
    members.store.dispose()
