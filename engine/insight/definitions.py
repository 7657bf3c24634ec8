"""What the project's insight/*.yaml declares: reports and dashboards, as frozen data that
remembers where each thing was written (the same way `guanxi.spec` does for entities).

A report counts and sums the records of one entity: a condition (`when`), the groups
(fields, paths through references, the workflow state, date buckets), the measures
(aggregates and ratios of aggregates), parameters a caller may give, sort and limit, an
optional pivot (one group spread as columns) and a chart. A dashboard is a list of
tiles (reports, KPIs, lists) shown to the roles it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from guanxi.insight.classes import Classes
from guanxi.spec import NOWHERE, Loc, Text

# The date buckets a group may use, and the chart kinds a report or tile may ask for.
BUCKETS = ("day", "week", "month", "quarter", "year")
CHARTS = ("bar", "stacked_bar", "line", "pie", "donut", "funnel", "kpi", "table")
# How a parameter compares its field with the value given.
PARAM_OPS = ("==", "!=", ">=", "<=", ">", "<")
# Defaults a parameter may take from the moment of the call.
DYNAMIC = ("current_user", "today", "month_start", "year_start")


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """One group: a path (`state`, `owner`, `account.region`), bucketed by date if `by`."""

    path: str
    loc: Loc
    by: str | None = None
    label: Text = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The group's column name in results: the path, with `_by_<bucket>` if bucketed."""
        base = self.path.replace(".", "_")
        return f"{base}_{self.by}" if self.by else base


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A named measure: `count()`, `sum(amount)`, `count(state == "won") / count()` …"""

    name: str
    text: str
    loc: Loc
    label: Text = field(default_factory=dict)
    # Digits after the decimal point shown for numbers that are not whole (sums of
    # money, averages, ratios); None: 2, or what the field declares.
    scale: int | None = None


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """A parameter: records whose `field` compares with the given value by `op`. Without
    a value, `default` (a literal or one of DYNAMIC) applies; without either, no filter."""

    name: str
    path: str
    loc: Loc
    op: str = "=="
    default: str | None = None
    label: Text = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SortSpec:
    """Sort by a group or a measure (its name)."""

    name: str
    descending: bool
    loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class ReportSpec:
    name: str
    entity: str
    loc: Loc
    label: Text = field(default_factory=dict)
    when: str | None = None
    when_loc: Loc | None = None
    groups: tuple[GroupSpec, ...] = ()
    measures: tuple[MeasureSpec, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    sort: tuple[SortSpec, ...] = ()
    limit: int | None = None
    pivot: str | None = None
    chart: str = "bar"
    # The measure a chart draws (default: the first).
    chart_measure: str | None = None
    # Count the entity's SLA clocks of this policy (one row per record that has one).
    sla: str | None = None

    def group(self, name: str) -> GroupSpec | None:
        return next((g for g in self.groups if g.name == name), None)

    def measure(self, name: str) -> MeasureSpec | None:
        return next((m for m in self.measures if m.name == name), None)

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True, slots=True)
class TileSpec:
    """One tile of a dashboard: a `report` (with its chart, or `chart` instead), a
    `list` of an entity's records matching `where`, newest first, at most `limit`, or a
    `target`'s attainment in the current period."""

    kind: str  # "report" | "list" | "target"
    loc: Loc
    report: str | None = None
    target: str | None = None
    chart: str | None = None
    entity: str | None = None
    where: str | None = None
    where_loc: Loc | None = None
    sort: str = "-id"
    limit: int = 10
    label: Text = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DashboardSpec:
    name: str
    loc: Loc
    roles: tuple[str, ...] = ()
    label: Text = field(default_factory=dict)
    tiles: tuple[TileSpec, ...] = ()
    # Where each role was written (as `roles`).
    role_locs: tuple[Loc, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetValue:
    who: str  # "user:rita" or "team:east"
    period: str
    amount: Decimal
    loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class TargetSpec:
    name: str
    entity: str
    loc: Loc
    date: str = ""
    value: str = ""
    when: str | None = None
    owner: str = "owner"
    period: str = "month"
    managers: tuple[str, ...] = ()
    values: tuple[TargetValue, ...] = ()
    label: Text = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Insight:
    """Every report, dashboard, segment and tier of a project."""

    reports: tuple[ReportSpec, ...] = ()
    dashboards: tuple[DashboardSpec, ...] = ()
    # Segments and tiers (`guanxi.insight.classes`).
    classes: Classes = field(default_factory=Classes)
    targets: tuple[TargetSpec, ...] = ()

    def target(self, name: str) -> TargetSpec | None:
        return next((t for t in self.targets if t.name == name), None)

    def report(self, name: str) -> ReportSpec | None:
        return next((r for r in self.reports if r.name == name), None)

    def dashboard(self, name: str) -> DashboardSpec | None:
        return next((d for d in self.dashboards if d.name == name), None)

    def dashboard_for(self, roles: frozenset[str]) -> DashboardSpec | None:
        """The first dashboard (in the order written) naming one of `roles`."""
        return next((d for d in self.dashboards if set(d.roles) & roles), None)
