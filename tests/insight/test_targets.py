"""Sales targets (acme's insight/targets.yaml): declared and entered amounts, attainment
per rep and per team as the reader may read it, the managers' page (CSRF, field errors,
nothing saved on a bad amount) and the dashboard tile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from guanxi.insight.reading import insight_of
from guanxi.insight.targets import attainment, period_bounds, save_amount
from server_app import PASSWORD, Client, dispose, make_app

PERIOD = "2026-Q4"


def open_acme(acme_copy, db_url):
    app, made = make_app(acme_copy, db_url, {"mona": ("sales_manager",), "rita": ("sales_rep",),
                                            "wei": ("sales_rep",)})
    store = app.state.holder.current().store
    target = insight_of(store.app.spec).target("won_business")
    account = store.create(made["mona"], "account", {"name": "Isdom", "industry": "retail"})
    for who, value, closed in (("rita", 30000, "2026-10-05"), ("rita", 9000, "2026-12-20"),
                               ("wei", 20000, "2026-11-11"), ("rita", 50000, "2026-09-30")):
        deal = store.create(made[who], "opportunity", {"name": f"{who} {value}",
                                                       "product": "gtx_pro",
                                                       "account": account["id"]})
        store.transition(made[who], "opportunity", deal["id"], "engage")
        store.transition(made[who], "opportunity", deal["id"], "win",
                         {"close_value": value, "close_date": closed})
    return app, store, made, target


@pytest.fixture
def acme(acme_copy, db_url):
    """acme with won deals, on SQLite and PostgreSQL."""
    opened = open_acme(acme_copy, db_url)
    yield opened
    dispose(opened[0])


@pytest.fixture
def acme_web(acme_copy, sqlite_url):
    """The same, for the pages (on SQLite: the pages add no SQL of their own)."""
    opened = open_acme(acme_copy, sqlite_url)
    yield opened
    dispose(opened[0])


def lines(store, user, target):
    return {a.who: (a.target, a.reached, a.ratio) for a in attainment(store, user, target, PERIOD)}


def test_periods_are_months_quarters_and_years():
    assert period_bounds("quarter", "2026-Q4") == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert period_bounds("month", "2026-12") == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert period_bounds("year", "2026") == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert period_bounds("quarter", "2026-Q5") is None


def test_a_manager_sees_each_reps_and_the_teams_attainment(acme):
    _, store, made, target = acme
    assert lines(store, made["mona"], target) == {
        "user:rita": (Decimal(60000), Decimal("39000.00"), Decimal("0.6500")),
        "user:wei": (Decimal(50000), Decimal("20000.00"), Decimal("0.4000")),
        "team:direct_sales": (Decimal(120000), Decimal("59000.00"), Decimal("0.4917"))}


def test_a_rep_sees_only_her_own_attainment(acme):
    _, store, made, target = acme
    assert lines(store, made["rita"], target) == {
        "user:rita": (Decimal(60000), Decimal("39000.00"), Decimal("0.6500"))}


def test_an_entered_amount_wins_over_the_declared_one(acme):
    _, store, made, target = acme
    save_amount(store, target, "user:rita", PERIOD, Decimal(78000), made["mona"])
    assert lines(store, made["rita"], target)["user:rita"][2] == Decimal("0.5000")


def test_a_manager_sets_a_target_on_the_page(acme_web):
    app, store, made, target = acme_web
    with Client(app) as client:
        client.login("mona", PASSWORD)
        page = f"/targets/won_business?period={PERIOD}"
        response = client.form("/targets/won_business",
                               {"who": "user:wei", "amount": "40000", "period": PERIOD},
                               page=page)
        assert response.status_code == 303
        shown = client.get(page).text
    assert 'data-who="user:wei"' in shown and "40,000.00" in shown
    assert lines(store, made["mona"], target)["user:wei"][0] == Decimal(40000)


def test_a_bad_amount_is_shown_next_to_its_input_and_nothing_is_saved(acme_web):
    app, store, made, target = acme_web
    with Client(app) as client:
        client.login("mona", PASSWORD)
        response = client.form("/targets/won_business",
                               {"who": "user:wei", "amount": "-5", "period": PERIOD},
                               page=f"/targets/won_business?period={PERIOD}")
    assert response.status_code == 400
    assert 'id="e-amount"' in response.text
    assert lines(store, made["mona"], target)["user:wei"][0] == Decimal(50000)


def test_a_rep_may_not_set_targets(acme_web):
    app, *_ = acme_web
    with Client(app) as client:
        client.login("rita", PASSWORD)
        response = client.form("/targets/won_business",
                               {"who": "user:rita", "amount": "1", "period": PERIOD},
                               page="/targets/won_business")
    assert response.status_code == 403


def test_the_reps_dashboard_shows_her_target_tile(acme_web):
    app, *_ = acme_web
    with Client(app) as client:
        client.login("rita", PASSWORD)
        home = client.get("/").text
    assert "tile-target" in home and 'data-who="user:rita"' in home
    assert 'data-who="user:wei"' not in home
