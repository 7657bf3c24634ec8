"""Scenarios with automation and reports: advancing the clock runs what is due (timers,
SLA steps) on the scenario's database; `notified`, `sla` and `report` expectations check
what came of it, and fail where they are written with expected and actual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guanxi.acceptance.runner import run_scenario
from guanxi.acceptance.scenario import read_scenarios
from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project

DESK = {
    "guanxi.yaml": """
        project: desk
        languages: [en, zh]
        roles:
          agent: {}
          lead: {}
        system:
          grants:
            case: {create: none, read: all, update: all, delete: none}
    """,
    "entities/case.yaml": """
        case:
          workflow: flow
          fields:
            title: {type: string, required: true}
            kind: {type: choice, options: [mail, phone], default: phone}
            assignee: {type: user}
          access:
            agent: {create: all, read: all, update: all}
            lead: {create: all, read: all, update: all}
          sla:
            answer:
              when: kind == "mail"
              target: 4h
              stop_when: state == "done"
              breach:
                - {after: 0h, do: notify, to: lead, message: {en: Late, zh: 超时}}
    """,
    "workflows/flow.yaml": """
        flow:
          initial: new
          states: {new: {}, done: {final: true}}
          transitions:
            finish: {from: new, to: done}
          timers:
            - {name: nudge, in: new, after: 12h, do: notify, to: assignee,
               message: {en: Still new, zh: 仍未处理}}
    """,
    "insight/reports.yaml": """
        reports:
          cases_by_state:
            entity: case
            group: [state]
            measures:
              cases: {value: count()}
              mail: {value: 'count(kind == "mail")'}
            params:
              kind: {field: kind}
          all_cases:
            entity: case
            measures:
              cases: {value: count()}
    """,
}


def desk(write_project: Any, scenarios: str) -> Path:
    return write_project({**DESK, "scenarios/desk.yaml": scenarios})


def failures(root: Path, url: str | None = None) -> list[str]:
    app = compile_app(load_project(root).spec)
    found, problems = read_scenarios(root)
    assert problems == []
    return [str(f) for s in found for f in run_scenario(app, s, url).failures]


def lines(text: str) -> str:
    return text.replace("\n", " ").replace("  ", " ")


NUDGE = """
    nudged:
      users: {ann: agent, lee: lead}
      given: {c: {case: {title: Printer, assignee: ann}}}
      as: lee
      steps:
        - advance: 11h
          expect: {notified: {ann: 0}}
        - advance: 1h
          expect: {notified: {ann: NUDGED, lee: 0}, notifications: 1}
"""


def test_a_timer_fires_once_the_clock_advances_past_it(write_project, db_url: str) -> None:
    root = desk(write_project, NUDGE.replace("NUDGED", "1"))
    assert failures(root, db_url) == []


def test_a_wrong_notified_count_fails_where_it_is_written(write_project) -> None:
    root = desk(write_project, NUDGE.replace("NUDGED", "2"))
    [failure] = failures(root)
    assert failure == (f"{root / 'scenarios' / 'desk.yaml'}:9:27: notifications to ann is "
                       "not as expected\n    expected: 2\n    actual:   1")


def test_a_case_finished_in_time_meets_its_sla_and_alarms_nobody(write_project,
                                                                 db_url: str) -> None:
    root = desk(write_project, """
        answered:
          users: {ann: agent, lee: lead}
          given: {c: {case: {title: Printer, kind: mail}}}
          as: ann
          steps:
            - expect: {sla: {c: {answer: {status: running, due: "2026-01-05T13:00:00Z"}}}}
            - advance: 1h
            - fire: {c: finish}
              expect: {sla: {c: {answer: met}}}
            - advance: 1d
              expect: {notified: {lee: 0}, sla: {c: {answer: met}}}
    """)
    assert failures(root, db_url) == []


def test_an_unanswered_case_breaches_its_sla_and_alarms_the_lead(write_project,
                                                                  db_url: str) -> None:
    root = desk(write_project, """
        late:
          users: {ann: agent, lee: lead}
          given: {c: {case: {title: Printer, kind: mail}}, p: {case: {title: Call}}}
          as: ann
          steps:
            - advance: 4h
              expect:
                sla: {c: {answer: breached}, p: {answer: none}}
                notified: {lee: 1}
    """)
    assert failures(root, db_url) == []


def test_a_wrong_sla_status_fails_with_expected_and_actual(write_project) -> None:
    root = desk(write_project, """
        late:
          given: {c: {case: {title: Printer, kind: mail}}}
          as: agent
          steps:
            - advance: 3h
              expect: {sla: {c: {answer: breached}}}
    """)
    [failure] = failures(root)
    assert failure == (f"{root / 'scenarios' / 'desk.yaml'}:6:26: SLA answer of c is not "
                       "as expected\n    expected: status breached\n    actual:   status "
                       "running")


def test_an_unknown_sla_fails_naming_the_ones_there_are(write_project) -> None:
    root = desk(write_project, """
        typo:
          given: {c: {case: {title: Printer, kind: mail}}}
          as: agent
          steps:
            - expect: {sla: {c: {anwser: running}}}
    """)
    [failure] = failures(root)
    assert failure.endswith(":5:26: case has no SLA 'anwser' (SLAs: answer)")


REPORT = """
    counted:
      given:
        a: {case: {title: A, kind: mail}}
        b: {case: {title: B}}
        c: {case: {title: C, kind: mail}}
      as: agent
      steps:
        - fire: {a: finish}
          expect:
            report:
              cases_by_state:
                rows: {new: {cases: 2, mail: 1}, done: {cases: DONE}}
              all_cases: {total: {cases: 3}}
        - expect:
            report:
              cases_by_state: {params: {kind: mail}, rows: {new: {cases: 1}}}
"""


def test_a_report_shows_the_rows_expected(write_project, db_url: str) -> None:
    root = desk(write_project, REPORT.replace("DONE", "1"))
    assert failures(root, db_url) == []


def test_a_wrong_report_value_fails_with_the_row_and_measure(write_project) -> None:
    root = desk(write_project, REPORT.replace("DONE", "2"))
    [failure] = failures(root)
    assert failure == (f"{root / 'scenarios' / 'desk.yaml'}:11:11: report cases_by_state is "
                       "not as expected\n    expected: row 'done': cases = 2\n    actual:   "
                       "row 'done': cases = 1")


def test_a_missing_report_row_names_the_rows_there_are(write_project) -> None:
    root = desk(write_project, REPORT.replace("done: {cases: DONE}", "closed: {cases: 1}"))
    [failure] = failures(root)
    assert "expected: row 'closed': cases 1" in failure
    assert "actual:   no such row (rows: 'New', 'Done')" in failure


def test_a_badly_written_sla_expectation_is_a_located_problem(write_project) -> None:
    root = desk(write_project, """
        bad:
          given: {c: {case: {title: Printer, kind: mail}}}
          as: agent
          steps:
            - expect: {sla: {c: {answer: late}}, notified: {agent: many}}
    """)
    [scenario], _ = read_scenarios(root)
    assert [(p.loc.line, p.message) for p in scenario.problems] == [
        (5, "sla: status 'late' is not one of running, paused, breached, met, none"),
        (5, "notified: give how many notifications 'agent' got (a whole number), not 'many'")]


def test_guanxi_check_warns_of_an_unknown_sla_or_report(write_project) -> None:
    root = desk(write_project, """
        typos:
          given: {c: {case: {title: Printer}}}
          as: agent
          steps:
            - expect:
                sla: {c: {anwser: running}}
                report: {cases_by_stat: {total: {cases: 1}}}
    """)
    found = [(d.id, d.message, d.hint) for d in load_project(root).diagnostics]
    assert ("GX856", "scenario 'typos' names unknown SLA of case 'anwser'",
            "did you mean 'answer'?") in [(i, m, h and h.split(" (")[0]) for i, m, h in found]
    assert any(i == "GX856" and "report 'cases_by_stat'" in m for i, m, _ in found)


def test_the_sign_off_document_tells_notifications_slas_and_reports(
        write_project, capsys) -> None:
    root = desk(write_project, NUDGE.replace("NUDGED", "1") + """
    late:
      given: {c: {case: {title: Printer, kind: mail}}}
      as: agent
      steps:
        - expect: {sla: {c: {answer: running}}, report: {all_cases: {total: {cases: 1}}}}
    """)
    assert main(["test", str(root), "--document"]) == 0
    text = lines(capsys.readouterr().out)
    assert "ann has got 1 notification(s)" in text
    assert "the SLA “answer” of c is running" in text
    assert "the report “All cases” shows in total: cases 1" in text
