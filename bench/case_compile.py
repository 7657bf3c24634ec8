"""Checking and compiling a big generated project (200 entities × 40 fields by default):
load_project_or_raise (read, merge, check every file) + compile_app (tables, validators,
machines, policies). The baseline is only parsing the same YAML files with PyYAML's C
loader, the least any YAML-reading tool must do."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from bench import guanxi_side
from bench.harness import (
    Context,
    Measurement,
    Target,
    Unavailable,
    best,
    measure,
    repeat,
    repeat_within,
    unavailable,
)
from bench.projects import write_big_project

CASE = "compile"
TARGET = Target("abs_max", 1.0, "< 1 s")


def parse_only(root: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [yaml.load(p.read_text(encoding="utf-8"), Loader=loader)
            for p in sorted(root.rglob("*.yaml"))]


def run(ctx: Context) -> list[Measurement]:
    sizes = ctx.sizes
    root = ctx.workdir / f"big-{sizes.entities}x{sizes.fields}"
    shutil.rmtree(root, ignore_errors=True)
    write_big_project(root, sizes.entities, sizes.fields)
    rounds = max(3, sizes.repeat)
    baseline = best(repeat(lambda: parse_only(root), rounds))
    metric = f"s for {sizes.entities}×{sizes.fields}"
    name = "PyYAML C loader, parse only"
    details: dict[str, Any] = {"entities": sizes.entities, "fields": sizes.fields}
    try:
        # The first run is timed too: a server or `guanxi check` pays it every time.
        samples = repeat_within(lambda: guanxi_side.compile_project(root), rounds, 10.0)
        details["guanxi_runs_s"] = [round(s, 3) for s in samples]
        guanxi = best(samples)
    except Unavailable as reason:
        return unavailable(CASE, "-", str(reason), [
            measure(CASE, "-", metric, "s", None, name, baseline, TARGET, details=details)])
    return [measure(CASE, "-", metric, "s", guanxi, name, baseline, TARGET, details=details)]
