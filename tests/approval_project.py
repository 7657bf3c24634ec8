"""A small purchasing project for the approval tests, written as YAML: a purchase whose
`approve` transition needs the requester's manager, then (above 1000) finance and
legal both; a rejection returns it to draft. Opened on a real database with a clock
(write it with the `write_project` fixture)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.automation.worker import Worker
from guanxi.compile.app import compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)

FILES = {
    "guanxi.yaml": """
        project: buying
        languages: [en, zh]
        roles:
          buyer: {}
          finance: {}
          legal: {}
          boss: {admin: true}
        teams:
          east: {manager: mona, members: [rita]}
    """,
    "entities/purchase.yaml": """
        purchase:
          workflow: buying
          fields:
            item: {type: string, required: true}
            amount: {type: integer, default: 0}
          access:
            buyer: {create: all, read: all, update: all}
            finance: {read: all, update: all}
            legal: {read: all, update: all}
    """,
    "workflows/buying.yaml": """
        buying:
          initial: draft
          states:
            draft: {}
            submitted: {}
            approved: {final: true}
          transitions:
            submit: {from: draft, to: submitted}
            withdraw: {from: submitted, to: draft}
            approve:
              from: submitted
              to: approved
              approval:
                steps:
                  - {by: manager of requester}
                  - {by: [finance, legal], need: all, when: amount > 1000}
                on_reject: draft
                remind: 1d
    """,
}


@dataclass
class Buying:
    store: Store
    rita: User
    mona: User
    fay: User
    lou: User

    def purchase(self, amount: int = 100) -> dict[str, Any]:
        made = self.store.create(self.rita, "purchase", {"item": "Laptop", "amount": amount})
        self.store.transition(self.rita, "purchase", made["id"], "submit")
        return dict(made)

    def ask(self, amount: int = 100) -> tuple[int, dict[str, Any]]:
        made = self.purchase(amount)
        fired = self.store.transition(self.rita, "purchase", made["id"], "approve")
        return made["id"], dict(fired)

    def state(self, record_id: int) -> str:
        return str(self.store.get(self.rita, "purchase", record_id)["state"])

    def run(self, at: dt.datetime) -> list[str]:
        self.store.clock = lambda: at
        lines: list[str] = []
        for report in Worker(self.store).run_until_quiet(at):
            lines.extend(report.lines)
        return lines


def open_buying(root: Path, url: str) -> Buying:
    """The project written at `root` (FILES), over a fresh database at `url`."""
    app = compile_app(load_project_or_raise(root))
    store = Store(app, url, clock=lambda: START)
    store.create_schema()

    def add(name: str, role: str) -> User:
        return add_account(store, name, [role])

    return Buying(store, add("rita", "buyer"), add("mona", "buyer"),
                  add("fay", "finance"), add("lou", "legal"))
