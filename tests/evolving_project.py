"""A small project that tests rewrite step by step, with a Store to write real records
(history included) between migrations."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from guanxi.compile.app import App, compile_app
from guanxi.identity import User
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import plan as migrate
from guanxi.store.database import create_engine
from guanxi.store.facade import Store

PROJECT = """
project: shop
roles:
  clerk: {}
"""

CUSTOMER = """
customer:
  workflow: life
  fields:
    name: {type: string, required: true}
    phone: {type: string}
    visits: {type: integer}
    tier: {type: choice, options: [gold, silver]}
    labels: {type: tags, options: [vip, new, local]}
  access:
    clerk: {create: all, read: all, update: all}
"""

LIFE = """
life:
  initial: new
  states:
    new: {}
    won: {}
    lost: {final: true}
  transitions:
    win: {from: new, to: won}
    lose: {from: [new, won], to: lost}
"""


@dataclass
class Shop:
    root: Path
    url: str
    engine: sa.Engine

    def write(self, customer: str = CUSTOMER, life: str = LIFE,
              entity_file: str = "customer") -> App:
        for stale in (self.root / "entities").glob("*.yaml"):
            stale.unlink()
        files = {"guanxi.yaml": PROJECT, f"entities/{entity_file}.yaml": customer,
                 "workflows/life.yaml": life}
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return compile_app(load_project_or_raise(self.root))

    def migrate(self, app: App, **options: object) -> migrate.MigrationPlan:
        plan = migrate.plan(app, self.engine)
        migrate.apply(plan, self.engine, **options)  # type: ignore[arg-type]
        return plan

    def store(self, app: App) -> tuple[Store, User]:
        store = Store(app, self.engine)
        tables = app.tables
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(tables.users.c.id).where(
                tables.users.c.username == "cleo")).scalar()
            if found is None:
                found = conn.execute(tables.users.insert().values(
                    username="cleo", display_name="", password_hash="!", language="en",
                    active=True, created_at=dt.datetime.now(dt.UTC)
                ).returning(tables.users.c.id)).scalar_one()
                conn.execute(tables.user_roles.insert().values(user_id=found, role="clerk"))
        return store, User(id=found, username="cleo", roles=frozenset({"clerk"}))


def open_shop(root: Path, url: str) -> Shop:
    return Shop(root, url, create_engine(url))
