"""`guanxi check` on insight/*.yaml: every problem at once, each located at what was
written, with a hint."""

from __future__ import annotations

from guanxi.language.project import load_project
from report_world import PROJECT

BROKEN = """
reports:
  r:
    entity: deal
    when: 'stat == "won"'
    group: [acount.region]
    measures: {n: 'summ(amount)', s: sum(name)}
dashboards:
  d:
    roles: [reps]
    tiles:
      - {report: pipline_by_stage}
"""


def problems(write_project, text: str) -> list[str]:
    root = write_project({**PROJECT, "insight/bad.yaml": text})
    return [f"{d.loc.line}:{d.loc.col} {d.id} {d.message} | {d.hint}"
            for d in load_project(root).diagnostics if d.loc.file.endswith("bad.yaml")]


def test_every_problem_is_reported_at_once_at_its_place_with_a_hint(write_project):
    assert problems(write_project, BROKEN) == [
        "4:12 GX402 unknown field 'stat' | did you mean 'state'?",
        "5:13 GX902 report 'r' reads 'acount.region': unknown field 'acount' | "
        "did you mean 'account'?",
        "6:20 GX904 report 'r', measure 'n': 'summ' is no aggregate | did you mean 'sum'?",
        "6:42 GX904 report 'r', measure 's': the result must be a number; this is text | None",
        "9:13 GX907 dashboard 'd' names unknown role 'reps' | did you mean 'rep'?",
        "11:18 GX907 dashboard 'd' names unknown report 'pipline_by_stage' | "
        "did you mean 'pipeline_by_stage'?",
    ]


def test_an_unknown_key_is_reported_by_the_schema(write_project):
    found = problems(write_project, "reports: {r: {entity: deal, measures: {n: count()}, "
                                    "colour: red}}\n")
    assert [p.split(" | ")[0] for p in found] == [
        "1:53 GX201 unknown key 'colour' in reports.r"]


def test_a_correct_project_has_no_insight_problems(write_project):
    assert problems(write_project, "reports: {r: {entity: deal, measures: {n: count()}}}\n") \
        == []
