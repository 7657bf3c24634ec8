"""acme's SLA compliance report: the share of tickets whose resolution clock met its
target, by the month opened and priority, over the clocks the worker keeps, with the
reader's row rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.insight.running import run_report
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from report_world import add_user

# Monday 2026-03-02, 10:00 in Shanghai: office hours.
START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def desk(acme_copy, db_url):
    now = [START]
    app = compile_app(load_project_or_raise(acme_copy))
    store = Store(app, db_url, clock=lambda: now[0])
    store.create_schema()
    sue = add_user(store, "sue", ["service_manager"])
    li = add_user(store, "li", ["service_agent"])
    yield store, sue, li, now
    store.dispose()


def ticket(store, user, priority, assignee):
    made = store.create(user, "ticket", {"subject": f"{priority} issue", "priority": priority,
                                         "assignee": assignee.id})
    store.transition(user, "ticket", made["id"], "assign")
    return made["id"]


def resolve(store, user, ticket_id):
    store.transition(user, "ticket", ticket_id, "start")
    store.transition(user, "ticket", ticket_id, "resolve", {"resolution": "fixed"})


def test_compliance_counts_met_and_missed_clocks_by_month_and_priority(desk):
    store, sue, li, now = desk
    quick = ticket(store, sue, "urgent", li)       # target 4 office hours
    slow = ticket(store, sue, "urgent", li)
    normal = ticket(store, sue, "normal", sue)      # 27 office hours, resolved in time
    Worker(store).run_until_quiet(now[0])
    now[0] = START + dt.timedelta(hours=2)
    resolve(store, li, quick)
    resolve(store, sue, normal)
    Worker(store).run_until_quiet(now[0])
    now[0] = START + dt.timedelta(hours=7)          # 17:00: 7 office hours gone
    resolve(store, li, slow)
    Worker(store).run_until_quiet(now[0])
    result = run_report(store, sue, "sla_compliance", now=now[0])
    got = {(r.keys[0], r.keys[1]): r.values for r in result.rows}
    assert got == {(dt.date(2026, 3, 1), "urgent"): (1, 1, Decimal("0.5000")),
                   (dt.date(2026, 3, 1), "normal"): (1, 0, Decimal("1.0000"))}


def test_an_agent_counts_only_the_tickets_she_may_read(desk):
    store, sue, li, now = desk
    mine = ticket(store, sue, "urgent", li)
    ticket(store, sue, "normal", sue)
    Worker(store).run_until_quiet(now[0])
    now[0] = START + dt.timedelta(hours=1)
    resolve(store, li, mine)
    Worker(store).run_until_quiet(now[0])
    result = run_report(store, li, "sla_compliance", now=now[0])
    assert {(r.keys[1], r.values[0]) for r in result.rows} == {("urgent", 1)}
