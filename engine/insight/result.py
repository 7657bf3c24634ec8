"""A report's answer: its rows (group keys as values and as shown, measure values),
sorted and limited as declared, with the pivoted view and the text formats (JSON, CSV,
a plain table) built from it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guanxi.fields.values import api_json
from guanxi.insight.definitions import ReportSpec
from guanxi.insight.query import GroupColumn, MeasureColumn
from guanxi.spec import ProjectSpec, text_in

_NONE = {"en": "(none)", "zh": "（空）"}
_YES = {"en": ("yes", "no"), "zh": ("是", "否")}


@dataclass(frozen=True, slots=True)
class ResultRow:
    keys: tuple[Any, ...]
    shown: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Pivot:
    """One group spread as columns: row headings (the other groups, as shown), column
    headings (the pivot group's values, as shown), and one measure in the cells."""

    measure: str
    headings: tuple[str, ...]
    columns: tuple[str, ...]
    column_keys: tuple[Any, ...]
    rows: tuple[tuple[tuple[str, ...], tuple[Any, ...], tuple[Any, ...]], ...]


@dataclass(frozen=True, slots=True)
class ReportResult:
    report: ReportSpec
    groups: tuple[GroupColumn, ...]
    measures: tuple[MeasureColumn, ...]
    rows: tuple[ResultRow, ...]
    params: Mapping[str, Any]
    language: str

    def group_labels(self) -> list[str]:
        return [text_in(g.spec.label, self.language, g.spec.name) for g in self.groups]

    def measure_labels(self) -> list[str]:
        return [text_in(m.spec.label, self.language, m.spec.name) for m in self.measures]

    @property
    def label(self) -> str:
        return text_in(self.report.label, self.language, self.report.name)

    @property
    def chart_measure(self) -> int:
        """The index of the measure charts draw."""
        wanted = self.report.chart_measure
        names = [m.spec.name for m in self.measures]
        return names.index(wanted) if wanted in names else 0

    def as_json(self) -> dict[str, Any]:
        groups = [g.spec.name for g in self.groups]
        measures = [m.spec.name for m in self.measures]
        return {
            "report": self.report.name,
            "label": self.label,
            "entity": self.report.entity,
            "groups": [{"name": n, "label": label, "path": g.spec.path, "by": g.spec.by}
                       for n, label, g in zip(groups, self.group_labels(), self.groups)],
            "measures": [{"name": n, "label": label}
                         for n, label in zip(measures, self.measure_labels())],
            "params": {k: api_json(v) for k, v in self.params.items()},
            "rows": [
                {**{n: api_json(k) for n, k in zip(groups, row.keys)},
                 **{n: api_json(v) for n, v in zip(measures, row.values)},
                 "labels": dict(zip(groups, row.shown))}
                for row in self.rows],
        }

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headings and cells as text (groups as shown, numbers as written)."""
        headings = self.group_labels() + self.measure_labels()
        body = [list(row.shown) + [number_text(v) for v in row.values] for row in self.rows]
        return headings, body

    def csv(self) -> str:
        headings, body = self.table()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headings)
        for row in body:
            writer.writerow([_csv_safe(cell) for cell in row])
        return out.getvalue()

    def text_table(self) -> str:
        headings, body = self.table()
        widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(headings)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(headings, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.rjust(w) if i >= len(self.groups) else c.ljust(w)
                            for i, (c, w) in enumerate(zip(row, widths))).rstrip()
                  for row in body]
        return "\n".join(lines) + "\n"

    def pivot(self) -> Pivot | None:
        """The pivoted view when the report declares `pivot:` (None otherwise)."""
        name = self.report.pivot
        names = [g.spec.name for g in self.groups]
        if name not in names:
            return None
        at = names.index(name)
        measure = self.chart_measure
        columns: dict[Any, str] = {}
        table: dict[tuple[Any, ...], tuple[tuple[str, ...], dict[Any, Any]]] = {}
        for row in self.rows:
            columns.setdefault(row.keys[at], row.shown[at])
            key = row.keys[:at] + row.keys[at + 1:]
            shown = row.shown[:at] + row.shown[at + 1:]
            table.setdefault(key, (shown, {}))[1][row.keys[at]] = row.values[measure]
        keys = tuple(columns)
        return Pivot(self.measures[measure].spec.name,
                     tuple(label for i, label in enumerate(self.group_labels()) if i != at),
                     tuple(columns.values()), keys,
                     tuple((shown, k, tuple(cells.get(c) for c in keys))
                           for k, (shown, cells) in table.items()))


def _csv_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _numeric(cell) \
        else cell


def _numeric(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def bucket_text(value: Any, by: str | None) -> str:
    """A date bucket as people read it: 2026-03, 2026 Q1, 2026, 2026-W09, 2026-03-02."""
    if not isinstance(value, dt.date):
        return str(value)
    if by == "month":
        return f"{value.year}-{value.month:02d}"
    if by == "quarter":
        return f"{value.year} Q{(value.month - 1) // 3 + 1}"
    if by == "year":
        return str(value.year)
    if by == "week":
        year, week, _ = value.isocalendar()
        return f"{year}-W{week:02d}"
    return value.isoformat()


def shown_key(spec: ProjectSpec, group: GroupColumn, key: Any, title: str | None,
              language: str) -> str:
    """How one group value is shown: titles of references, labels of states and
    options, buckets as periods, (none) for no value."""
    if key is None:
        return _NONE.get(language, _NONE["en"])
    if group.spec.by:
        return bucket_text(key, group.spec.by)
    if group.titled:
        return title if title not in (None, "") else f"#{key}"
    entity = spec.entity(group.owner)
    if group.field_type == "state" and entity is not None and entity.workflow:
        workflow = spec.workflow(entity.workflow)
        state = workflow.state(str(key)) if workflow else None
        return text_in(state.label, language, str(key)) if state else str(key)
    if group.field_type == "choice" and entity is not None:
        field = entity.field(group.field)
        for option in field.options if field else ():
            if option.value == key:
                return text_in(option.label, language, str(key))
    if isinstance(key, bool):
        yes, no = _YES.get(language, _YES["en"])
        return yes if key else no
    if group.field_type in ("reference", "user"):
        return f"#{key}"
    return number_text(key)


def sorted_rows(report: ReportSpec, groups: Sequence[GroupColumn],
                measures: Sequence[MeasureColumn], rows: list[ResultRow]) -> list[ResultRow]:
    """Rows in the declared order (empty values last), then cut to the limit."""
    names = [g.spec.name for g in groups]
    measure_names = [m.spec.name for m in measures]
    for sort in reversed(report.sort):
        if sort.name in names:
            at = names.index(sort.name)

            def key(row: ResultRow, at: int = at) -> Any:
                return row.keys[at]
        elif sort.name in measure_names:
            at = measure_names.index(sort.name)

            def key(row: ResultRow, at: int = at) -> Any:
                return row.values[at]
        else:
            continue
        present = [r for r in rows if key(r) is not None]
        missing = [r for r in rows if key(r) is None]
        rows = sorted(present, key=key, reverse=sort.descending) + missing
    if report.limit is not None:
        rows = rows[:report.limit]
    return rows
