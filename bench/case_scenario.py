"""Acceptance scenarios with automation: acme's `scenarios/alarms.yaml` (an e-mail ticket
alarm, an answered one, a paused resolution clock: writes, clock advances that run the
automation worker, SLA and notification expectations), each scenario on its own
throwaway database, against the floor every scenario pays: a throwaway database with
acme's schema created on it and dropped (the same `throwaway_database` and
`create_schema`).
"""

from __future__ import annotations

from pathlib import Path

from guanxi.acceptance.database import throwaway_database
from guanxi.acceptance.runner import run_scenario
from guanxi.acceptance.scenario import read_scenarios
from guanxi.compile.app import App, compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store

from bench.harness import Context, Measurement, Target, best, measure, time_once

CASE = "scenario"
TARGET = Target("ratio_max", 6.0, "≤ 6× a fresh database")
ACME = Path(__file__).resolve().parents[1] / "examples" / "acme"


def _alarms(app: App, url: str) -> float:
    scenarios, _ = read_scenarios(ACME)
    chosen = [s for s in scenarios if Path(s.loc.file).name == "alarms.yaml"]

    def run() -> int:
        failed = sum(not run_scenario(app, s, url).passed for s in chosen)
        if failed:
            raise AssertionError(f"{failed} acme alarm scenario(s) failed")
        return len(chosen)

    seconds, count = time_once(run)
    return seconds / count


def _floor(app: App, url: str) -> float:
    def run() -> None:
        with throwaway_database(url) as database:
            store = Store(app, database)
            store.create_schema()
            store.dispose()

    seconds, _ = time_once(run)
    return seconds


def run(ctx: Context) -> list[Measurement]:
    backend = ctx.backend
    app = compile_app(load_project_or_raise(ACME))
    repeat = max(2, min(ctx.sizes.repeat, 3))
    url = backend.fresh_url("scenario")
    floor = best([_floor(app, url) for _ in range(repeat)])
    scenario = best([_alarms(app, url) for _ in range(repeat)])
    return [measure(CASE, backend.name, "seconds per acme alarm scenario", "s", scenario,
                    "a throwaway database with acme's schema", floor, TARGET)]
