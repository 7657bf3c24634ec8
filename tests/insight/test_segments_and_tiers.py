"""Segments (RFM) and tiers with hysteresis, as acme declares them (insight/classes.yaml):
scored from the won deals of the last 12 months, kept right by the worker when deals
change and as the window slides, written as the system (history, change events), and a
tier change creating the owner's call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.insight import plug
from guanxi.insight.classes import Level, quintile_scores, threshold_score, tier_level
from guanxi.insight.running import run_report
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from report_world import add_user

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
LEVELS = (Level("platinum", None, Decimal(50000), Decimal(40000)),
          Level("gold", None, Decimal(25000), Decimal(20000)),
          Level("silver", None, Decimal(5000), Decimal(4000)),
          Level("bronze", None))


# ------------------------------------------------------------ the rules, alone


def test_recency_thresholds_score_fewer_days_higher():
    thresholds = [Decimal(t) for t in (30, 90, 180, 365)]
    assert [threshold_score(d, thresholds, True) for d in (0, 30, 31, 200, 365, 366, None)] \
        == [5, 5, 4, 2, 2, 1, 1]


def test_frequency_thresholds_score_more_higher():
    thresholds = [Decimal(t) for t in (1, 2, 4, 8)]
    assert [threshold_score(n, thresholds, False) for n in (None, 0, 1, 3, 4, 8, 20)] \
        == [1, 1, 2, 3, 4, 5, 5]


def test_quintiles_give_equal_values_equal_scores_and_no_value_one():
    values = {i: Decimal(i * 10) for i in range(1, 11)} | {11: Decimal(100), 12: None}
    scores = quintile_scores(values, lower_is_better=False)
    assert [scores[i] for i in range(1, 13)] == [1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 1]


def test_a_tier_is_reached_at_its_from_value():
    assert tier_level(LEVELS, None, Decimal(5000)) == "silver"
    assert tier_level(LEVELS, "bronze", Decimal(25000)) == "gold"


def test_a_tier_is_kept_until_the_value_falls_below_its_down_below():
    assert tier_level(LEVELS, "silver", Decimal(4000)) == "silver"
    assert tier_level(LEVELS, "silver", Decimal("3999.99")) == "bronze"


def test_falling_from_the_top_lands_on_the_highest_tier_still_kept():
    assert tier_level(LEVELS, "platinum", Decimal(22000)) == "gold"
    assert tier_level(LEVELS, "platinum", Decimal(0)) == "bronze"


# ------------------------------------------------------------ acme, with the worker


@pytest.fixture
def acme(acme_copy, db_url):
    plug.install()
    app = compile_app(load_project_or_raise(acme_copy))
    store = Store(app, db_url, clock=lambda: NOW)
    store.create_schema()
    mona = add_user(store, "mona", ["sales_manager"])
    rita = add_user(store, "rita", ["sales_rep"])
    yield store, mona, rita
    store.dispose()


def account(store, user, name, region="east"):
    return store.create(user, "account", {"name": name, "industry": "retail",
                                          "region": region})["id"]


def won(store, user, account_id, value, closed):
    deal = store.create(user, "opportunity", {"name": f"Deal {value}", "product": "gtx_pro",
                                              "account": account_id})
    store.transition(user, "opportunity", deal["id"], "engage")
    store.transition(user, "opportunity", deal["id"], "win",
                     {"close_value": value, "close_date": closed.isoformat()})
    return deal["id"]


def settle(store, at=NOW):
    Worker(store).run_until_quiet(at)


def test_the_worker_gives_an_account_the_tier_of_its_last_12_months(acme):
    store, mona, _ = acme
    isdom = account(store, mona, "Isdom")
    won(store, mona, isdom, 30000, dt.date(2026, 5, 1))
    won(store, mona, isdom, 90000, dt.date(2024, 1, 1))  # outside the window
    settle(store)
    assert store.get(mona, "account", isdom)["tier"] == "gold"


def test_a_tier_holds_above_down_below_as_the_window_slides_and_drops_below(acme):
    store, mona, _ = acme
    cancity = account(store, mona, "Cancity")
    won(store, mona, cancity, 3000, dt.date(2026, 1, 10))
    won(store, mona, cancity, 2000, dt.date(2026, 3, 10))
    settle(store)
    assert store.get(mona, "account", cancity)["tier"] == "silver"
    # 2027-01-20: the January deal left the window; 2,000 is below silver's 4,000.
    later = dt.datetime(2027, 1, 20, 2, 0, tzinfo=dt.UTC)
    settle(store, later)
    settle(store, later + dt.timedelta(days=1))
    assert store.get(mona, "account", cancity)["tier"] == "bronze"


def test_the_rfm_scores_and_segment_follow_the_won_deals(acme):
    store, mona, _ = acme
    best = account(store, mona, "Best")
    for day in (1, 5, 9, 12):
        won(store, mona, best, 20000, dt.date(2026, 6, day))
    once = account(store, mona, "Once")
    won(store, mona, once, 100, dt.date(2025, 8, 1))
    settle(store)
    got = {a: {k: store.get(mona, "account", a)[k] for k in
               ("r_score", "f_score", "m_score", "segment")} for a in (best, once)}
    assert got[best] == {"r_score": 5, "f_score": 4, "m_score": 3, "segment": "loyal"}
    assert got[once] == {"r_score": 2, "f_score": 2, "m_score": 1, "segment": "at_risk"}


def test_a_tier_change_is_in_history_as_the_system_and_emitted_as_an_event(acme):
    store, mona, _ = acme
    isdom = account(store, mona, "Isdom")
    won(store, mona, isdom, 6000, dt.date(2026, 6, 1))
    settle(store)
    events = store.app.tables.events
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.changes, events.c.user_id).where(
            events.c.entity == "account", events.c.record_id == isdom,
            events.c.kind == "updated")).all()
    tier_changes = [(c["tier"], u) for c, u in rows if "tier" in c]
    assert tier_changes == [([None, "silver"], None)]


def test_a_tier_change_creates_a_call_for_the_accounts_owner(acme):
    store, mona, _ = acme
    isdom = account(store, mona, "Isdom")
    settle(store)
    assert store.get(mona, "account", isdom)["tier"] == "bronze"
    won(store, mona, isdom, 6000, dt.date(2026, 6, 1))
    settle(store)
    calls = store.list(mona, "activity", where=f"account == {isdom}", with_total=False).items
    assert [(c["kind"], c["owner"]) for c in calls] == [("call", mona.id)]
    assert "silver" in calls[0]["subject"]


def test_a_first_tier_creates_no_call(acme):
    store, mona, _ = acme
    isdom = account(store, mona, "Isdom")
    settle(store)
    assert store.list(mona, "activity", where=f"account == {isdom}",
                      with_total=False).items == []


def test_reps_cannot_set_a_tier_by_hand(acme):
    store, _, rita = acme
    mine = account(store, rita, "Mine")
    with pytest.raises(Exception) as refused:
        store.update(rita, "account", mine, {"tier": "platinum"})
    assert "tier" in str(refused.value)


def test_customer_composition_by_segment_and_region(acme):
    store, mona, _ = acme
    for name, region in (("A", "east"), ("B", "east"), ("C", "west")):
        won(store, mona, account(store, mona, name, region), 100, dt.date(2025, 8, 1))
    settle(store)
    result = run_report(store, mona, "accounts_by_segment", now=NOW)
    assert {(r.keys[0], r.keys[1]): r.values[0] for r in result.rows} == {
        ("at_risk", "east"): 2, ("at_risk", "west"): 1}
