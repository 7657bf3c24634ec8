"""Removing or renaming a state that records are in: refused with the count of stranded
records, accepted with a `state_map:`; the history keeps the old state's name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evolving_project import LIFE, Shop, open_shop
from guanxi.migrate import plan as migrate


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    shop = open_shop(tmp_path / "shop", db_url)
    yield shop
    shop.engine.dispose()


def with_won_records(shop: Shop, won: int = 2) -> list[int]:
    app = shop.write()
    shop.migrate(app)
    store, cleo = shop.store(app)
    ids = []
    for n in range(won + 1):
        record = store.create(cleo, "customer", {"name": f"C{n}"})
        if n < won:
            store.transition(cleo, "customer", record["id"], "win")
        ids.append(int(record["id"]))
    return ids


RENAMED = LIFE.replace("won: {}", "closed_won: {}").replace("to: won", "to: closed_won") \
    .replace("[new, won]", "[new, closed_won]")


def test_removing_a_state_with_records_is_refused_with_their_count(shop: Shop) -> None:
    with_won_records(shop, won=2)
    plan = migrate.plan(shop.write(life=RENAMED), shop.engine)
    [stranded] = plan.blocked
    assert stranded.blocked.startswith("2 customer record(s) are in state 'won'")
    assert "state_map" in stranded.blocked


def test_a_refused_state_removal_changes_nothing(shop: Shop) -> None:
    with_won_records(shop)
    app = shop.write(life=RENAMED)
    with pytest.raises(migrate.MigrationRefused):
        migrate.apply(migrate.plan(app, shop.engine), shop.engine)
    assert migrate.plan(shop.write(), shop.engine).empty


def test_a_state_map_moves_the_records(shop: Shop) -> None:
    ids = with_won_records(shop, won=2)
    app = shop.write(life=RENAMED + "  state_map: {won: closed_won}\n")
    plan = shop.migrate(app)
    assert any(s.description.startswith("move 2 customer record(s) from state 'won' to "
                                        "'closed_won'") for s in plan.steps)
    store, cleo = shop.store(app)
    assert [store.get(cleo, "customer", i)["state"] for i in ids] == \
        ["closed_won", "closed_won", "new"]
    assert migrate.plan(app, shop.engine).empty


def test_renamed_from_on_a_state_moves_the_records(shop: Shop) -> None:
    ids = with_won_records(shop, won=1)
    app = shop.write(life=RENAMED.replace("closed_won: {}",
                                          "closed_won: {renamed_from: won}"))
    shop.migrate(app)
    store, cleo = shop.store(app)
    assert store.get(cleo, "customer", ids[0])["state"] == "closed_won"


def test_history_keeps_the_old_state_name(shop: Shop) -> None:
    ids = with_won_records(shop, won=1)
    app = shop.write(life=RENAMED + "  state_map: {won: closed_won}\n")
    shop.migrate(app)
    store, cleo = shop.store(app)
    history = store.history(cleo, "customer", ids[0])
    assert {"old": "new", "new": "won"} in [h["changes"].get("state") for h in history]


def test_moved_records_take_the_new_states_transitions(shop: Shop) -> None:
    ids = with_won_records(shop, won=1)
    app = shop.write(life=RENAMED + "  state_map: {won: closed_won}\n")
    shop.migrate(app)
    store, cleo = shop.store(app)
    assert store.transition(cleo, "customer", ids[0], "lose")["state"] == "lost"
