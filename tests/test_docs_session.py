"""The session shown in docs/python-api.md, replayed against examples/acme: what the
documentation promises is what the Store does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import EXAMPLES
from guanxi.compile.app import compile_app
from guanxi.errors import AccessDenied, TransitionRefused, ValidationFailed, VersionConflict
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account


@pytest.fixture
def session(db_url):
    store = Store(compile_app(load_project_or_raise(EXAMPLES / "acme")), db_url)
    store.create_schema()
    rita = add_account(store, "rita", ["sales_rep"])
    max_ = add_account(store, "max", ["sales_manager"])
    yield store, rita, max_
    store.dispose()


def test_the_documented_lead_session_works_as_shown(session):
    store, rita, max_ = session

    lead = store.create(rita, "lead", {"name": "Li Wei", "company": "Wei Trading",
                                       "email": "li.wei@example.cn", "value": "12000"})
    assert (lead["state"], lead["version"], lead["owner"], lead["value"]) == (
        "new", 1, rita.id, Decimal("12000.00"))
    assert "income" not in lead

    lead = store.transition(rita, "lead", lead["id"], "contact")
    assert [t.name for t in store.available_transitions(rita, "lead", lead)] == [
        "qualify", "nurture", "lose"]
    lead = store.transition(rita, "lead", lead["id"], "qualify",
                            expected_version=lead["version"])
    assert (lead["state"], lead["version"]) == ("qualified", 3)

    with pytest.raises(AccessDenied, match="may not 'convert'"):
        store.transition(rita, "lead", lead["id"], "convert")
    lead = store.transition(max_, "lead", lead["id"], "convert")
    # `today()` is the project's day, in its time zone.
    today = dt.datetime.now(ZoneInfo(store.app.spec.time_zone)).date()
    assert (lead["state"], lead["converted_on"]) == ("converted", today)

    history = store.history(rita, "lead", lead["id"])
    assert [(h["action"], h["transition"]) for h in history] == [
        ("create", None), ("transition", "contact"), ("transition", "qualify"),
        ("transition", "convert")]


def test_the_documented_errors_are_raised_as_shown(session):
    store, rita, _manager = session
    first = store.create(rita, "lead", {"name": "Li Wei", "email": "li.wei@example.cn"})
    store.transition(rita, "lead", first["id"], "contact")

    with pytest.raises(ValidationFailed) as invalid:
        store.create(rita, "lead", {"name": "Bo", "source": "referral", "value": "-5"})
    assert invalid.value.errors["value"] == ["-5.00 is below the minimum 0"]
    assert invalid.value.errors["referrer"] == ["Referral leads need a referrer"]

    with pytest.raises(VersionConflict, match="you had version 1, it is now 2"):
        store.update(rita, "lead", first["id"], {"notes": "x"}, expected_version=1)

    second = store.create(rita, "lead", {"name": "Bo", "phone": "+86 10 5555 0101"})
    with pytest.raises(TransitionRefused,
                       match=r"can't 'qualify' from 'new' \(allowed from: contacted\)"):
        store.transition(rita, "lead", second["id"], "qualify")


def test_the_documented_list_and_import_work_as_shown(session):
    store, rita, max_ = session
    lead = store.create(rita, "lead", {"name": "Li Wei", "email": "li.wei@example.cn",
                                       "value": "12000"})
    for name in ("contact", "qualify"):
        lead = store.transition(rita, "lead", lead["id"], name)
    store.transition(max_, "lead", lead["id"], "convert")

    page = store.list(max_, "lead", where='state == "converted" and value > 1000',
                      sort=["-value", "name"], limit=20)
    assert (page.total, [r["name"] for r in page.items], page.next_cursor) == (
        1, ["Li Wei"], None)

    report = store.bulk_insert(rita, "lead", [{"name": "A", "phone": "+86 10 5555 0101"},
                                              {"name": "", "email": "nope"}],
                               mode="skip_bad")
    assert report.inserted == 1
    assert [error.row for error in report.errors] == [2]
    assert report.errors[0].errors["name"] == ["is required"]
