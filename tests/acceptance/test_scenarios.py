"""`guanxi test`: scenarios in scenarios/*.yaml run through the Store on a throwaway
database; failures are located with expected and actual; JUnit XML for CI."""

from __future__ import annotations

import datetime as dt
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from guanxi.acceptance.runner import run_scenario
from guanxi.acceptance.scenario import read_scenarios
from guanxi.acceptance.seams import (
    expectation,
    forget_expectation,
    run_when_due,
    stop_running,
)
from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from store_project import PROJECT


def sales(write_project, scenarios: str) -> Path:
    return write_project({**PROJECT, "scenarios/check.yaml": scenarios})


def outcomes(root: Path, url: str | None = None) -> list[Any]:
    app = compile_app(load_project_or_raise(root))
    found, problems = read_scenarios(root)
    assert problems == []
    return [run_scenario(app, s, url) for s in found]


QUALIFY = """
qualifying needs a value:
  users: {rita: rep}
  given:
    hot: {lead: {name: Hot lead, owner: rita}}
  as: rita
  steps:
    - fire: {hot: contact}
      expect: {hot: {state: contacted}}
    - fire: {hot: qualify}
      expect_error: {code: transition_refused}
    - update: {hot: {value: 500}}
    - fire: {hot: qualify}
      expect: {hot: {state: qualified, value: 500}}
"""


def test_a_scenario_that_holds_passes(write_project, db_url: str) -> None:
    [outcome] = outcomes(sales(write_project, QUALIFY), db_url)
    assert outcome.failures == ()


def test_a_wrong_expectation_fails_at_its_line_with_expected_and_actual(write_project) -> None:
    root = sales(write_project, QUALIFY.replace("state: qualified, value: 500",
                                                "state: qualified, value: 600"))
    [outcome] = outcomes(root)
    [failure] = outcome.failures
    assert (failure.loc.line, failure.message) == (13, "hot.value is not as expected")
    assert (failure.expected, failure.actual) == ("600", "Decimal('500.00')")


def test_an_unexpected_error_fails_the_step(write_project) -> None:
    root = sales(write_project, QUALIFY.replace("    - update: {hot: {value: 500}}\n", ""))
    [outcome] = outcomes(root)
    [failure] = outcome.failures
    assert failure.loc.line == 11
    assert failure.message.startswith("the step failed: [transition_refused]")


def test_an_error_that_does_not_come_fails(write_project) -> None:
    root = sales(write_project, QUALIFY.replace(
        "    - update: {hot: {value: 500}}\n",
        "    - update: {hot: {value: 500}}\n      expect_error: {fields: [value]}\n"))
    [failure] = outcomes(root)[0].failures
    assert failure.message == "the step was expected to fail but succeeded"


def test_hidden_fields_and_invisible_records_are_expectations(write_project,
                                                               db_url: str) -> None:
    [outcome] = outcomes(sales(write_project, """
        hidden income:
          users: {rita: rep, ralf: rep, mona: manager}
          given:
            mine: {lead: {name: A, income: 10, owner: rita}}
            theirs: {lead: {name: B, owner: ralf}}
          as: rita
          steps:
            - expect: {sees: [mine], hidden: {mine: [income]}, cannot_see: [theirs],
                       count: {lead: 1}}
            - as: mona
              expect: {mine: {income: 10}, count: {lead: 2}}
    """), db_url)
    assert outcome.failures == ()


def test_seeing_what_should_be_hidden_fails(write_project) -> None:
    [outcome] = outcomes(sales(write_project, """
        shown:
          users: {mona: manager}
          given: {mine: {lead: {name: A, income: 10}}}
          as: mona
          steps:
            - expect: {hidden: {mine: [income]}}
    """))
    assert outcome.failures[0].message == "mona sees mine.income"


def test_a_csv_import_goes_through_the_store(write_project, db_url: str) -> None:
    [outcome] = outcomes(sales(write_project, """
        import:
          users: {mona: manager}
          as: mona
          steps:
            - import:
                entity: lead
                csv: |
                  name,visits
                  A,3
                  B,4
              expect: {imported: 2, count: {lead: 2}}
            - import: {entity: lead, csv: "name,visits\\nC,-1\\n"}
              expect_error: {fields: [visits]}
    """), db_url)
    assert outcome.failures == ()


def test_advancing_the_clock_runs_what_is_due(write_project) -> None:
    seen: list[dt.datetime] = []

    def alarm(store: Any, now: dt.datetime) -> list[str]:
        seen.append(now)
        return ["alarm"] if now >= dt.datetime(2026, 1, 5, 21, tzinfo=dt.UTC) else []

    run_when_due(alarm)
    try:
        [outcome] = outcomes(sales(write_project, """
            alarm:
              users: {mona: manager}
              as: mona
              steps:
                - advance: 11h
                  expect: {notifications: 0}
                - advance: 1h
                  expect: {notifications: 1}
        """))
    finally:
        stop_running(alarm)
    assert outcome.failures == ()
    assert seen == [dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC),
                    dt.datetime(2026, 1, 5, 21, tzinfo=dt.UTC)]


def test_unknown_records_and_keys_are_located_problems(write_project) -> None:
    [outcome] = outcomes(sales(write_project, """
        typos:
          as: manager
          stesp: []
          steps:
            - fire: {nobody: contact}
    """))
    assert [str(f) for f in outcome.failures] == [
        f"{outcome.scenario.loc.file}:3:3: unknown key 'stesp' in a scenario (keys: as, at, "
        "description, given, label, steps, users)"]


def test_an_unknown_record_fails_where_it_is_named(write_project) -> None:
    [outcome] = outcomes(sales(write_project, """
        typo:
          as: manager
          steps:
            - fire: {nobody: contact}
    """))
    assert outcome.failures[0].message == "unknown record 'nobody' (records: none yet)"
    assert outcome.failures[0].loc.line == 4


def test_guanxi_test_exits_1_and_writes_junit_on_failure(write_project, tmp_path: Path,
                                                          capsys) -> None:
    root = sales(write_project, QUALIFY.replace("state: contacted", "state: new"))
    report = tmp_path / "junit.xml"
    assert main(["test", str(root), "--junit", str(report)]) == 1
    out = capsys.readouterr().out
    assert "FAIL qualifying needs a value" in out
    assert "check.yaml:8:22: hot.state is not as expected" in out
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_acme_scenarios_pass(db_url: str, capsys) -> None:
    acme = Path(__file__).resolve().parents[2] / "examples" / "acme"
    assert main(["test", str(acme), "--db", db_url]) == 0
    assert " 0 failed" in capsys.readouterr().out


def test_acme_fails_at_the_scenario_when_its_won_deal_rule_is_deleted(
        acme_copy: Path, capsys) -> None:
    entity = acme_copy / "entities" / "opportunity.yaml"
    rule = textwrap.dedent("""\
        - when: state == "won"
          require: [close_value]
          message: {en: A won deal needs its close value, zh: 赢单必须填写成交金额}
    """)
    text = entity.read_text(encoding="utf-8")
    assert textwrap.indent(rule, "    ") in text
    entity.write_text(text.replace(textwrap.indent(rule, "    "), ""), encoding="utf-8")
    assert main(["test", str(acme_copy)]) == 1
    out = capsys.readouterr().out
    assert "FAIL a won deal needs its close value" in out
    assert f"{acme_copy / 'scenarios' / 'sales.yaml'}:24:9: the error does not say what " \
           "was expected" in out


@pytest.mark.parametrize("language,phrase", [
    ("en", "mona does “Mark won” on deal with Close value 1200"),
    ("zh", "mona 对 deal 执行“标记赢单”，成交金额 1200"),
])
def test_the_sign_off_document_uses_the_projects_labels(language: str, phrase: str,
                                                        capsys) -> None:
    acme = Path(__file__).resolve().parents[2] / "examples" / "acme"
    assert main(["test", str(acme), "--document", "--language", language]) == 0
    assert phrase in capsys.readouterr().out


def test_the_html_document_escapes_what_scenarios_say(write_project, capsys) -> None:
    root = sales(write_project, """
        escaped:
          label: "<script>x</script>"
          users: {mona: manager}
          given: {odd: {lead: {name: "<b>bold</b>"}}}
          as: mona
          steps:
            - expect: {sees: [odd]}
    """)
    assert main(["test", str(root), "--document", "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>")
    assert "<script>" not in out and "<b>bold" not in out
    assert "&lt;b&gt;bold&lt;/b&gt;" in out


def test_an_import_file_is_read_next_to_the_scenarios(write_project, tmp_path: Path) -> None:
    root = sales(write_project, """
        from a file:
          users: {mona: manager}
          as: mona
          steps:
            - import: {entity: lead, file: leads.csv}
              expect: {imported: 2}
    """)
    (root / "scenarios" / "leads.csv").write_text("name,visits\nA,1\nB,2\n", encoding="utf-8")
    [outcome] = outcomes(root)
    assert outcome.failures == ()


def test_an_import_file_outside_the_project_is_refused(write_project, tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("name\nX\n", encoding="utf-8")
    root = sales(write_project, """
        outside:
          as: manager
          steps:
            - import: {entity: lead, file: ../../secret.csv}
    """)
    app = compile_app(load_project_or_raise(root))
    [scenario], _ = read_scenarios(root)
    [failure] = run_scenario(app, scenario).failures
    assert "outside the project directory" in failure.message


def test_other_parts_add_expectations_of_their_own(write_project) -> None:
    seen: list[Any] = []

    @expectation("leads_named")
    def leads_named(store: Any, user: Any, value: Any) -> tuple[str, str] | None:
        names = sorted(r["name"] for r in store.list(user, "lead").items)
        seen.append(value)
        return None if names == sorted(value) else (repr(sorted(value)), repr(names))

    try:
        root = sales(write_project, """
            custom:
              users: {mona: manager}
              given: {a: {lead: {name: A}}}
              as: mona
              steps:
                - expect: {leads_named: [A]}
                - expect: {leads_named: [A, B]}
        """)
        [outcome] = outcomes(root)
    finally:
        forget_expectation("leads_named")
    [failure] = outcome.failures
    assert (failure.loc.line, failure.message) == (7, "leads_named is not as expected")
    assert (failure.expected, failure.actual) == ("['A', 'B']", "['A']")
