"""Server start and memory: `guanxi serve` on a SQLite database holding `records` leads,
from process creation to the first answered API request, and its resident memory after
serving a few list pages. The baseline is uvicorn serving a Starlette app that does
nothing (bench/minimal_app.py): the floor of Python + uvicorn + Starlette."""

from __future__ import annotations

import os
from typing import Any

import httpx

from bench import guanxi_side
from bench.harness import Context, Measurement, Target, Unavailable, measure, unavailable
from bench.servers import Server, free_port, start, uvicorn_command

CASE = "startup"
START_TARGET = Target("abs_max", 1.5, "< 1.5 s")
RSS_TARGET = Target("abs_max", 120.0, "≤ 120 MB")


def _exercise(server: Server, path: str, headers: dict[str, str]) -> None:
    """A few requests, so that memory is measured on a server that has done work."""
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30.0) as client:
        for _ in range(5):
            client.get(path).raise_for_status()


def _minimal(ctx: Context) -> tuple[float, float]:
    starts, rss = [], 0.0
    for _ in range(ctx.sizes.starts):
        port = free_port()
        server = start(uvicorn_command("bench.minimal_app:app", port), port, "/",
                       ctx.workdir / f"minimal-start-{port}.log")
        try:
            starts.append(server.startup_seconds)
            _exercise(server, "/", {})
            rss = server.rss_mb()
        finally:
            server.stop()
    return min(starts), rss


def _guanxi(ctx: Context, records: int) -> tuple[float, float, dict[str, Any]]:
    url = ctx.backend.fresh_url("gx-startup")
    project, token = guanxi_side.prepare_server_database(ctx.workdir, url, records)
    headers = {"Authorization": f"Bearer {token}"}
    starts, rss = [], 0.0
    for _ in range(ctx.sizes.starts):
        port = free_port()
        server = start(guanxi_side.serve_command(project, url, port), port, "/api/me",
                       ctx.workdir / f"guanxi-start-{port}.log",
                       env={"GUANXI_SECRET": os.urandom(16).hex()}, ready_headers=headers)
        try:
            starts.append(server.startup_seconds)
            _exercise(server, "/api/lead?limit=50", headers)
            rss = server.rss_mb()
        finally:
            server.stop()
    return min(starts), rss, {"starts_s": [round(s, 3) for s in starts]}


def run(ctx: Context) -> list[Measurement]:
    records = ctx.sizes.records
    min_start, min_rss = _minimal(ctx)
    baseline = "uvicorn + Starlette app doing nothing"
    rss_metric = f"RSS MB, {records:,} records"
    details: dict[str, Any] = {"records": records, "starts": ctx.sizes.starts}
    try:
        start_s, rss, more = _guanxi(ctx, records)
    except Unavailable as reason:
        return unavailable(CASE, "sqlite", str(reason), [
            measure(CASE, "sqlite", "s to first answer", "s", None, baseline, min_start,
                    START_TARGET, details=details),
            measure(CASE, "sqlite", rss_metric, "MB", None, baseline, min_rss, RSS_TARGET,
                    details=details),
        ])
    details.update(more)
    note = "" if records >= 1_000_000 else "target is for 1M records (--full)"
    return [
        measure(CASE, "sqlite", "s to first answer", "s", start_s, baseline, min_start,
                START_TARGET, details=details),
        measure(CASE, "sqlite", rss_metric, "MB", rss, baseline, min_rss, RSS_TARGET,
                note=note, details=details),
    ]
