"""A migration plan that counts the stored rows new rules break: `migrate.plan` after a
new `min`, a new `pattern` and a new `check:` rule on a table of `rows` leads, against
what a developer would write to count them before changing a schema: SQLAlchemy Core
reading the same columns of every row and the three checks written by hand in Python.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import plan as migrate
from guanxi.store.database import create_engine

from bench.harness import Context, Measurement, Target, best, measure, time_once

CASE = "plan"
TARGET = Target("ratio_max", 3.0, "≤ 3×")

PROJECT = """
project: planned
roles:
  clerk: {}
"""
LEAD = """
lead:
  fields:
    name: {type: string, required: true}
    visits: {type: integer}
    code: {type: string}
  access:
    clerk: {create: all, read: all, update: all}
"""
STRICTER = LEAD.replace("visits: {type: integer}", "visits: {type: integer, min: 3}") \
    .replace("code: {type: string}", "code: {type: string, pattern: '[A-Z]{2}-[0-9]{3}'}") \
    + "  rules:\n    - check: visits == null or visits < 90\n      fields: [visits]\n"


def _app(root: Path, lead: str) -> Any:
    (root / "entities").mkdir(parents=True, exist_ok=True)
    (root / "guanxi.yaml").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    (root / "entities" / "lead.yaml").write_text(textwrap.dedent(lead), encoding="utf-8")
    return compile_app(load_project_or_raise(root))


def _fill(engine: sa.Engine, table: sa.Table, rows: int) -> None:
    now = dt.datetime.now(dt.UTC)
    values = [{"name": f"Lead {n}", "visits": n % 100, "code": f"AB-{n % 1000:03d}"
               if n % 7 else "bad", "created_at": now, "updated_at": now, "version": 1}
              for n in range(rows)]
    with engine.begin() as conn:
        conn.execute(sa.insert(table), values)


CODE = re.compile("[A-Z]{2}-[0-9]{3}")


def by_hand(engine: sa.Engine, table: sa.Table) -> list[int]:
    """The broken rows of each new rule, counted by hand: min 3, the pattern, < 90."""
    low = pattern = high = 0
    with engine.connect() as conn:
        query = sa.select(table.c.id, table.c.visits, table.c.code)
        for _, visits, code in conn.execute(query):
            if visits is not None and visits < 3:
                low += 1
            if code and CODE.fullmatch(code) is None:
                pattern += 1
            if not (visits is None or visits < 90):
                high += 1
    return [low, pattern, high]


def run(ctx: Context) -> list[Measurement]:
    rows = ctx.sizes.rows
    root = Path(ctx.workdir) / "plan-project"
    engine = create_engine(ctx.backend.fresh_url("plan"))
    try:
        app = _app(root, LEAD)
        migrate.apply(migrate.plan(app, engine), engine)
        _fill(engine, app.tables.entities["lead"], rows)
        stricter = _app(root, STRICTER)
        table = stricter.tables.entities["lead"]
        guanxi_samples, baseline_samples = [], []
        broken = 0
        for _ in range(max(1, ctx.sizes.repeat)):
            seconds, plan = time_once(lambda: migrate.plan(stricter, engine))
            guanxi_samples.append(seconds)
            broken = len(plan.breaking())
            seconds, counts = time_once(lambda: by_hand(engine, table))
            if counts != [c for c in counts if c] or len(counts) != 3:
                raise AssertionError(f"the hand-written count found {counts}")
            baseline_samples.append(seconds)
        if broken != 3:
            raise AssertionError(f"the plan should count 3 broken rules, counted {broken}")
    finally:
        engine.dispose()
    return [measure(CASE, ctx.backend.name, "plan with counts", "ms",
                    best(guanxi_samples) * 1e3, "SQLAlchemy Core read + checks by hand",
                    best(baseline_samples) * 1e3, TARGET,
                    details={"rows": rows, "rules broken": broken})]
