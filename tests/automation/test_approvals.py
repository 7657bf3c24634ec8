"""Approvals: a transition that needs one or several approvers before it fires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from approval_project import FILES, START, Buying, open_buying
from guanxi.automation import notifications
from guanxi.errors import TransitionRefused


@pytest.fixture
def buying(write_project, db_url: str) -> Iterator[Buying]:  # type: ignore[no-untyped-def]
    made = open_buying(write_project(FILES, name="buying"), db_url)
    yield made
    made.store.dispose()


def _texts(buying: Buying, user_id: int) -> list[str]:
    return [n.text("en") for n in notifications.inbox(buying.store.engine, user_id)]


def test_firing_a_transition_that_needs_approval_leaves_the_record_pending(
        buying: Buying) -> None:
    record_id, fired = buying.ask()
    assert fired["state"] == "submitted"
    assert fired["approval"]["state"] == "pending"
    assert buying.state(record_id) == "submitted"
    assert buying.store.pending_approval(buying.rita, "purchase", record_id) is not None


def test_the_requesters_manager_is_asked_and_notified(buying: Buying) -> None:
    record_id, _ = buying.ask()
    inbox = buying.store.approvals(buying.mona)
    assert [(a["record_id"], a["transition"], a["requester"]) for a in inbox] == [
        (record_id, "approve", "rita")]
    assert _texts(buying, buying.mona.id) == [f"purchase {record_id}: rita asks you to "
                                              "approve Approve"]
    assert buying.store.approvals(buying.fay) == []


def test_the_last_approval_fires_the_transition_as_the_requester(buying: Buying) -> None:
    record_id, _ = buying.ask()
    approval = buying.store.approvals(buying.mona)[0]["id"]
    decided = buying.store.decide_approval(buying.mona, approval, "approve", "fine")
    assert decided["state"] == "approved"
    assert buying.state(record_id) == "approved"
    history = buying.store.history(buying.rita, "purchase", record_id)
    moved = [h for h in history if h["transition"] == "approve"]
    assert [h["user"] for h in moved] == ["rita"]
    assert _texts(buying, buying.rita.id) == [f"purchase {record_id}: Approve was approved"]


def test_the_decision_and_its_comment_are_in_the_history(buying: Buying) -> None:
    record_id, _ = buying.ask()
    approval = buying.store.approvals(buying.mona)[0]["id"]
    buying.store.decide_approval(buying.mona, approval, "approve", "within budget")
    said = [(h["user"], h["changes"]["approval"]["new"]["event"],
             h["changes"]["approval"]["new"].get("comment"))
            for h in buying.store.history(buying.rita, "purchase", record_id)
            if h["action"] == "approval"]
    assert said == [("rita", "requested", None), ("mona", "approved", "within budget")]


def test_a_parallel_step_needing_all_waits_for_every_party(buying: Buying) -> None:
    record_id, _ = buying.ask(amount=5000)
    first = buying.store.approvals(buying.mona)[0]["id"]
    assert buying.store.decide_approval(buying.mona, first, "approve")["state"] == "pending"
    assert buying.store.decide_approval(buying.fay, first, "approve")["state"] == "pending"
    assert buying.state(record_id) == "submitted"
    assert buying.store.decide_approval(buying.lou, first, "approve")["state"] == "approved"
    assert buying.state(record_id) == "approved"


def test_a_step_whose_condition_does_not_hold_is_not_asked(buying: Buying) -> None:
    buying.ask(amount=10)
    first = buying.store.approvals(buying.mona)[0]["id"]
    buying.store.decide_approval(buying.mona, first, "approve")
    assert buying.store.approvals(buying.fay) == []


def test_a_rejection_returns_the_record_to_the_on_reject_state(buying: Buying) -> None:
    record_id, _ = buying.ask()
    approval = buying.store.approvals(buying.mona)[0]["id"]
    decided = buying.store.decide_approval(buying.mona, approval, "reject", "too dear")
    assert decided["state"] == "rejected"
    assert buying.state(record_id) == "draft"
    assert _texts(buying, buying.rita.id) == [
        f"purchase {record_id}: Approve was rejected by mona"]


def test_someone_not_asked_cannot_decide(buying: Buying) -> None:
    buying.ask()
    approval = buying.store.approvals(buying.mona)[0]["id"]
    with pytest.raises(TransitionRefused, match="not asked"):
        buying.store.decide_approval(buying.fay, approval, "approve")
    with pytest.raises(TransitionRefused, match="not asked"):
        buying.store.decide_approval(buying.rita, approval, "approve")


def test_a_record_waiting_for_approval_cannot_be_asked_again(buying: Buying) -> None:
    record_id, _ = buying.ask()
    with pytest.raises(TransitionRefused, match="already waits"):
        buying.store.transition(buying.rita, "purchase", record_id, "approve")


def test_leaving_the_state_cancels_the_request(buying: Buying) -> None:
    record_id, _ = buying.ask()
    buying.store.transition(buying.rita, "purchase", record_id, "withdraw")
    assert buying.store.approvals(buying.mona) == []
    assert buying.store.pending_approval(buying.rita, "purchase", record_id) is None


def test_approvers_who_have_not_decided_are_reminded(buying: Buying) -> None:
    record_id, _ = buying.ask()
    buying.run(START + dt.timedelta(hours=23))
    assert len(_texts(buying, buying.mona.id)) == 1
    buying.run(START + dt.timedelta(days=1, minutes=1))
    assert _texts(buying, buying.mona.id)[0] == (
        f"purchase {record_id}: Approve still waits for your approval")


def test_nobody_to_approve_refuses_the_transition(buying: Buying) -> None:
    made = buying.store.create(buying.mona, "purchase", {"item": "Desk"})
    buying.store.transition(buying.mona, "purchase", made["id"], "submit")
    with pytest.raises(TransitionRefused, match="nobody may approve step 1"):
        buying.store.transition(buying.mona, "purchase", made["id"], "approve")
    assert buying.state(made["id"]) == "submitted"
