"""acme with a few people, on a real database, at a chosen moment: for the automation
tests. Times are Shanghai time unless said otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.accounts import users
from guanxi.compile.app import compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PASSWORD = "correct horse battery staple"


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """A clock a test sets."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)


@dataclass
class World:
    store: Store
    clock: Clock
    agent: User
    other_agent: User
    manager: User

    def ticket(self, **values: Any) -> dict[str, Any]:
        values.setdefault("subject", "Printer jams")
        return dict(self.store.create(self.manager, "ticket", values))


def acme_world(project: Path, url: str, now: dt.datetime) -> World:
    app = compile_app(load_project_or_raise(project))
    clock = Clock(now)
    store = Store(app, url, clock=clock)
    store.create_schema()
    agent = users.add_user(store.engine, "wei", PASSWORD, ["service_agent"], language="zh")
    other = users.add_user(store.engine, "rita", PASSWORD, ["service_agent"])
    manager = users.add_user(store.engine, "mona", PASSWORD, ["service_manager"])
    return World(store, clock, agent, other, manager)
