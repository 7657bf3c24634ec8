"""Workflow timers, SLA clocks, assignment and schedules on the desk project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_project import START, Desk, open_desk
from guanxi.accounts import users
from guanxi.automation import jobs, notifications, slas
from guanxi.errors import GuanxiError

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def desk(tmp_path: Path, db_url: str) -> Iterator[Desk]:
    made = open_desk(tmp_path / "desk", db_url)
    yield made
    made.store.dispose()


def _texts(desk: Desk, user_id: int) -> list[str]:
    return [n.text("en") for n in notifications.inbox(desk.store.engine, user_id)]


def test_a_timer_fires_when_the_record_has_stayed_in_its_state(desk: Desk) -> None:
    case = desk.case(assignee=desk.agents[2].id)
    desk.run(START + HOUR / 2)
    assert _texts(desk, desk.agents[2].id) == []
    desk.run(START + HOUR)
    assert _texts(desk, desk.agents[2].id) == ["Still new"]
    assert notifications.inbox(desk.store.engine, desk.agents[2].id)[0].record_id == case["id"]


def test_a_timer_is_cancelled_when_the_record_leaves_its_state(desk: Desk) -> None:
    case = desk.case(assignee=desk.agents[0].id)
    desk.run(START)
    desk.store.transition(desk.lead, "case", case["id"], "wait")
    desk.run(START + 2 * HOUR)
    assert _texts(desk, desk.agents[0].id) == []


def test_a_timer_whose_condition_fails_does_nothing(desk: Desk) -> None:
    desk.case(vip=False)
    vip = desk.case(vip=True)
    desk.run(START + 3 * HOUR)
    alarms = notifications.inbox(desk.store.engine, desk.lead.id)
    assert [(n.text("en"), n.record_id) for n in alarms if n.text("en") == "VIP waiting"] == [
        ("VIP waiting", vip["id"])]


def test_a_fire_timer_moves_the_record_as_the_system(desk: Desk) -> None:
    case = desk.case()
    desk.store.transition(desk.lead, "case", case["id"], "wait")
    desk.run(START + dt.timedelta(days=3))
    assert desk.get(case["id"])["state"] == "done"
    last = desk.store.history(desk.lead, "case", case["id"])[-1]
    assert (last["transition"], last["user_id"]) == ("close", None)


def test_new_records_are_assigned_round_robin_among_the_role(desk: Desk) -> None:
    made = [desk.case() for _ in range(4)]
    desk.run(START)
    chosen = [desk.get(case["id"])["assignee"] for case in made]
    ids = [agent.id for agent in desk.agents]
    assert chosen == [ids[0], ids[1], ids[2], ids[0]]


def test_round_robin_skips_inactive_users(desk: Desk) -> None:
    users.set_active(desk.store.engine, "bob", False)
    made = [desk.case() for _ in range(2)]
    desk.run(START)
    assert [desk.get(c["id"])["assignee"] for c in made] == [desk.agents[0].id,
                                                             desk.agents[2].id]


def test_the_assignment_is_recorded_in_history_as_the_system(desk: Desk) -> None:
    case = desk.case()
    desk.run(START)
    last = desk.store.history(desk.lead, "case", case["id"])[-1]
    assert (last["action"], last["user_id"], list(last["changes"])) == (
        "update", None, ["assignee"])


def test_an_sla_counts_business_hours_and_skips_extra_holidays(desk: Desk) -> None:
    case = desk.case()  # Tuesday 08:00; target 8h; Thursday is a holiday
    desk.run(START)
    [clock] = slas.clocks(desk.store.engine, desk.store.app.spec, "case", case["id"], START)
    assert clock.due_at == dt.datetime(2026, 12, 1, 16, tzinfo=dt.UTC)


def test_an_sla_breach_notifies_and_a_changed_priority_retargets(desk: Desk) -> None:
    case = desk.case()
    desk.run(START)
    desk.store.update(desk.lead, "case", case["id"], {"priority": "high"})
    desk.run(START + 2 * HOUR)
    assert "Late" in _texts(desk, desk.lead.id)
    [clock] = slas.clocks(desk.store.engine, desk.store.app.spec, "case", case["id"],
                          START + 2 * HOUR)
    assert clock.breached and clock.target_seconds == 7200


def test_a_paused_sla_clock_keeps_its_used_time(desk: Desk) -> None:
    case = desk.case()
    desk.run(START)
    desk.clock.now = START + 2 * HOUR
    desk.store.transition(desk.lead, "case", case["id"], "wait")
    desk.run(START + 2 * HOUR)
    desk.clock.now = dt.datetime(2026, 12, 2, 8, tzinfo=dt.UTC)
    desk.store.transition(desk.lead, "case", case["id"], "back")
    desk.run(desk.clock.now)
    [clock] = slas.clocks(desk.store.engine, desk.store.app.spec, "case", case["id"],
                          desk.clock.now)
    assert clock.due_at == dt.datetime(2026, 12, 2, 14, tzinfo=dt.UTC)
    assert (clock.left_seconds, clock.paused) == (6 * 3600, False)


def test_a_schedule_acts_on_matching_records_once_per_occurrence(desk: Desk) -> None:
    high = desk.case(priority="high")
    low = desk.case(priority="low")
    desk.run(START)  # first sight: the schedule starts at its next occurrence
    assert desk.get(high["id"])["flagged"] is False
    desk.run(START + dt.timedelta(days=1))
    assert (desk.get(high["id"])["flagged"], desk.get(low["id"])["flagged"]) == (True, False)


def test_a_failing_action_is_retried_then_parked_with_the_stores_message(
        desk: Desk) -> None:
    case = desk.case()
    desk.store.transition(desk.lead, "case", case["id"], "escalate")
    desk.run(START)  # the round-robin assignment
    before = desk.get(case["id"])
    moment = START + HOUR
    for wait in (0, 30, 60, 120, 240):  # the backoff doubles from 30 seconds
        moment += dt.timedelta(seconds=wait)
        desk.run(moment)
    [job] = jobs.list_jobs(desk.store.engine, state="failed")
    assert (job.kind, job.attempts) == ("timer", 5)
    with pytest.raises(GuanxiError) as refused:
        desk.store.transition(desk.store.system, "case", case["id"], "back")
    assert job.last_error == str(refused.value)
    assert desk.get(case["id"]) == before


def test_a_failed_job_can_be_queued_again(desk: Desk) -> None:
    case = desk.case()
    desk.store.transition(desk.lead, "case", case["id"], "escalate")
    moment = START + HOUR
    for wait in (0, 30, 60, 120, 240):
        moment += dt.timedelta(seconds=wait)
        desk.run(moment)
    [job] = jobs.list_jobs(desk.store.engine, state="failed")
    assert jobs.retry(desk.store.engine, job.id, moment)
    assert [j.id for j in jobs.list_jobs(desk.store.engine, state="queued")] == [job.id]


def test_an_escalation_goes_round_robin_within_a_team(desk: Desk) -> None:
    first, second = desk.case(), desk.case()
    desk.run(START)
    for case in (first, second):
        desk.store.transition(desk.lead, "case", case["id"], "escalate")
    desk.run(START)
    ann, cai = desk.agents[0].id, desk.agents[2].id
    assert [desk.get(c["id"])["assignee"] for c in (first, second)] == [ann, cai]


def test_the_manager_of_the_assignee_hears_of_a_late_case(desk: Desk) -> None:
    desk.case(priority="high", assignee=desk.agents[2].id)
    desk.run(START + 3 * HOUR)
    assert "Late for an hour" in _texts(desk, desk.lead.id)


def test_a_user_in_no_team_has_no_manager_to_tell(desk: Desk) -> None:
    desk.case(priority="high", assignee=desk.agents[1].id)  # bob is in no team
    desk.run(START + 3 * HOUR)
    assert "Late for an hour" not in _texts(desk, desk.lead.id)
