"""acme's e-mail alarm, end to end: tickets written through the Store at one moment,
`guanxi worker --once --at` a moment later, notifications read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from acme_world import PASSWORD, World, acme_world, shanghai
from guanxi.accounts import users
from guanxi.automation import notifications
from guanxi.automation.worker import Worker
from guanxi.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "acme"


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    made = acme_world(EXAMPLES, db_url, shanghai(2026, 12, 4, 17))  # a Friday
    yield made
    made.store.dispose()


def _messages(world: World, user_id: int) -> list[str]:
    return [n.text("en") for n in notifications.inbox(world.store.engine, user_id)]


def test_an_unanswered_email_ticket_alarms_its_assignee_a_week_later(world: World) -> None:
    ticket = world.ticket(channel="email", assignee=world.agent.id)
    Worker(world.store).run_until_quiet(shanghai(2026, 12, 11, 10).astimezone())
    assert _messages(world, world.agent.id)[-1:] == [
        "An e-mail ticket has waited 12 office hours for a first answer"]
    assert notifications.inbox(world.store.engine, world.agent.id)[0].record_id == ticket["id"]


def test_an_answered_email_ticket_alarms_nobody(world: World) -> None:
    ticket = world.ticket(channel="email", assignee=world.agent.id)
    world.store.transition(world.manager, "ticket", ticket["id"], "assign")
    world.store.transition(world.manager, "ticket", ticket["id"], "start")
    Worker(world.store).run_until_quiet(shanghai(2026, 12, 11, 10))
    for user in (world.agent, world.other_agent, world.manager):
        assert not [m for m in _messages(world, user.id) if "e-mail ticket" in m]


def test_a_ticket_from_friday_evening_is_not_overdue_on_saturday_morning(
        world: World) -> None:
    world.ticket(channel="email", assignee=world.agent.id)
    Worker(world.store).run_until_quiet(shanghai(2026, 12, 5, 9))
    assert _messages(world, world.agent.id) == []


def test_a_ticket_from_friday_evening_is_not_overdue_over_the_spring_festival(
        db_url: str) -> None:
    # Friday 2026-02-13 17:00; Saturday the 14th is a make-up working day; the 16th to
    # the 23rd are public holidays: 12 office hours end on Tuesday the 24th at 11:00.
    world = acme_world(EXAMPLES, db_url, shanghai(2026, 2, 13, 17))
    try:
        world.ticket(channel="email", assignee=world.agent.id)
        worker = Worker(world.store)
        worker.run_until_quiet(shanghai(2026, 2, 14, 9))
        worker.run_until_quiet(shanghai(2026, 2, 18, 12))
        assert _messages(world, world.agent.id) == []
        worker.run_until_quiet(shanghai(2026, 2, 24, 11))
        assert len(_messages(world, world.agent.id)) == 1
    finally:
        world.store.dispose()


def test_a_ticket_that_becomes_an_email_ticket_is_timed_from_then(world: World) -> None:
    ticket = world.ticket(channel="web", assignee=world.agent.id)
    worker = Worker(world.store)
    worker.run_until_quiet(shanghai(2026, 12, 4, 17))  # a running worker follows at once
    world.clock.now = shanghai(2026, 12, 7, 9)
    world.store.update(world.manager, "ticket", ticket["id"], {"channel": "email"})
    worker.run_until_quiet(shanghai(2026, 12, 8, 11, 30))  # 11.5 office hours since
    assert _messages(world, world.agent.id) == []
    worker.run_until_quiet(shanghai(2026, 12, 8, 12))
    assert len(_messages(world, world.agent.id)) == 1


def test_the_service_managers_hear_after_sixteen_office_hours(world: World) -> None:
    world.ticket(channel="email", assignee=world.agent.id)
    worker = Worker(world.store)
    worker.run_until_quiet(shanghai(2026, 12, 8, 14))  # 13 office hours: Fri 1, Mon 9, Tue 3
    assert not [m for m in _messages(world, world.manager.id) if "16 office" in m]
    worker.run_until_quiet(shanghai(2026, 12, 8, 15))  # 16 office hours
    assert "An e-mail ticket has waited 16 office hours for a first answer" in \
        _messages(world, world.manager.id)


def test_running_again_at_an_earlier_moment_fires_nothing_twice(world: World) -> None:
    world.ticket(channel="email", assignee=world.agent.id)
    worker = Worker(world.store)
    worker.run_until_quiet(shanghai(2026, 12, 11, 10))
    before = _messages(world, world.agent.id)
    worker.run_until_quiet(shanghai(2026, 12, 9, 10))
    worker.run_until_quiet(shanghai(2026, 12, 11, 10))
    assert _messages(world, world.agent.id) == before


def test_the_worker_command_runs_what_is_due_at_the_given_moment(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.ticket(channel="email", assignee=world.agent.id)
    url = world.store.engine.url.render_as_string(hide_password=False)
    assert main(["worker", str(EXAMPLES), "--db", url, "--once",
                 "--at", "2026-12-11T10:00:00+08:00"]) == 0
    assert "notify assignee: 1 user(s)" in capsys.readouterr().out
    assert len(_messages(world, world.agent.id)) >= 1


def test_an_activity_reminds_its_owner_an_hour_before_it_is_due(world: World) -> None:
    rep = users.add_user(world.store.engine, "sam", PASSWORD, ["sales_rep"])
    account = world.store.create(rep, "account", {"name": "Probe"})
    world.store.create(rep, "activity", {"subject": "Call back", "kind": "call",
                                         "due": shanghai(2026, 12, 7, 10),
                                         "account": account["id"]})
    worker = Worker(world.store)
    worker.run_until_quiet(shanghai(2026, 12, 7, 8, 59))
    assert _messages(world, rep.id) == []
    worker.run_until_quiet(shanghai(2026, 12, 7, 9))
    assert _messages(world, rep.id) == ["An activity is due in an hour"]


def test_a_done_activity_reminds_nobody(world: World) -> None:
    rep = users.add_user(world.store.engine, "sam", PASSWORD, ["sales_rep"])
    account = world.store.create(rep, "account", {"name": "Probe"})
    activity = world.store.create(rep, "activity", {
        "subject": "Call back", "kind": "call", "due": shanghai(2026, 12, 7, 10),
        "account": account["id"]})
    world.store.update(rep, "activity", activity["id"], {"done": True})
    Worker(world.store).run_until_quiet(shanghai(2026, 12, 7, 9))
    assert _messages(world, rep.id) == []
