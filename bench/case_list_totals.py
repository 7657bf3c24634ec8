"""A numbered list page with a range filter and its totals row: Store.list as a sales
rep (row rule: own leads) asking for page 5 of the leads whose value lies in a range,
with the total count and the sum of `value` over the whole filtered set, against the
SQLAlchemy queries a developer would write for the same page (OFFSET, COUNT, SUM).

Same table and sizes as the `list` case; the two sides alternate and p95 latencies
are compared.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from bench import guanxi_side
from bench.case_list import populate
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

CASE = "list_totals"
TARGET = Target("ratio_max", 1.5, "p95 ≤ 1.5×")
PAGE = 25
PAGE_NUMBER = 5
LOW, HIGH = 10_000, 80_000


def baseline_page(engine: sa.Engine, lead: sa.Table, owner: int
                  ) -> tuple[list[int], int, Decimal]:
    wanted = (lead.c.owner == owner, lead.c.deleted_at.is_(None),
              lead.c.value >= LOW, lead.c.value <= HIGH)
    with engine.connect() as conn:
        ids = [r.id for r in conn.execute(
            sa.select(lead).where(*wanted).order_by(lead.c.id.desc())
            .limit(PAGE + 1).offset((PAGE_NUMBER - 1) * PAGE))][:PAGE]
        total, amount = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(lead.c.value)).where(*wanted)).one()
    return ids, int(total), Decimal(amount or 0)


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    details: dict[str, Any] = {"rows": sizes.list_rows, "owners": sizes.owners, "page": PAGE,
                               "page_number": PAGE_NUMBER, "samples": sizes.list_pages}
    try:
        app = guanxi_side.lead_app(ctx.workdir)
        url = backend.fresh_url("gx-list-totals")
        store = guanxi_side.open_store(app, url)
        reps = guanxi_side.add_users(store, sizes.owners)
        guanxi_side.method(store, "list")
        ranges = guanxi_side.need("guanxi.store.filters", "Range").Range
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason))
    populate(store, reps, sizes.list_rows)
    engine = sa.create_engine(url)
    lead = sa.Table("lead", sa.MetaData(), autoload_with=engine)
    filters = {"value": ranges(str(LOW), str(HIGH))}
    guanxi_times: list[float] = []
    baseline_times: list[float] = []
    for sample in range(sizes.list_pages + 5):
        rep = reps[sample % len(reps)]
        start = time.perf_counter()
        page = store.list(rep, "lead", filters=filters, limit=PAGE,
                          offset=(PAGE_NUMBER - 1) * PAGE, sums=["value"])
        middle = time.perf_counter()
        ids, total, amount = baseline_page(engine, lead, rep.id)
        end = time.perf_counter()
        if ([r["id"] for r in page.items] != ids or page.total != total
                or Decimal(page.sums["value"] or 0) != amount):
            raise AssertionError("Guanxi and the baseline returned different pages")
        if sample >= 5:  # the first few warm the caches
            guanxi_times.append(middle - start)
            baseline_times.append(end - middle)
    engine.dispose()
    store.dispose()
    g95 = percentile(guanxi_times, 95) * 1000
    b95 = percentile(baseline_times, 95) * 1000
    details["guanxi_ms"] = summary([t * 1000 for t in guanxi_times])
    details["baseline_ms"] = summary([t * 1000 for t in baseline_times])
    return [measure(CASE, backend.name, "p95 ms/page", "ms", g95,
                    "hand-written SQLAlchemy queries", b95, TARGET, details=details)]
