"""Roll-ups kept in the write's transaction: `rollup_rows` purchases bulk-inserted through
the Store into a project where each member has `spend: {rollup: {sum: amount, …}}` and
`purchases: {rollup: {count: purchase, …}}`, maintained batch by batch.

Baselines, each on a fresh database with the same members and rows:
- the same Store import into the same project without the roll-ups, followed by the
  hand-written SQL that keeps the same numbers (one `UPDATE member SET spend = (SELECT
  sum …), purchases = (SELECT count …)` after the import): what maintaining the roll-ups
  costs over the import itself (target ≥ 0.5×);
- SQLAlchemy Core executemany of the rows and the same UPDATE, committed once: no
  validation, no history, no events; for scale (no target).
Both sides end with the same sums, checked.
"""

from __future__ import annotations

import random
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import guanxi_side
from bench.harness import (
    NO_TARGET,
    Context,
    Measurement,
    Target,
    Unavailable,
    best,
    measure,
    time_once,
    unavailable,
)

CASE = "rollup"
TARGET = Target("ratio_min", 0.5, "≥ 0.5× import + SQL")
MEMBERS = 1_000

_PROJECT = {
    "guanxi.yaml": """
        project: rollups
        roles:
          clerk: {label: Clerk}
    """,
    "entities/member.yaml": """
        member:
          fields:
            name: {type: string, required: true}
            spend: {type: money{spend}}
            purchases: {type: integer{purchases}}
          access:
            clerk: {create: all, read: all, update: all}
    """,
    "entities/purchase.yaml": """
        purchase:
          fields:
            member: {type: reference, to: member, required: true}
            amount: {type: money, required: true, min: 0}
            note: {type: string}
          access:
            clerk: {create: all, read: all}
    """,
}
_ROLLUPS = {"spend": ", rollup: {sum: amount, of: purchase, via: member}",
            "purchases": ", rollup: {count: purchase, via: member}"}
_KEEP = ("UPDATE member SET spend = (SELECT coalesce(sum(amount), 0) FROM purchase "
         "WHERE purchase.member = member.id), purchases = (SELECT count(*) FROM purchase "
         "WHERE purchase.member = member.id)")


def _project(root: Path, rollups: bool) -> Any:
    if not (root / "guanxi.yaml").exists():
        for relative, text in _PROJECT.items():
            text = textwrap.dedent(text).lstrip("\n")
            if relative == "entities/member.yaml":
                text = text.replace("{spend}", _ROLLUPS["spend"] if rollups else "").replace(
                    "{purchases}", _ROLLUPS["purchases"] if rollups else "")
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return guanxi_side.compile_project(root)


def purchase_rows(count: int, first_member: int) -> list[dict[str, Any]]:
    rng = random.Random(11)
    return [{"member": first_member + rng.randrange(MEMBERS),
             "amount": f"{rng.randint(1, 50000) / 100:.2f}", "note": f"order {n}"}
            for n in range(count)]


def _open(ctx: Context, rollups: bool, label: str) -> tuple[Any, Any, int]:
    app = _project(ctx.workdir / f"rollup-project-{'with' if rollups else 'without'}", rollups)
    store = guanxi_side.open_store(app, ctx.backend.fresh_url(label))
    clerk = guanxi_side.add_users(store, 1, "clerk", "clerk")[0]
    report = store.bulk_insert(clerk, "member",
                               [{"name": f"member {n}"} for n in range(MEMBERS)])
    if report.inserted != MEMBERS:
        raise AssertionError(f"adding the members failed: {report!r}")
    first = store.list(clerk, "member", limit=1, sort=("id",), with_total=False).items[0]["id"]
    return store, clerk, int(first)


def _totals(engine: sa.Engine) -> tuple[Decimal, int]:
    with engine.connect() as conn:
        spend, count = conn.execute(sa.text(
            "SELECT sum(spend), sum(purchases) FROM member")).one()
    return Decimal(spend).quantize(Decimal("0.01")), int(count)


def guanxi(ctx: Context, count: int) -> tuple[float, tuple[Decimal, int]]:
    """Seconds of one bulk_insert of the purchases with the roll-ups maintained."""
    store, clerk, first = _open(ctx, True, "gx-rollup")
    rows = purchase_rows(count, first)
    seconds, report = time_once(lambda: store.bulk_insert(clerk, "purchase", rows))
    if report.inserted != count:
        raise AssertionError(f"Guanxi imported {report!r}, expected {count} rows")
    totals = _totals(store.engine)
    store.dispose()
    return seconds, totals


def import_then_sql(ctx: Context, count: int) -> tuple[float, tuple[Decimal, int]]:
    """Seconds of the same import without roll-ups, then the UPDATE that keeps them."""
    store, clerk, first = _open(ctx, False, "gx-plain")
    rows = purchase_rows(count, first)

    def run() -> None:
        report = store.bulk_insert(clerk, "purchase", rows)
        if report.inserted != count:
            raise AssertionError(f"the import failed: {report!r}")
        with store.engine.begin() as conn:
            conn.execute(sa.text(_KEEP))

    seconds, _ = time_once(run)
    totals = _totals(store.engine)
    store.dispose()
    return seconds, totals


def raw_then_sql(ctx: Context, count: int) -> tuple[float, tuple[Decimal, int]]:
    """Seconds of a plain SQLAlchemy Core executemany of the rows and the same UPDATE,
    in one transaction."""
    store, _, first = _open(ctx, False, "raw-rollup")
    rows = purchase_rows(count, first)
    engine, table = store.engine, store.app.tables.entities["purchase"]

    def run() -> None:
        moment = store.clock()
        with engine.begin() as conn:
            conn.execute(table.insert(), [
                {**r, "amount": Decimal(r["amount"]), "created_at": moment,
                 "updated_at": moment, "version": 1} for r in rows])
            conn.execute(sa.text(_KEEP))

    seconds, _ = time_once(run)
    totals = _totals(engine)
    store.dispose()
    return seconds, totals


def run(ctx: Context) -> list[Measurement]:
    count, backend = ctx.sizes.rollup_rows, ctx.backend
    repeat = max(1, min(ctx.sizes.repeat, 2))
    details: dict[str, Any] = {"rows": count, "parents": MEMBERS}
    try:
        plain = [import_then_sql(ctx, count) for _ in range(repeat)]
        raw = [raw_then_sql(ctx, count) for _ in range(repeat)]
        maintained = [guanxi(ctx, count) for _ in range(repeat)]
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason))
    expected = plain[0][1]
    for _, totals in raw + maintained:
        if totals != expected:
            raise AssertionError(f"the roll-ups hold {totals}, the SQL gives {expected}")
    gx = count / best([s for s, _ in maintained])
    return [
        measure(CASE, backend.name, "rows/s", "1/s", gx,
                "same Store import without roll-ups + one UPDATE", count / best(
                    [s for s, _ in plain]), TARGET, details=details),
        measure(CASE, backend.name, "rows/s", "1/s", gx,
                "Core executemany + one UPDATE", count / best([s for s, _ in raw]),
                NO_TARGET, details=details),
    ]
