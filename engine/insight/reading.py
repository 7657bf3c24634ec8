"""Reading a project's insight/*.yaml into `Insight` (reports and dashboards).

Each file holds sections: `reports:` and `dashboards:`, each a mapping of names to
definitions. Reading never fails: what has the wrong shape is skipped, because the
checker (`guanxi.checks.insight`) reports it, located, from the same documents.
`insight_of(spec)` reads a project's insight once, for as long as the spec lives.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from guanxi.insight.classes import Classes, SegmentSpec, TierSpec, read_segment, read_tier
from guanxi.insight.definitions import (
    DashboardSpec,
    GroupSpec,
    Insight,
    MeasureSpec,
    ParamSpec,
    ReportSpec,
    SortSpec,
    TargetSpec,
    TargetValue,
    TileSpec,
)
from guanxi.language.build import expression_text
from guanxi.language.labels import derived_label
from guanxi.language.tree import LocDict, LocList
from guanxi.language.yamlload import YamlDocument, load_file
from guanxi.spec import Loc, ProjectSpec, Text

FOLDER = "insight"
# At most this many insight files are read (the rest are reported by the checker).
MAX_FILES = 100
SECTIONS = ("reports", "dashboards", "segments", "tiers", "targets")


@dataclass(frozen=True, slots=True)
class InsightFiles:
    """The insight documents of a project, in file-name order."""

    documents: tuple[YamlDocument, ...]
    skipped: tuple[str, ...] = ()


def read_files(root: str) -> InsightFiles:
    """The project's insight/*.yaml, parsed (bounded and located as project files are)."""
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return InsightFiles(())
    paths = sorted(folder.glob("*.yaml"))
    documents = tuple(load_file(p, os.path.join(root, FOLDER, p.name), root)
                      for p in paths[:MAX_FILES])
    return InsightFiles(documents, tuple(str(p) for p in paths[MAX_FILES:]))


def sections(files: InsightFiles, name: str) -> list[tuple[str, LocDict, LocDict]]:
    """(definition name, definition, the section holding it) for every definition in
    section `name` of every file, in order (a later file's name does not replace an
    earlier one's: the checker reports the repetition)."""
    found: list[tuple[str, LocDict, LocDict]] = []
    for document in files.documents:
        data = document.data
        section = data.get(name) if isinstance(data, LocDict) else None
        if not isinstance(section, LocDict):
            continue
        for key, value in section.items():
            if isinstance(key, str) and isinstance(value, LocDict):
                found.append((key, value, section))
    return found


class _Builder:
    def __init__(self, language: str) -> None:
        self.language = language

    def text(self, value: Any, name: str | None = None) -> Text:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {self.language: str(value)}
        if isinstance(value, dict):
            given = {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float)
                     and not isinstance(v, bool)}
            if given:
                return given
        return {self.language: derived_label(name)} if name else {}

    def group(self, item: Any, data: LocList, index: int) -> GroupSpec | None:
        loc = data.item_loc(index)
        if isinstance(item, str):
            return GroupSpec(item, loc, label=self.text(None, item.rsplit(".", 1)[-1]))
        if isinstance(item, LocDict) and isinstance(item.get("field"), str):
            by = item.get("by")
            path = item["field"]
            return GroupSpec(path, item.value_loc("field"), by if isinstance(by, str) else None,
                             self.text(item.get("label"), path.rsplit(".", 1)[-1]))
        return None

    def groups(self, data: LocDict) -> tuple[GroupSpec, ...]:
        value = data.get("group")
        if isinstance(value, str):
            one = LocList(data.value_loc("group"))
            one.add(value, one.loc)
            value = one
        if not isinstance(value, LocList):
            return ()
        return tuple(g for i, item in enumerate(value)
                     if (g := self.group(item, value, i)) is not None)

    def measures(self, value: Any) -> tuple[MeasureSpec, ...]:
        if not isinstance(value, LocDict):
            return ()
        out: list[MeasureSpec] = []
        for name, item in value.items():
            if not isinstance(name, str):
                continue
            text = expression_text(item)
            if text is not None:
                out.append(MeasureSpec(name, text, value.value_loc(name), self.text(None, name)))
            elif isinstance(item, LocDict) and expression_text(item.get("value")) is not None:
                scale = item.get("scale")
                out.append(MeasureSpec(
                    name, str(expression_text(item.get("value"))), item.value_loc("value"),
                    self.text(item.get("label"), name),
                    scale if isinstance(scale, int) and not isinstance(scale, bool) else None))
        return tuple(out)

    def params(self, value: Any) -> tuple[ParamSpec, ...]:
        if not isinstance(value, LocDict):
            return ()
        out: list[ParamSpec] = []
        for name, item in value.items():
            if not isinstance(name, str) or not isinstance(item, LocDict):
                continue
            path = item.get("field")
            if not isinstance(path, str):
                continue
            op = item.get("op", "==")
            default = expression_text(item.get("default"))
            out.append(ParamSpec(name, path, item.value_loc("field"),
                                 op if isinstance(op, str) else "==", default,
                                 self.text(item.get("label"), name)))
        return tuple(out)

    @staticmethod
    def sort(value: Any) -> tuple[SortSpec, ...]:
        items: list[tuple[str, Any]] = []
        if isinstance(value, str):
            items = [(value, None)]
        elif isinstance(value, LocList):
            items = [(v, value.item_loc(i)) for i, v in enumerate(value) if isinstance(v, str)]
        out = []
        for text, loc in items:
            name = text.strip()
            spec = SortSpec(name.lstrip("-+"), name.startswith("-"))
            out.append(spec if loc is None else SortSpec(spec.name, spec.descending, loc))
        return tuple(out)

    def report(self, name: str, data: LocDict) -> ReportSpec:
        entity = data.get("entity")
        limit = data.get("limit")
        chart = data.get("chart", "bar")
        chart_measure = None
        if isinstance(chart, LocDict):
            chart_measure = chart.get("measure") if isinstance(chart.get("measure"), str) \
                else None
            chart = chart.get("type", "bar")
        pivot = data.get("pivot")
        return ReportSpec(
            name=name, entity=entity if isinstance(entity, str) else "", loc=data.loc,
            label=self.text(data.get("label"), name), when=expression_text(data.get("when")),
            when_loc=data.value_loc("when") if "when" in data else None,
            groups=self.groups(data), measures=self.measures(data.get("measures")),
            params=self.params(data.get("params")), sort=self.sort(data.get("sort")),
            limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
            pivot=pivot if isinstance(pivot, str) else None,
            chart=chart if isinstance(chart, str) else "bar", chart_measure=chart_measure,
            sla=data["sla"] if isinstance(data.get("sla"), str) else None)

    def tile(self, item: Any) -> TileSpec | None:
        if not isinstance(item, LocDict):
            return None
        label = item.get("label")
        chart = item.get("chart")
        chart = chart if isinstance(chart, str) else None
        if isinstance(item.get("report"), str):
            return TileSpec("report", item.value_loc("report"), report=item["report"],
                            chart=chart, label=self.text(label) if label else {})
        if isinstance(item.get("kpi"), str):
            return TileSpec("report", item.value_loc("kpi"), report=item["kpi"], chart="kpi",
                            label=self.text(label) if label else {})
        if isinstance(item.get("target"), str):
            return TileSpec("target", item.value_loc("target"), target=item["target"],
                            label=self.text(label) if label else {})
        if isinstance(item.get("list"), str):
            limit = item.get("limit", 10)
            sort = item.get("sort", "-id")
            return TileSpec(
                "list", item.value_loc("list"), entity=item["list"],
                where=expression_text(item.get("where")),
                where_loc=item.value_loc("where") if "where" in item else None,
                sort=sort if isinstance(sort, str) else "-id",
                limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else 10,
                label=self.text(label) if label else {})
        return None

    def dashboard(self, name: str, data: LocDict) -> DashboardSpec:
        roles = data.get("roles")
        found: list[tuple[str, Loc]] = []
        if isinstance(roles, str):
            found = [(roles, data.value_loc("roles"))]
        elif isinstance(roles, LocList):
            found = [(r, roles.item_loc(i)) for i, r in enumerate(roles) if isinstance(r, str)]
        tiles = data.get("tiles")
        built: list[TileSpec] = []
        if isinstance(tiles, LocList):
            for item in tiles:
                tile = self.tile(item)
                if tile is not None:
                    built.append(tile)
        return DashboardSpec(name, data.loc, tuple(r for r, _ in found),
                             self.text(data.get("label"), name), tuple(built),
                             tuple(loc for _, loc in found))


def build_insight(files: InsightFiles, language: str = "en") -> Insight:
    """The reports and dashboards the files declare (the first of a repeated name)."""
    builder = _Builder(language)
    reports: dict[str, ReportSpec] = {}
    for name, data, _ in sections(files, "reports"):
        reports.setdefault(name, builder.report(name, data))
    dashboards: dict[str, DashboardSpec] = {}
    for name, data, _ in sections(files, "dashboards"):
        dashboards.setdefault(name, builder.dashboard(name, data))
    segments: dict[str, SegmentSpec] = {}
    for name, data, _ in sections(files, "segments"):
        segments.setdefault(name, read_segment(name, data, language))
    tiers: dict[str, TierSpec] = {}
    for name, data, _ in sections(files, "tiers"):
        tiers.setdefault(name, read_tier(name, data, language))
    targets: dict[str, TargetSpec] = {}
    for name, data, _ in sections(files, "targets"):
        targets.setdefault(name, read_target(name, data, language))
    return Insight(tuple(reports.values()), tuple(dashboards.values()),
                   Classes(tuple(segments.values()), tuple(tiers.values())),
                   tuple(targets.values()))


def read_target(name: str, data: LocDict, language: str) -> TargetSpec:
    def text(key: str, default: str = "") -> str:
        value = data.get(key)
        return value if isinstance(value, str) else default

    label = data.get("label")
    shown: Text = ({language: label} if isinstance(label, str) else
                   {str(k): str(v) for k, v in label.items()} if isinstance(label, dict)
                   else {language: name.replace("_", " ").capitalize()})
    managers = data.get("managers")
    values: list[TargetValue] = []
    given = data.get("values")
    if isinstance(given, LocList):
        for index, item in enumerate(given):
            if not isinstance(item, LocDict):
                continue
            who = (f"user:{item['user']}" if isinstance(item.get("user"), str) else
                   f"team:{item['team']}" if isinstance(item.get("team"), str) else "")
            amount = item.get("amount")
            period = item.get("period")
            if who and isinstance(amount, int | float) and not isinstance(amount, bool):
                values.append(TargetValue(who, str(period), Decimal(str(amount)),
                                          given.item_loc(index)))
    return TargetSpec(
        name=name, entity=text("entity"), loc=data.loc, date=text("date"),
        value=text("sum"), when=expression_text(data.get("when")),
        owner=text("owner", "owner"), period=text("period", "month"),
        managers=tuple(m for m in managers if isinstance(m, str))
        if isinstance(managers, LocList) else (), values=tuple(values), label=shown)


# The insight of each living project spec, by identity; an entry goes with its spec.
_LOADED: dict[int, Insight] = {}


def insight_of(spec: ProjectSpec) -> Insight:
    """The project's reports and dashboards, read once per spec."""
    found = _LOADED.get(id(spec))
    if found is None:
        language = spec.languages[0] if spec.languages else "en"
        found = _LOADED[id(spec)] = build_insight(read_files(spec.root), language)
        weakref.finalize(spec, _LOADED.pop, id(spec), None)
    return found
