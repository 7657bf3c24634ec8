"""Notes with @mentions on records, and a user's tasks (SQLite; the Store's rules are
the same on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from guanxi.automation import notifications
from guanxi.compile.app import compile_app
from guanxi.errors import NotFound, RequestInvalid, ValidationFailed
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from guanxi.workspace import notes, tasks
from store_project import add_account
from workspace_project import PROJECT

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def crm(write_project, sqlite_url):
    store = Store(compile_app(load_project_or_raise(write_project(PROJECT))), sqlite_url,
                  clock=lambda: NOW)
    store.create_schema()
    world = SimpleNamespace(store=store, rita=add_account(store, "rita", ["rep"]),
                            rolf=add_account(store, "rolf", ["rep"]),
                            mona=add_account(store, "mona", ["manager"]))
    yield world
    store.dispose()


def test_a_note_is_kept_on_the_record_newest_first(crm):
    s, rita = crm.store, crm.rita
    deal = s.create(rita, "deal", {"name": "Noted"})
    notes.add(s, rita, "deal", deal["id"], "first")
    notes.add(s, rita, "deal", deal["id"], "second")
    assert [n.body for n in notes.notes_of(s, rita, "deal", deal["id"])] == ["second", "first"]


def test_a_mention_notifies_a_user_who_may_read_the_record(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    deal = s.create(rita, "deal", {"name": "Help"})
    notes.add(s, rita, "deal", deal["id"], "@mona can you call them?")
    [sent] = notifications.inbox(s.engine, mona.id)
    assert (sent.entity, sent.record_id, sent.source) == ("deal", deal["id"], "mention")
    assert "can you call them?" in sent.text("en") and "提到了您" in sent.text("zh")


def test_a_mention_of_someone_who_may_not_read_the_record_notifies_nobody(crm):
    s, rita, rolf = crm.store, crm.rita, crm.rolf
    deal = s.create(rita, "deal", {"name": "Mine"})
    notes.add(s, rita, "deal", deal["id"], "@rolf @nobody @rita look")
    assert notifications.inbox(s.engine, rolf.id) == []
    assert notifications.inbox(s.engine, rita.id) == []


def test_mentions_are_read_from_the_text():
    assert notes.mentions("hi @mona, and @wei.zhang. mail a@b.com @mona") == [
        "mona", "wei.zhang"]


def test_an_empty_note_is_refused(crm):
    s, rita = crm.store, crm.rita
    deal = s.create(rita, "deal", {"name": "Empty"})
    with pytest.raises(ValidationFailed) as refused:
        notes.add(s, rita, "deal", deal["id"], "   ")
    assert list(refused.value.errors) == ["body"]


def test_no_note_on_a_record_the_user_may_not_read(crm):
    s, rita, rolf = crm.store, crm.rita, crm.rolf
    deal = s.create(rita, "deal", {"name": "Hers"})
    with pytest.raises(NotFound):
        notes.add(s, rolf, "deal", deal["id"], "sneaky")
    with pytest.raises(NotFound):
        notes.notes_of(s, rolf, "deal", deal["id"])


def _task(store, user, subject, due, done=False):
    deal = store.create(user, "deal", {"name": f"for {subject}"})
    return store.create(user, "activity", {"subject": subject, "due": due, "done": done,
                                           "deal": deal["id"]})


def test_my_tasks_are_split_into_overdue_today_and_upcoming(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    _task(s, rita, "late", NOW - dt.timedelta(days=1))
    _task(s, rita, "now", NOW + dt.timedelta(hours=2))
    _task(s, rita, "soon", NOW + dt.timedelta(days=3))
    _task(s, rita, "finished", NOW, done=True)
    _task(s, mona, "hers", NOW)
    mine = tasks.my_tasks(s, rita)
    assert [[t.record["subject"] for t in part] for part in
            (mine.overdue, mine.today, mine.upcoming)] == [["late"], ["now"], ["soon"]]


def test_completing_a_task_sets_it_done_with_history(crm):
    s, rita = crm.store, crm.rita
    task = _task(s, rita, "call back", NOW)
    tasks.complete(s, rita, "activity", task["id"], expected_version=task["version"])
    assert len(tasks.my_tasks(s, rita)) == 0
    assert s.history(rita, "activity", task["id"])[-1]["changes"]["done"] == {
        "old": False, "new": True}


def test_someone_elses_task_cannot_be_completed(crm):
    s, rita, rolf = crm.store, crm.rita, crm.rolf
    task = _task(s, rita, "hers", NOW)
    with pytest.raises(NotFound):
        tasks.complete(s, rolf, "activity", task["id"])


def test_only_task_entities_can_be_completed(crm):
    s, rita = crm.store, crm.rita
    deal = s.create(rita, "deal", {"name": "Not a task"})
    with pytest.raises(RequestInvalid):
        tasks.complete(s, rita, "deal", deal["id"])
