"""Reports: pipeline by stage (count, amount, weighted amount per workflow state) and win
rate by owner (a ratio of two conditional counts per owner), run through
`guanxi.insight.running.run_report` — compiling the report for the user, the one SQL
query with her row rules, shaping the rows — against the hand-written SQL `GROUP BY` a
developer would run on the same table and fetch.

The weighted amount is a stored computed field (`expected: value * probability / 100`),
as acme's `expected_value` is. The table holds `report_rows` leads over `owners` reps in
the four states of the lead workflow (qualified counts as won). Both read as a manager,
who may read every row, so both count the same rows; Guanxi and the baseline
alternate, and the medians are compared (p95 in the details).
"""

from __future__ import annotations

import random
import re
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
    percentile,
    summary,
    unavailable,
)
from bench.projects import lead_rows, write_lead_project

CASE = "report"
TARGET = Target("ratio_max", 1.3, "median ≤ 1.3×")
STATES = ("new", "contacted", "qualified", "lost")
SAMPLES = 15

_ADMIN_PROJECT = """\
project: bench
label: Benchmark
roles:
  sales_rep: {label: Sales rep}
  sales_manager: {label: Sales manager, includes: [sales_rep], admin: true}
"""

_REPORTS = """\
reports:
  pipeline_by_stage:
    entity: lead
    group: [state]
    measures:
      leads: count()
      amount: sum(value)
      weighted: sum(expected)
  win_rate_by_owner:
    entity: lead
    group: [owner]
    measures:
      win_rate: 'count(state == "qualified") / count(state in ["qualified", "lost"])'
  by_source:
    entity: lead
    group: [source]
    measures: {leads: count(), value: sum(value)}
  by_month:
    entity: lead
    group: [{field: expected_close, by: month}]
    measures: {weighted: sum(expected)}
  totals:
    entity: lead
    measures: {leads: count(), value: sum(value)}
    chart: kpi
  by_city:
    entity: lead
    group: [city]
    measures: {leads: count()}
"""
DASHBOARD = ("pipeline_by_stage", "win_rate_by_owner", "by_source", "by_month", "totals",
             "by_city")
# The same six reports as the managers' home-page dashboard.
_DASHBOARDS = """\
dashboards:
  managing:
    roles: [sales_manager]
    tiles:
      - {report: pipeline_by_stage}
      - {report: win_rate_by_owner}
      - {report: by_source}
      - {report: by_month}
      - {kpi: totals}
      - {report: by_city}
"""
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def report_app(workdir: Path) -> Any:
    root = workdir / "report-project"
    if not (root / "guanxi.yaml").exists():
        write_lead_project(root)
        (root / "guanxi.yaml").write_text(_ADMIN_PROJECT, encoding="utf-8")
        lead = root / "entities" / "lead.yaml"
        lead.write_text(lead.read_text(encoding="utf-8").replace(
            "    probability: {type: percent}\n",
            "    probability: {type: percent}\n"
            "    expected: {type: money, compute: value * probability / 100}\n"),
            encoding="utf-8")
        (root / "insight").mkdir(exist_ok=True)
        (root / "insight" / "reports.yaml").write_text(_REPORTS, encoding="utf-8")
        (root / "insight" / "dashboards.yaml").write_text(_DASHBOARDS, encoding="utf-8")
    return guanxi_side.compile_project(root)


def populate(store: Any, manager: Any, reps: list[Any], rows: int) -> None:
    rng = random.Random(15)
    batch = 50_000
    for start in range(0, rows, batch):
        chunk = lead_rows(min(batch, rows - start), seed=start, tag=f"p{start}")
        for row in chunk:
            row["state"] = STATES[rng.randrange(4)]
            row["owner"] = reps[rng.randrange(len(reps))].id
        report = store.bulk_insert(manager, "lead", chunk, batch_size=5000, historical=True)
        if report.inserted != len(chunk):
            raise AssertionError(f"populating the report case failed: {report.errors[:3]!r}")


def baselines(lead: sa.Table, dialect: str) -> dict[str, Any]:
    """The hand-written GROUP BY queries."""
    live = lead.c.deleted_at.is_(None)
    month = (sa.func.date(lead.c.expected_close, "start of month") if dialect == "sqlite"
             else sa.func.date_trunc("month", lead.c.expected_close))
    won = sa.func.sum(sa.case((lead.c.state == "qualified", 1), else_=0))
    closed = sa.func.sum(sa.case((lead.c.state.in_(["qualified", "lost"]), 1), else_=0))
    return {
        "pipeline_by_stage": sa.select(
            lead.c.state, sa.func.count(), sa.func.sum(lead.c.value),
            sa.func.sum(lead.c.expected)).where(live)
        .group_by(lead.c.state),
        "win_rate_by_owner": sa.select(lead.c.owner, won, closed).where(live)
        .group_by(lead.c.owner),
        "by_source": sa.select(lead.c.source, sa.func.count(), sa.func.sum(lead.c.value))
        .where(live).group_by(lead.c.source),
        "by_month": sa.select(month, sa.func.sum(lead.c.expected)).where(live)
        .group_by(month),
        "totals": sa.select(sa.func.count(), sa.func.sum(lead.c.value)).where(live),
        "by_city": sa.select(lead.c.city, sa.func.count()).where(live).group_by(lead.c.city),
    }


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _alternate(guanxi: Any, baseline: Any) -> tuple[list[float], list[float]]:
    """Seconds of each, alternating, after two warm-up rounds."""
    guanxi_times: list[float] = []
    baseline_times: list[float] = []
    for sample in range(SAMPLES + 2):
        g, _ = _timed(guanxi)
        b, _ = _timed(baseline)
        if sample >= 2:  # the first runs warm the caches
            guanxi_times.append(g)
            baseline_times.append(b)
    return guanxi_times, baseline_times


def _run_all(engine: sa.Engine, queries: dict[str, Any]) -> None:
    """The dashboard's six hand-written queries, executed and fetched."""
    with engine.connect() as conn:
        for name in DASHBOARD:
            conn.execute(queries[name]).all()


def run(ctx: Context) -> list[Measurement]:
    sizes, backend = ctx.sizes, ctx.backend
    try:
        running = guanxi_side.need("guanxi.insight.running", "run_report")
        charts = guanxi_side.need("guanxi.insight.charts", "chart")
        app = report_app(ctx.workdir)
        url = backend.fresh_url("gx-report")
        store = guanxi_side.open_store(app, url)
        reps = guanxi_side.add_users(store, sizes.owners)
        manager = guanxi_side.add_manager(store)
    except Unavailable as reason:
        return unavailable(CASE, backend.name, str(reason))
    begun = time.perf_counter()
    populate(store, manager, reps, sizes.report_rows)
    populate_seconds = round(time.perf_counter() - begun, 1)
    engine = sa.create_engine(url)
    lead = sa.Table("lead", sa.MetaData(), autoload_with=engine)
    queries = baselines(lead, engine.dialect.name)
    results = []
    for name in ("pipeline_by_stage", "win_rate_by_owner"):
        query = queries[name]
        guanxi_times: list[float] = []
        baseline_times: list[float] = []
        for sample in range(SAMPLES + 2):
            g, result = _timed(lambda name=name: running.run_report(store, manager, name))
            with engine.connect() as conn:
                b, rows = _timed(lambda conn=conn, query=query: conn.execute(query).all())
            if len(result.rows) != len(rows):
                raise AssertionError(f"{name}: Guanxi and the baseline found different groups")
            if sample >= 2:  # the first runs warm the caches
                guanxi_times.append(g)
                baseline_times.append(b)
        g50 = percentile(guanxi_times, 50) * 1000
        b50 = percentile(baseline_times, 50) * 1000
        details = {"rows": sizes.report_rows, "owners": sizes.owners, "samples": SAMPLES,
                   "populate_seconds": populate_seconds,
                   "guanxi_ms": summary([t * 1000 for t in guanxi_times]),
                   "baseline_ms": summary([t * 1000 for t in baseline_times])}
        results.append(measure(CASE, backend.name, f"{name} median ms", "ms", g50,
                               "hand-written SQL GROUP BY", b50, TARGET, details=details))
    results.append(dashboard(store, manager, engine, queries, sizes.report_rows, charts,
                             backend.name))
    results.append(home_page(app, url, engine, queries, sizes.report_rows, backend.name))
    engine.dispose()
    store.dispose()
    return results


def dashboard(store: Any, manager: Any, engine: sa.Engine, queries: dict[str, Any],
              rows: int, charts: Any, backend: str) -> Measurement:
    """A dashboard of six report tiles, each run and drawn (what the home page does for
    its tiles), against the six hand-written queries; p95 over the samples."""
    running = guanxi_side.need("guanxi.insight.running", "run_report")

    def tiles() -> None:
        for name in DASHBOARD:
            charts.chart(running.run_report(store, manager, name))

    guanxi_times, baseline_times = _alternate(tiles, lambda: _run_all(engine, queries))
    details = {"rows": rows, "tiles": len(DASHBOARD), "samples": SAMPLES,
               "guanxi_ms": summary([t * 1000 for t in guanxi_times]),
               "baseline_ms": summary([t * 1000 for t in baseline_times])}
    return measure(CASE, backend, "dashboard of 6 tiles p95 ms", "ms",
                   percentile(guanxi_times, 95) * 1000, "6 hand-written queries",
                   percentile(baseline_times, 95) * 1000, details=details)


def home_page(app: Any, url: str, engine: sa.Engine, queries: dict[str, Any], rows: int,
              backend: str) -> Measurement:
    """The manager's home page over HTTP (in process: the app's routing, session, the
    dashboard's six tiles run and drawn, the page rendered), against the six
    hand-written queries; p95 over the samples."""
    server = guanxi_side.need("guanxi.server.app", "create_app")
    testing = guanxi_side.need("starlette.testclient", "TestClient")
    web = server.create_app(app, url, "bench-secret-" + "x" * 20)
    with testing.TestClient(web, base_url="https://testserver") as client:
        token = CSRF_INPUT.search(client.get("/login").text)
        if token is None:
            return unavailable(CASE, backend, "the sign-in page has no CSRF token")[0]
        client.post("/login", data={"username": "manager0", "password": guanxi_side.PASSWORD,
                                    "csrf_token": token.group(1)}, follow_redirects=False)

        def page() -> None:
            response = client.get("/")
            if response.status_code != 200 or "tile-report" not in response.text:
                raise AssertionError(f"the home page answered {response.status_code}")

        guanxi_times, baseline_times = _alternate(page, lambda: _run_all(engine, queries))
    web.state.holder.current().store.dispose()
    details = {"rows": rows, "tiles": len(DASHBOARD), "samples": SAMPLES,
               "guanxi_ms": summary([t * 1000 for t in guanxi_times]),
               "baseline_ms": summary([t * 1000 for t in baseline_times])}
    return measure(CASE, backend, "home page with a 6-tile dashboard p95 ms", "ms",
                   percentile(guanxi_times, 95) * 1000, "6 hand-written queries",
                   percentile(baseline_times, 95) * 1000, details=details)
