"""A filtered list page under a row-level rule: Store.list as a sales rep (who may read
only the leads they own) against the SQLAlchemy query a developer would write for the
same page, on the same table.

The table holds `list_rows` leads spread over `owners` reps (20 by default). Each sample
fetches one page of 50 web leads, newest first, with the total count (what a list page
shows), and then the next page through its cursor. Guanxi and the baseline alternate, so
that both meet the same disturbances; p95 latencies are compared.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from bench import guanxi_side
from bench.harness import (
    Context,
    Measurement,
    Target,
    Unavailable,
    measure,
    percentile,
    summary,
    unavailable,
)
from bench.projects import lead_rows

CASE = "list"
TARGET = Target("ratio_max", 1.5, "p95 ≤ 1.5×")
PAGE = 50


def populate(store: Any, reps: list[Any], rows: int) -> None:
    """`rows` leads, each rep importing an equal share through Store.bulk_insert."""
    share = -(-rows // len(reps))
    for n, rep in enumerate(reps):
        count = min(share, rows - n * share)
        if count <= 0:
            break
        report = store.bulk_insert(rep, "lead", lead_rows(count, seed=n, tag=f"r{n}"),
                                   batch_size=5000)
        if report.inserted != count:
            raise AssertionError(f"populating the list case failed: {report!r}")


def baseline_pages(engine: sa.Engine, lead: sa.Table, owner: int
                   ) -> tuple[list[dict[str, Any]], int]:
    """The hand-written page: the user's web leads, newest first, 50 at a time, plus the
    total; then the next page after the last id. Each query set in its own transaction."""
    wanted = (lead.c.owner == owner, lead.c.deleted_at.is_(None), lead.c.source == "web")
    with engine.connect() as conn:
        first = [dict(r) for r in conn.execute(
            sa.select(lead).where(*wanted).order_by(lead.c.id.desc()).limit(PAGE + 1)
        ).mappings()]
        total = conn.execute(sa.select(sa.func.count()).select_from(lead).where(*wanted)
                             ).scalar_one()
    return first[:PAGE], total


def baseline_next(engine: sa.Engine, lead: sa.Table, owner: int, last_id: int
                  ) -> list[dict[str, Any]]:
    wanted = (lead.c.owner == owner, lead.c.deleted_at.is_(None), lead.c.source == "web",
              lead.c.id < last_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(lead).where(*wanted).order_by(lead.c.id.desc()).limit(PAGE + 1)
        ).mappings()][:PAGE]


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    details: dict[str, Any] = {"rows": sizes.list_rows, "owners": sizes.owners, "page": PAGE,
                               "samples": sizes.list_pages}
    try:
        app = guanxi_side.lead_app(ctx.workdir)
        url = backend.fresh_url("gx-list")
        store = guanxi_side.open_store(app, url)
        reps = guanxi_side.add_users(store, sizes.owners)
        guanxi_side.method(store, "list")
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason))
    begun = time.perf_counter()
    populate(store, reps, sizes.list_rows)
    details["populate_seconds"] = round(time.perf_counter() - begun, 1)

    # The baseline reads the same table with a plain engine, as a developer would set up.
    engine = sa.create_engine(url)
    lead = sa.Table("lead", sa.MetaData(), autoload_with=engine)
    filters = {"source": "web"}
    guanxi_times: list[float] = []
    baseline_times: list[float] = []
    for sample in range(sizes.list_pages + 5):
        rep = reps[sample % len(reps)]
        g_first, page = _timed(lambda rep=rep: store.list(rep, "lead", filters=filters,
                                                           limit=PAGE, with_total=True))
        b_first, (items, total) = _timed(lambda rep=rep: baseline_pages(engine, lead, rep.id))
        if [r["id"] for r in page.items] != [r["id"] for r in items] or page.total != total:
            raise AssertionError("Guanxi and the baseline returned different pages")
        times = ([g_first], [b_first])
        if page.next_cursor and items:
            g_next, _ = _timed(lambda rep=rep, page=page: store.list(
                rep, "lead", filters=filters, limit=PAGE, after=page.next_cursor,
                with_total=False))
            b_next, _ = _timed(lambda rep=rep, last=items[-1]["id"]: baseline_next(
                engine, lead, rep.id, last))
            times[0].append(g_next)
            times[1].append(b_next)
        if sample >= 5:  # the first few warm the caches
            guanxi_times += times[0]
            baseline_times += times[1]
    engine.dispose()
    store.dispose()
    g95 = percentile(guanxi_times, 95) * 1000
    b95 = percentile(baseline_times, 95) * 1000
    details["guanxi_ms"] = summary([t * 1000 for t in guanxi_times])
    details["baseline_ms"] = summary([t * 1000 for t in baseline_times])
    return [measure(CASE, backend.name, "p95 ms/page", "ms", g95,
                    "hand-written SQLAlchemy query", b95, TARGET, details=details)]
