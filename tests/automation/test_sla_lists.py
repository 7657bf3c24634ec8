"""Lists by service level: `sla=` filters and the `sla_due` sort, on the desk project
(SLA `answer`: high 2 h, otherwise 8 h, in weekday hours 08:00-16:00 UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_project import FILES, START, Desk, open_desk
from guanxi.errors import RequestInvalid
from test_timers import HOUR

MINE = {**FILES, "entities/case.yaml": FILES["entities/case.yaml"].replace(
    "agent: {create: all, read: all, update: all}",
    "agent: {create: all, read: assignee == current_user, update: all}")}


@pytest.fixture
def desk(tmp_path: Path, db_url: str) -> Iterator[Desk]:
    made = open_desk(tmp_path / "desk", db_url, MINE)
    yield made
    made.store.dispose()


def _titles(desk: Desk, user: object = None, **options: object) -> list[str]:
    page = desk.store.list(user or desk.lead, "case", **options)  # type: ignore[arg-type]
    return [r["title"] for r in page.items]


def _two(desk: Desk) -> None:
    desk.case(title="Urgent", priority="high", assignee=desk.agents[0].id)  # due 10:00
    desk.case(title="Routine", assignee=desk.agents[1].id)  # due 16:00
    desk.run(START)


def test_a_clock_due_within_the_hour_is_breaching_soon(desk: Desk) -> None:
    _two(desk)
    desk.clock.now = START + HOUR * 1.5
    assert _titles(desk, sla="breaching_soon") == ["Urgent"]
    assert _titles(desk, sla="breached") == []


def test_a_clock_past_its_due_time_is_breached(desk: Desk) -> None:
    _two(desk)
    desk.clock.now = START + HOUR * 2.5
    assert _titles(desk, sla="breached") == ["Urgent"]
    assert _titles(desk, sla="breaching") == ["Urgent"]
    assert _titles(desk, sla="breaching_soon") == []


def test_running_lists_every_record_with_a_clock(desk: Desk) -> None:
    _two(desk)
    assert sorted(_titles(desk, sla="running")) == ["Routine", "Urgent"]


def test_a_stopped_clock_no_longer_counts(desk: Desk) -> None:
    _two(desk)
    [urgent] = desk.store.list(desk.lead, "case", where='title == "Urgent"').items
    desk.store.transition(desk.lead, "case", urgent["id"], "close")
    desk.run(START + HOUR)
    desk.clock.now = START + HOUR * 2.5
    assert _titles(desk, sla="breached") == []


def test_sorting_by_due_time_puts_the_soonest_first_and_pages(desk: Desk) -> None:
    desk.case(title="Routine", assignee=desk.agents[1].id)
    desk.case(title="Urgent", priority="high", assignee=desk.agents[0].id)
    desk.case(title="No clock yet")
    desk.run(START)
    first = desk.store.list(desk.lead, "case", sort=("sla_due",), limit=1)
    assert [r["title"] for r in first.items] == ["Urgent"]
    assert first.items[0]["sla_due"] is not None
    second = desk.store.list(desk.lead, "case", sort=("sla_due",), limit=5,
                             after=first.next_cursor)
    assert [r["title"] for r in second.items][:1] == ["Routine"]


def test_the_filter_keeps_to_the_records_the_reader_may_read(desk: Desk) -> None:
    _two(desk)
    desk.clock.now = START + HOUR * 9
    assert sorted(_titles(desk, sla="breached")) == ["Routine", "Urgent"]
    assert _titles(desk, desk.agents[1], sla="breached") == ["Routine"]


def test_an_unknown_sla_state_is_refused(desk: Desk) -> None:
    with pytest.raises(RequestInvalid, match="sla must be one of"):
        desk.store.list(desk.lead, "case", sla="late")
