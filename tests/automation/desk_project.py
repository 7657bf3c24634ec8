"""A small help desk for the automation tests, written as YAML: one entity with a
workflow whose timers notify, fire and check a condition; an SLA; round-robin
assignment; a schedule. Opened on a real database with a clock the test sets."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.accounts import users
from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)  # a Tuesday

FILES = {
    "guanxi.yaml": """
        project: desk
        languages: [en, zh]
        roles:
          agent: {}
          lead: {}
          boss: {admin: true}
        calendars:
          weekdays: {week: {mon-fri: "08:00-16:00"}, extra_holidays: ["2026-12-03"]}
        teams:
          north: {manager: lee, members: [cai, ann]}
        system:
          grants:
            case: {create: all, read: all, update: all, delete: none,
                   transitions: [close, escalate]}
            note: {create: all, read: all}
    """,
    "entities/case.yaml": """
        case:
          workflow: flow
          fields:
            title: {type: string, required: true}
            priority: {type: choice, options: [low, high], default: low}
            assignee: {type: user}
            vip: {type: boolean, default: false}
            flagged: {type: boolean, default: false}
          access:
            agent: {create: all, read: all, update: all}
            lead: {create: all, read: all, update: all}
          sla:
            answer:
              target: {high: 2h, default: 8h}
              calendar: weekdays
              pause_when: state == "waiting"
              stop_when: state == "done"
              breach:
                - {after: 0h, do: notify, to: lead, message: {en: Late, zh: 超时}}
                - {after: 1h, do: notify, to: manager of assignee,
                   message: {en: Late for an hour, zh: 超时一小时}}
    """,
    "entities/note.yaml": """
        note:
          fields:
            text: {type: string, required: true}
            case: {type: reference, to: case}
          access:
            agent: {create: all, read: all}
    """,
    "workflows/flow.yaml": """
        flow:
          initial: new
          states:
            new: {}
            waiting: {}
            escalated: {}
            done: {final: true}
          transitions:
            wait: {from: new, to: waiting}
            back: {from: waiting, to: new}
            escalate: {from: [new, waiting], to: escalated}
            close: {from: [new, waiting, escalated], to: done}
          timers:
            - {name: nudge, in: new, after: 1h, do: notify, to: assignee,
               message: {en: Still new, zh: 仍未处理}}
            - {name: vip_alarm, in: new, after: 2h, do: notify, to: lead, when: vip == true,
               message: {en: VIP waiting, zh: 贵宾等待}}
            - {name: give_up, in: waiting, after: 3d, do: fire, transition: close}
            - {name: stuck, in: escalated, after: 1h, do: fire, transition: back}
    """,
    "automation/rules.yaml": """
        share_cases:
          entity: case
          on: create
          to: {round_robin: agent}
        north_takes_escalations:
          entity: case
          on: escalate
          to: {round_robin: agent, team: north}
        flag_high:
          every: 1d
          entity: case
          when: priority == "high" and flagged == false
          do: {do: set, set: {flagged: "true"}}
    """,
}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Desk:
    store: Store
    clock: Clock
    agents: list[User]
    lead: User

    def case(self, **values: Any) -> dict[str, Any]:
        values.setdefault("title", "Broken")
        return dict(self.store.create(self.lead, "case", values))

    def run(self, at: dt.datetime) -> list[str]:
        self.clock.now = at
        lines = []
        for report in Worker(self.store).run_until_quiet(at):
            lines.extend(report.lines)
        return lines

    def get(self, record_id: int) -> dict[str, Any]:
        return dict(self.store.get(self.lead, "case", record_id))


def write(root: Path, files: dict[str, str] | None = None) -> Path:
    for relative, text in (files or FILES).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def open_desk(root: Path, url: str, files: dict[str, str] | None = None) -> Desk:
    app = compile_app(load_project_or_raise(write(root, files)))
    clock = Clock(START)
    store = Store(app, url, clock=clock)
    store.create_schema()
    agents = [users.add_user(store.engine, name, "correct horse battery", ["agent"])
              for name in ("ann", "bob", "cai")]
    lead = users.add_user(store.engine, "lee", "correct horse battery", ["lead"])
    return Desk(store, clock, agents, lead)
