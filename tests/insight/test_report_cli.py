"""`guanxi report PATH NAME --db URL [--param k=v] [--as USER] --format table|json|csv`."""

from __future__ import annotations

import json

import pytest
from guanxi.cli.main import main
from report_world import open_world, seed


@pytest.fixture
def world(write_project, db_url):
    opened = open_world(write_project, db_url)
    seed(opened)
    yield opened, db_url
    opened.store.dispose()


def run(world, capsys, *args: str) -> tuple[int, str, str]:
    opened, url = world
    status = main(["report", str(opened.root), *args, "--db", url])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_gives_the_rows_with_their_labels(world, capsys):
    status, out, _ = run(world, capsys, "won_by_region", "--format", "json")
    assert status == 0
    rows = json.loads(out)["rows"]
    assert [(r["labels"]["account_region"], r["won"]) for r in rows] == [
        ("East", 100), ("West", 999.99), ("(none)", 60)]


def test_csv_has_a_heading_row_then_one_line_per_group(world, capsys):
    _, out, _ = run(world, capsys, "won_by_region", "--format", "csv")
    assert out.splitlines() == ["Region,Won,Deals", "East,100.00,1", "West,999.99,1",
                                "(none),60.00,1"]


def test_the_table_aligns_groups_left_and_numbers_right(world, capsys):
    _, out, _ = run(world, capsys, "won_by_region")
    assert out.splitlines()[2] == "East    100.00      1"


def test_as_a_user_her_row_rules_apply(world, capsys):
    _, out, _ = run(world, capsys, "pipeline_by_stage", "--as", "rita", "--format", "json")
    assert sum(r["deals"] for r in json.loads(out)["rows"]) == 4


def test_parameters_are_given_as_name_value_pairs(world, capsys):
    _, out, _ = run(world, capsys, "won_by_month", "--param", "from=2026-03-01",
                    "--format", "json")
    assert {r["close_date_month"] for r in json.loads(out)["rows"]} == {"2026-03-01"}


def test_an_unknown_report_is_an_error_message_not_a_traceback(world, capsys):
    status, _, err = run(world, capsys, "nothing")
    assert status == 1
    assert err.startswith("guanxi: there is no report 'nothing'")
