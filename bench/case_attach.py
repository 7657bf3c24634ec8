"""Attaching files: Store.attach (the record's rights read, the type sniffed, the bytes
written and synced, the metadata row, history and the change event, in one
transaction) against what a developer would write for the same upload: the bytes
written and synced to a file, and one row inserted in a plain table.

Each sample attaches one 256 KiB file to one of the rep's leads; Guanxi and the
baseline alternate. The medians are compared.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import guanxi_side
from bench.harness import (
    Context,
    Measurement,
    Target,
    Unavailable,
    measure,
    median,
    summary,
    unavailable,
)

CASE = "attach"
TARGET = Target("ratio_max", 2.0, "median ≤ 2×")
SIZE = 256 * 1024
LEADS = 20


def baseline_attach(engine: sa.Engine, table: sa.Table, directory: Path, lead: int,
                    content: bytes) -> None:
    key = secrets.token_hex(16)
    path = directory / key
    with open(path, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    with engine.begin() as conn:
        conn.execute(table.insert().values(record_id=lead, name="report.txt", key=key,
                                           size=len(content)))


def run(ctx: Context) -> list[Measurement]:
    backend = ctx.backend
    samples = max(20, ctx.sizes.transitions // 30)
    try:
        app = guanxi_side.lead_app(ctx.workdir)
        url = backend.fresh_url("gx-attach")
        store = guanxi_side.open_store(app, url)
        [rep] = guanxi_side.add_users(store, 1)
        guanxi_side.method(store, "attach")
        upload = guanxi_side.need("guanxi.store.attachments", "Upload").Upload
        storage = guanxi_side.need("guanxi.attachments.storage", "LocalStorage")
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason))
    store.storage = storage.LocalStorage(ctx.workdir / "gx-files")
    leads = [store.create(rep, "lead", {"name": f"Lead {n}", "email": f"l{n}@example.com"})
             for n in range(LEADS)]
    engine = sa.create_engine(url)
    table = sa.Table("bench_attachment", sa.MetaData(),
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("record_id", sa.Integer), sa.Column("name", sa.String(200)),
                     sa.Column("key", sa.String(64)), sa.Column("size", sa.Integer))
    table.create(engine)
    directory = ctx.workdir / "plain-files"
    directory.mkdir(exist_ok=True)
    content = (b"the printer jams on page two\n" * (SIZE // 29 + 1))[:SIZE]
    guanxi_times: list[float] = []
    baseline_times: list[float] = []
    for sample in range(samples + 3):
        lead = leads[sample % LEADS]["id"]
        start = time.perf_counter()
        store.attach(rep, "lead", lead, upload("report.txt", content))
        g = time.perf_counter() - start
        start = time.perf_counter()
        baseline_attach(engine, table, directory, lead, content)
        b = time.perf_counter() - start
        if sample >= 3:
            guanxi_times.append(g)
            baseline_times.append(b)
    engine.dispose()
    store.dispose()
    details: dict[str, Any] = {"samples": samples, "bytes": SIZE,
                               "guanxi_ms": summary([t * 1000 for t in guanxi_times]),
                               "baseline_ms": summary([t * 1000 for t in baseline_times])}
    return [measure(CASE, backend.name, "median ms/file", "ms",
                    median(guanxi_times) * 1000, "file write + plain INSERT",
                    median(baseline_times) * 1000, TARGET, details=details)]
