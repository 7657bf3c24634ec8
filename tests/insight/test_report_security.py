"""A sales rep's report never groups, sums, filters or drills on a field hidden from her:
one test per path a report reads (group, measure, condition, parameter, drill-down)."""

from __future__ import annotations

import pytest
from guanxi.errors import ReportRefused
from guanxi.insight.running import run_report
from report_world import open_world, seed


@pytest.fixture
def world(write_project, db_url):
    opened = open_world(write_project, db_url)
    seed(opened)
    yield opened
    opened.store.dispose()


def test_a_group_on_a_hidden_field_through_a_reference_is_refused(world):
    with pytest.raises(ReportRefused, match=r"group reads 'account.rating'"):
        run_report(world.store, world.rep, "by_rating")


def test_a_measure_over_a_hidden_field_is_refused(world):
    with pytest.raises(ReportRefused, match=r"measure reads 'margin'"):
        run_report(world.store, world.rep, "margin_by_product")


def test_a_condition_on_a_hidden_field_is_refused(world):
    with pytest.raises(ReportRefused, match=r"condition reads 'account.rating'"):
        run_report(world.store, world.rep, "big_accounts")


def test_a_parameter_on_a_hidden_field_is_refused_even_without_a_value(world):
    with pytest.raises(ReportRefused, match=r"parameter reads 'margin'"):
        run_report(world.store, world.rep, "by_margin_param")


def test_the_refusal_is_in_the_users_language(world):
    with pytest.raises(ReportRefused, match=r"度量"):
        run_report(world.store, world.zh_rep, "margin_by_product")


def test_a_manager_who_sees_the_field_gets_the_report(world):
    result = run_report(world.store, world.manager, "margin_by_product")
    assert [row.shown[0] for row in result.rows] == ["Basic", "Pro", "(none)"]
