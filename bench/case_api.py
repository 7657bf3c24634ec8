"""JSON API create under load: `guanxi serve` against Django + DRF on the same model, each
a single uvicorn worker on 127.0.0.1 with the same settings, driven by the same load
generator (`clients` concurrent keep-alive connections POSTing new leads).

A third server, a Starlette app that stores nothing (bench/minimal_app.py), shows the
ceiling of this server stack and load generator on this machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from bench import guanxi_side
from bench.databases import django_database
from bench.harness import Context, Measurement, Target, Unavailable, measure, unavailable
from bench.load import LoadResult, run_load
from bench.projects import lead_rows
from bench.servers import REPO, free_port, start, uvicorn_command

CASE = "api"
THROUGHPUT_TARGET = Target("ratio_min", 3.0, "≥ 3× Django")
P99_TARGET = Target("abs_max", 25.0, "p99 ≤ 25 ms")


def body_maker(tag: str) -> Callable[[int], dict[str, Any]]:
    """Request n's body: a benchmark lead with an e-mail no other request uses."""
    pool = lead_rows(1000)

    def body(n: int) -> dict[str, Any]:
        row = dict(pool[n % len(pool)])
        row["email"] = f"api.{n}.{tag}@example.com"
        return row

    return body


def _load(ctx: Context, url: str, headers: dict[str, str], tag: str) -> LoadResult:
    sizes = ctx.sizes
    result = run_load(url, body_maker(tag), headers, clients=sizes.clients,
                      max_requests=sizes.api_requests, max_seconds=sizes.api_seconds,
                      warmup=max(sizes.clients * 2, 64))
    if result.errors:
        raise AssertionError(f"{result.errors} of {result.requests} requests to {url} failed; "
                             f"first: {result.first_error}")
    return result


def _summary(result: LoadResult) -> dict[str, Any]:
    return {"requests": result.requests, "seconds": round(result.seconds, 2),
            "throughput": round(result.throughput, 1), "p50_ms": round(result.p50_ms, 2),
            "p99_ms": round(result.p99_ms, 2)}


def django_load(ctx: Context) -> LoadResult:
    url = ctx.backend.fresh_url("django-api", own_database=True)
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.django_app.tasks", "prepare", "--db", url],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if prepared.returncode != 0:
        raise RuntimeError(f"preparing the Django database failed:\n{prepared.stderr[-2000:]}")
    token = json.loads(prepared.stdout.strip().splitlines()[-1])["token"]
    port = free_port()
    env = {"BENCH_DJANGO_DATABASE": json.dumps(django_database(url)),
           "DJANGO_SETTINGS_MODULE": "bench.django_app.settings"}
    server = start(uvicorn_command("bench.django_app.asgi:application", port), port,
                   "/api/lead/", ctx.workdir / f"django-{port}.log", env=env)
    try:
        return _load(ctx, f"{server.base_url}/api/lead/", {"Authorization": f"Token {token}"},
                     "django")
    finally:
        server.stop()


def minimal_load(ctx: Context) -> LoadResult:
    port = free_port()
    server = start(uvicorn_command("bench.minimal_app:app", port), port, "/",
                   ctx.workdir / f"minimal-{port}.log")
    try:
        return _load(ctx, f"{server.base_url}/api/lead", {}, "minimal")
    finally:
        server.stop()


def guanxi_load(ctx: Context) -> LoadResult:
    url = ctx.backend.fresh_url("gx-api")
    project, token = guanxi_side.prepare_server_database(ctx.workdir, url)
    port = free_port()
    headers = {"Authorization": f"Bearer {token}"}
    server = start(guanxi_side.serve_command(project, url, port), port, "/api/me",
                   ctx.workdir / f"guanxi-{port}.log",
                   env={"GUANXI_SECRET": os.urandom(16).hex()}, ready_headers=headers)
    try:
        return _load(ctx, f"{server.base_url}/api/lead", headers, "guanxi")
    finally:
        server.stop()


def run(ctx: Context) -> list[Measurement]:
    backend = ctx.backend.name
    django = django_load(ctx)
    ceiling = minimal_load(ctx) if backend == "sqlite" and ctx.sizes.ceiling else None
    details: dict[str, Any] = {"clients": ctx.sizes.clients, "django": _summary(django)}
    if ceiling:
        details["minimal"] = _summary(ceiling)
    baselines = [
        measure(CASE, backend, "requests/s", "1/s", None, "Django + DRF", django.throughput,
                THROUGHPUT_TARGET, details=details),
        measure(CASE, backend, "p99 ms", "ms", None, "Django + DRF", django.p99_ms,
                P99_TARGET, details=details),
    ]
    try:
        guanxi = guanxi_load(ctx)
    except Unavailable as reason:
        return unavailable(CASE, backend, str(reason), baselines)
    details["guanxi"] = _summary(guanxi)
    rows = [
        measure(CASE, backend, "requests/s", "1/s", guanxi.throughput, "Django + DRF",
                django.throughput, THROUGHPUT_TARGET, details=details),
        measure(CASE, backend, "p99 ms", "ms", guanxi.p99_ms, "Django + DRF", django.p99_ms,
                P99_TARGET, details=details),
    ]
    if ceiling:
        rows.append(measure(CASE, backend, "requests/s", "1/s", guanxi.throughput,
                            "Starlette app storing nothing (ceiling)", ceiling.throughput,
                            details=details))
    return rows
