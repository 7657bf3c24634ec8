"""Reports as a user sees them: groups shown by title and label, the user's row rules,
sort, limit, pivot and parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from guanxi.errors import RequestInvalid, UnknownReport
from guanxi.insight.running import run_report
from report_world import open_world, seed


@pytest.fixture
def world(write_project, db_url):
    opened = open_world(write_project, db_url)
    seed(opened)
    yield opened
    opened.store.dispose()


def shown(result, column: int = 0) -> list[str]:
    return [row.shown[column] for row in result.rows]


def test_states_come_in_the_workflows_order_with_their_labels(world):
    result = run_report(world.store, world.manager, "pipeline_by_stage")
    assert shown(result) == ["Prospecting", "Engaging", "Won", "Lost"]


def test_labels_are_in_the_users_language(world):
    result = run_report(world.store, world.zh_rep, "pipeline_by_stage")
    assert result.label == "按阶段的销售管道"


def test_a_reference_is_shown_by_the_title_of_the_record(world):
    result = run_report(world.store, world.manager, "by_account")
    assert shown(result) == ["Acme", "Bolt", "Cora", "(none)"]


def test_a_user_is_shown_by_name(world):
    result = run_report(world.store, world.manager, "win_rate_by_owner")
    assert shown(result) == ["Ralf", "Rita"]


def test_a_choice_through_a_reference_is_shown_by_its_option_label(world):
    result = run_report(world.store, world.manager, "won_by_region")
    assert shown(result) == ["East", "West", "(none)"]


def test_a_rep_counts_only_the_records_she_may_read(world):
    result = run_report(world.store, world.rep, "pipeline_by_stage")
    assert {row.keys[0]: row.values[0] for row in result.rows} == {
        "prospecting": 1, "won": 1, "lost": 2}


def test_deleted_records_are_not_counted(world):
    [deal] = world.store.list(world.manager, "deal", filters={"name": "C1"}).items
    world.store.delete(world.manager, "deal", deal["id"])
    result = run_report(world.store, world.manager, "pipeline_by_stage")
    assert "prospecting" not in [row.keys[0] for row in result.rows]


def test_rows_are_sorted_by_a_measure_when_the_report_says_so(world):
    result = run_report(world.store, world.manager, "win_rate_by_owner")
    assert [row.values[0] for row in result.rows] == [Decimal("1.0000"), Decimal("0.3333")]


def test_month_buckets_are_shown_as_periods(world):
    result = run_report(world.store, world.manager, "won_by_month")
    assert shown(result)[:3] == ["2026-01", "2026-01", "2026-02"]


def test_a_pivot_spreads_one_group_as_columns(world):
    pivot = run_report(world.store, world.manager, "won_by_month").pivot()
    assert pivot is not None
    assert pivot.columns == ("Basic", "Pro", "(none)")
    assert pivot.rows[0] == (("2026-01",), (dt.date(2026, 1, 1),),
                             (Decimal("100.00"), None, None))


def test_a_parameter_limits_the_records_counted(world):
    result = run_report(world.store, world.manager, "won_by_month",
                        {"from": "2026-02-01", "to": "2026-02-28"})
    assert shown(result) == ["2026-02", "2026-02"]


def test_a_user_parameter_defaults_to_the_current_user(world):
    mine = run_report(world.store, world.other_rep, "my_deals")
    assert sum(row.values[0] for row in mine.rows) == 3


def test_an_unknown_parameter_is_refused_naming_the_known_ones(world):
    with pytest.raises(RequestInvalid, match=r"has no parameter 'since'.*from, to, mine"):
        run_report(world.store, world.manager, "won_by_month", {"since": "2026-01-01"})


def test_a_parameter_value_its_field_cannot_hold_is_refused(world):
    with pytest.raises(RequestInvalid, match=r"parameter 'from'.*not a date"):
        run_report(world.store, world.manager, "won_by_month", {"from": "March"})


def test_an_unknown_report_is_refused_naming_the_reports(world):
    with pytest.raises(UnknownReport, match=r"no report 'pipeline'.*pipeline_by_stage"):
        run_report(world.store, world.manager, "pipeline")


def test_the_json_answer_names_groups_measures_and_labels(world):
    answer = run_report(world.store, world.manager, "won_by_region").as_json()
    assert answer["rows"][0] == {"account_region": "east", "won": 100, "deals": 1,
                                 "labels": {"account_region": "East"}}
    assert [m["name"] for m in answer["measures"]] == ["won", "deals"]
