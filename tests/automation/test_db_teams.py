"""Teams managed in the database drive automation like declared ones: round-robin within
a team and `manager of assignee` (desk project: north = lee managing cai and ann); and
`guanxi users team` manages them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_project import START, Desk, open_desk
from guanxi.automation import notifications, teams
from guanxi.cli.main import main
from test_timers import HOUR


@pytest.fixture
def desk(tmp_path: Path, sqlite_url: str) -> Iterator[Desk]:
    made = open_desk(tmp_path / "desk", sqlite_url)
    yield made
    made.store.dispose()


def _team(desk: Desk, change: str, user_id: int | None, name: str = "north") -> None:
    with desk.store.engine.begin() as conn:
        if change == "add":
            assert user_id is not None
            teams.add_member(desk.store.app, conn, name, user_id, START)
        elif change == "remove":
            assert user_id is not None
            teams.remove_member(desk.store.app, conn, name, user_id, START)
        else:
            teams.set_manager(desk.store.app, conn, name, user_id, START)


def test_round_robin_within_a_team_follows_its_database_members(desk: Desk) -> None:
    ann, bob, cai = (a.id for a in desk.agents)
    _team(desk, "remove", ann)
    _team(desk, "add", bob)
    cases = [desk.case(), desk.case()]
    desk.run(START)
    for case in cases:
        desk.store.transition(desk.lead, "case", case["id"], "escalate")
    desk.run(START)
    assert [desk.get(c["id"])["assignee"] for c in cases] == [bob, cai]


def test_the_manager_set_in_the_database_hears_of_a_late_case(desk: Desk) -> None:
    ann = desk.agents[0]
    _team(desk, "manager", ann.id)
    desk.case(priority="high", assignee=desk.agents[2].id)
    desk.run(START + 3 * HOUR)
    heard = [n.text("en") for n in notifications.inbox(desk.store.engine, ann.id)]
    assert "Late for an hour" in heard
    lee = [n.text("en") for n in notifications.inbox(desk.store.engine, desk.lead.id)]
    assert "Late for an hour" not in lee


def test_guanxi_users_team_adds_lists_and_resets(desk: Desk, sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    root = str(desk.store.app.spec.root)
    where = ["--db", sqlite_url, "--project", root]
    assert main(["users", "team", "add", "north", "bob", *where]) == 0
    assert main(["users", "team", "manager", "north", "ann", *where]) == 0
    assert main(["users", "team", "list", *where]) == 0
    out = capsys.readouterr().out
    assert "north  manager: ann  members: ann, bob, cai  [database]" in out
    assert main(["users", "team", "reset", "north", *where]) == 0
    assert main(["users", "team", "list", *where]) == 0
    assert "north  manager: lee  members: ann, cai  [guanxi.yaml]" in capsys.readouterr().out


def test_guanxi_users_team_refuses_an_unknown_user(desk: Desk, sqlite_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    root = str(desk.store.app.spec.root)
    assert main(["users", "team", "add", "north", "zed", "--db", sqlite_url,
                 "--project", root]) == 1
    assert "there is no user 'zed'" in capsys.readouterr().err
