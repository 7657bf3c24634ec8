"""`guanxi import` at scale: one CSV file of `--file-rows` lead rows (1,000,000 with
`--full`) imported in a process of its own, on SQLite and on PostgreSQL. Reported: the
rate of each 100k chunk (time linear in rows: the last chunk's rate against the first's,
target ≥ 0.8×) and the child process's peak RSS (`resource.getrusage` in the child,
target ≤ 250 MB), against the rate of the whole run.
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench import guanxi_side
from bench.case_file_import import CHUNK, chunk_progress
from bench.harness import Context, Measurement, Target, Unavailable, measure, unavailable
from bench.projects import LEAD_FIELDS, lead_rows

CASE = "file_scale"
LINEAR = Target("ratio_min", 0.8, "≥ 0.8× the first chunk")
RSS_LIMIT_MB = 250
RSS = Target("abs_max", RSS_LIMIT_MB, f"≤ {RSS_LIMIT_MB} MB")


def write_csv(path: Path, count: int) -> Path:
    """`count` lead rows, written 100k at a time (never all in memory)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LEAD_FIELDS)
        for start in range(0, count, CHUNK):
            for row in lead_rows(min(CHUNK, count - start), seed=start, tag=f"s{start}"):
                writer.writerow(["" if row[f] is None else row[f] for f in LEAD_FIELDS])
    return path


def child(url: str, path: str, workdir: str) -> dict[str, Any]:
    """In the child process: import the file as a sales rep; the chunk rates and RSS."""
    importer = guanxi_side.need("guanxi.data.importer", "Importer")
    store = guanxi_side.open_store(guanxi_side.lead_app(Path(workdir)), url)
    rep = guanxi_side.add_users(store, 1)[0]
    marks: list[float] = []
    progress = chunk_progress(marks)
    marks.append(time.perf_counter())
    result = importer.Importer(store, rep, "lead", progress=progress,
                               batch_size=2000).run(path)
    seconds = time.perf_counter() - marks[0]
    store.engine.dispose()
    return {"created": result.created, "seconds": seconds,
            "chunks": [round(CHUNK / (b - a)) for a, b in pairwise(marks)],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run(ctx: Context) -> list[Measurement]:
    count = ctx.sizes.file_rows
    backend = ctx.backend.name
    path = write_csv(Path(ctx.workdir) / "scale.csv", count)
    url = ctx.backend.fresh_url("gx-file-scale")
    done = subprocess.run([sys.executable, "-m", "bench.case_file_scale", url, str(path),
                           str(ctx.workdir)], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    path.unlink(missing_ok=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["the import process failed"])[-1]
        return unavailable(CASE, backend, reason)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if found["created"] != count:
        raise AssertionError(f"the import created {found['created']}, expected {count}")
    rate = count / found["seconds"]
    chunks = found["chunks"] or [round(rate)]
    details = {"rows": count, "rows_per_s_per_100k": chunks,
               "peak_rss_mb": found["peak_rss_mb"]}
    return [
        measure(CASE, backend, "rows/s, last 100k chunk", "rows/s", chunks[-1],
                "the first 100k chunk", chunks[0], LINEAR, details=details),
        measure(CASE, backend, "peak RSS of the import process", "MB",
                found["peak_rss_mb"], "the budget", RSS_LIMIT_MB, RSS,
                details={**details, "rows_per_s": round(rate)}),
    ]


if __name__ == "__main__":
    try:
        print(json.dumps(child(*sys.argv[1:4])))
    except Unavailable as reason:
        print(str(reason), file=sys.stderr)
        sys.exit(2)
