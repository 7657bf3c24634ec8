"""Charts are SVG drawn on the server: one mark per value, text escaped, colours as
attributes (never `style`, which the Content-Security-Policy forbids), a title on every
mark for pointers and screen readers."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from guanxi.insight.charts import chart
from guanxi.insight.running import run_report
from report_world import open_world, seed

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(write_project, sqlite_url):
    opened = open_world(write_project, sqlite_url)
    seed(opened)
    yield opened
    opened.store.dispose()


def marks(svg: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(svg)
    return [e for e in root.iter() if "mark" in (e.get("class") or "").split()]


@pytest.mark.parametrize("kind", ["bar", "line", "pie", "donut", "funnel"])
def test_each_kind_draws_one_mark_per_group(world, kind):
    result = run_report(world.store, world.manager, "pipeline_by_stage")
    assert len(marks(str(chart(result, kind)))) == 4


def test_a_stacked_bar_draws_one_mark_per_cell_of_the_pivot(world):
    result = run_report(world.store, world.manager, "won_by_month")
    pivot = result.pivot()
    assert pivot is not None
    drawn = marks(str(chart(result)))
    assert len(drawn) == len(pivot.rows) * len(pivot.columns)


def test_a_kpi_shows_the_number_of_its_one_row(world):
    svg = str(chart(run_report(world.store, world.manager, "seats_total")))
    value = ElementTree.fromstring(svg).find(f".//{SVG}text[@class='kpi-value']")
    assert value is not None and value.text == "20"


def test_each_mark_has_a_title_with_its_label_and_value(world):
    svg = str(chart(run_report(world.store, world.manager, "won_by_region"), "bar"))
    titles = [m.find(f"{SVG}title").text for m in marks(svg)]  # type: ignore[union-attr]
    assert titles == ["East: 100.00", "West: 999.99", "(none): 60.00"]


def test_no_style_attribute_or_script_is_ever_drawn(world):
    for name in ("pipeline_by_stage", "won_by_month", "seats_total", "by_account"):
        result = run_report(world.store, world.manager, name)
        for kind in ("bar", "stacked_bar", "line", "pie", "donut", "funnel", "kpi"):
            svg = str(chart(result, kind))
            assert not re.search(r"\bstyle=|<script|on[a-z]+=", svg), (name, kind)


def test_text_from_records_is_escaped(world):
    [acme] = world.store.list(world.manager, "account", filters={"name": "Acme"}).items
    world.store.update(world.manager, "account", acme["id"], {"name": "<script>x</script>"})
    svg = str(chart(run_report(world.store, world.manager, "by_account"), "bar"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # still well-formed


def test_a_report_without_rows_says_there_is_no_data(world):
    result = run_report(world.store, world.zh_rep, "pipeline_by_stage")
    assert "暂无数据" in str(chart(result))
