"""Search: the header's search box (`guanxi.workspace.search.find`) over every entity
through the search index, against the list's own substring search on the one entity
(`Store.list(search=…)`, a LIKE over the entity's text columns), for the same rare
words, as a manager, on the same leads. The index is built first (`rebuild`), and its
rate is reported too.

Words are the middle of a lead's e-mail address (one lead each), so both contenders have
to look at every row that could match; the list stops at its first page (5 rows) like
the type-ahead does.
"""

from __future__ import annotations

import statistics
from typing import Any

from guanxi.workspace import searchindex
from guanxi.workspace.search import find

from bench import guanxi_side
from bench.harness import Context, Measurement, Target, measure, time_once
from bench.projects import lead_rows

CASE = "search"
TARGET = Target("ratio_max", 1.5, "≤ 1.5× the one-entity list search")
WORDS = 30


def run(ctx: Context) -> list[Measurement]:
    rows = max(200, min(ctx.sizes.list_rows // 5, 50_000))
    store = guanxi_side.open_store(guanxi_side.lead_app(ctx.workdir),
                                   ctx.backend.fresh_url("search"))
    manager = guanxi_side.add_manager(store)
    made = lead_rows(rows, seed=16, tag="s")
    report = store.bulk_insert(manager, "lead", made, batch_size=5000)
    if report.inserted != rows:
        raise AssertionError(f"populating the search case failed: {report.errors[:3]!r}")
    seconds, indexed = time_once(lambda: searchindex.rebuild(store.engine, store.app))
    step = rows // WORDS
    words = [made[i * step]["email"].split("@")[0][2:] for i in range(WORDS)]
    for word in words[:2]:  # both find the lead, and only it
        ours = [h.title for g in find(store, manager, word) for h in g.hits]
        theirs = [r["name"] for r in store.list(manager, "lead", search=word).items]
        if ours != theirs or len(ours) != 1:
            raise AssertionError(f"search and list disagree on {word!r}: {ours} {theirs}")
    best_ours: list[float] = []
    best_theirs: list[float] = []
    for _ in range(max(1, ctx.sizes.repeat)):
        best_ours.append(statistics.mean(
            time_once(lambda w=w: find(store, manager, w))[0] for w in words))
        best_theirs.append(statistics.mean(
            time_once(lambda w=w: store.list(manager, "lead", search=w, limit=5,
                                             with_total=False))[0] for w in words))
    how = searchindex.mode(store.engine)
    store.dispose()
    details: dict[str, Any] = {"rows": rows, "words": WORDS, "index": how,
                               "index_rows": indexed,
                               "index_rows_per_s": round(indexed / seconds)}
    return [measure(CASE, ctx.backend.name, "search ms/query", "ms", min(best_ours) * 1e3,
                    "Store.list(search=) on the entity", min(best_theirs) * 1e3, TARGET,
                    details=details)]
