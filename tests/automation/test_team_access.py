"""`same_team(owner)` in access rules: the owner's team may read, in SQL and in Python,
with teams from guanxi.yaml and from the database (which wins for a team it holds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from desk_project import write
from guanxi.automation import teams
from guanxi.compile.app import compile_app
from guanxi.errors import AccessDenied, NotFound
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account
from test_golden import assert_golden, statements_of

MOMENT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
FILES = {
    "guanxi.yaml": """
        project: sales
        roles:
          rep: {}
        teams:
          east: {manager: mona, members: [rita, wei]}
    """,
    "entities/deal.yaml": """
        deal:
          fields:
            name: {type: string, required: true}
          access:
            rep:
              create: all
              read: owner == current_user or same_team(owner)
              update: same_team(owner)
    """,
}


@dataclass
class Sales:
    store: Store
    rita: User
    wei: User
    ralf: User
    mona: User

    def deal(self, owner: User, name: str = "Servers") -> int:
        return int(self.store.create(owner, "deal", {"name": name})["id"])

    def names(self, user: User) -> list[str]:
        return [r["name"] for r in self.store.list(user, "deal", sort=("id",)).items]

    def change(self, change: str, team: str, user: User | None) -> None:
        app = self.store.app
        with self.store.engine.begin() as conn:
            if change == "add":
                assert user is not None
                teams.add_member(app, conn, team, user.id, MOMENT)
            elif change == "remove":
                assert user is not None
                teams.remove_member(app, conn, team, user.id, MOMENT)
            elif change == "manager":
                teams.set_manager(app, conn, team, user.id if user else None, MOMENT)
            else:
                teams.reset(app, conn, team)


@pytest.fixture
def sales(tmp_path: Path, db_url: str) -> Iterator[Sales]:
    app = compile_app(load_project_or_raise(write(tmp_path / "sales", FILES)))
    store = Store(app, db_url, clock=lambda: MOMENT)
    store.create_schema()
    made = Sales(store, *(add_account(store, name, ["rep"])
                          for name in ("rita", "wei", "ralf", "mona")))
    yield made
    store.dispose()


def test_a_team_mate_reads_the_owners_records(sales: Sales) -> None:
    record = sales.deal(sales.rita, "Rita's")
    assert sales.names(sales.wei) == ["Rita's"]
    assert sales.store.get(sales.wei, "deal", record)["name"] == "Rita's"


def test_someone_outside_the_team_does_not(sales: Sales) -> None:
    record = sales.deal(sales.rita, "Rita's")
    sales.deal(sales.ralf, "Ralf's")
    assert sales.names(sales.ralf) == ["Ralf's"]
    with pytest.raises(NotFound):
        sales.store.get(sales.ralf, "deal", record)


def test_the_teams_manager_reads_the_members_records(sales: Sales) -> None:
    sales.deal(sales.rita, "Rita's")
    sales.deal(sales.wei, "Wei's")
    assert sales.names(sales.mona) == ["Rita's", "Wei's"]


def test_the_rule_holds_for_updates_too(sales: Sales) -> None:
    record = sales.deal(sales.rita, "Rita's")
    assert sales.store.update(sales.wei, "deal", record, {"name": "Ours"})["name"] == "Ours"
    sales.change("add", "west", sales.ralf)
    with pytest.raises((AccessDenied, NotFound)):
        sales.store.update(sales.ralf, "deal", record, {"name": "Mine"})


def test_a_member_added_in_the_database_reads_at_once(sales: Sales) -> None:
    sales.deal(sales.rita, "Rita's")
    sales.change("add", "east", sales.ralf)
    assert sales.names(sales.ralf) == ["Rita's"]


def test_the_database_wins_over_yaml_for_a_team_it_holds(sales: Sales) -> None:
    sales.deal(sales.rita, "Rita's")
    sales.change("remove", "east", sales.wei)
    assert sales.names(sales.wei) == []
    assert sales.names(sales.mona) == ["Rita's"]  # the YAML manager was copied in


def test_reset_returns_a_team_to_its_yaml_declaration(sales: Sales) -> None:
    sales.deal(sales.rita, "Rita's")
    sales.change("remove", "east", sales.wei)
    sales.change("reset", "east", None)
    assert sales.names(sales.wei) == ["Rita's"]


def test_a_new_manager_set_in_the_database_reads_the_members_records(sales: Sales) -> None:
    sales.deal(sales.rita, "Rita's")
    sales.change("manager", "east", sales.ralf)
    assert sales.names(sales.ralf) == ["Rita's"]
    assert sales.names(sales.mona) == []


def test_sql_of_a_list_with_a_team_rule_matches_its_golden_file(sales: Sales) -> None:
    dialect = sales.store.engine.dialect.name
    sql = statements_of(sales.store.engine, lambda: sales.store.list(
        sales.wei, "deal", sort=("-id",), limit=10))
    assert_golden(f"team_deals.{dialect}.sql", sql)
