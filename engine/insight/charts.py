"""Charts drawn on the server as SVG: bar, stacked bar, line, pie, donut, funnel and a KPI
number. Nothing is fetched and nothing runs in the browser, so a chart shows with the
network off and under the strictest Content-Security-Policy: colours are presentation
attributes (never `style`), every text is escaped, and each mark has a `<title>` (its
label and value) for a pointer or a screen reader. Pages put the report's data table
beside every chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from guanxi.insight.result import ReportResult, number_text
from markupsafe import Markup

WIDTH, HEIGHT = 640, 320
PALETTE = ("#2f6db3", "#e07b39", "#3a9e5c", "#c94c4c", "#8460b5", "#8c6d46", "#d6609f",
           "#6b7280", "#b5a635", "#2aa3b8")
MAX_MARKS = 40
_EMPTY = {"en": "No data", "zh": "暂无数据"}


def _number(value: Any) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _svg(body: str, label: str, kind: str, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{body}</svg>")


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 12,
          fill: str = "#333", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}" font-family="sans-serif"{extra}>{escape(text)}</text>')


def _short(text: str, size: int = 14) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _series(result: ReportResult) -> tuple[list[str], list[str], list[list[Any]]]:
    """Categories (the first group), series (the pivot or second group, else the
    measure) and values[series][category], for stacked and multi-line charts."""
    measure = result.chart_measure
    pivot = result.pivot()
    categories: list[str] = []
    if pivot is not None:
        categories = [" / ".join(shown) or result.label for shown, _, _ in pivot.rows]
        values = [[cells[i] for _, _, cells in pivot.rows] for i in range(len(pivot.columns))]
        return categories, list(pivot.columns), values
    if len(result.groups) >= 2:
        series: list[str] = []
        cells: dict[tuple[str, str], Any] = {}
        for row in result.rows:
            category, name = row.shown[0], " / ".join(row.shown[1:])
            if category not in categories:
                categories.append(category)
            if name not in series:
                series.append(name)
            value, before = row.values[measure], cells.get((name, category))
            cells[(name, category)] = value if before is None else (
                before + value if value is not None else before)
        return categories, series, [[cells.get((s, c)) for c in categories] for s in series]
    categories = [" / ".join(row.shown) or result.label for row in result.rows]
    return categories, [result.measure_labels()[measure]], [
        [row.values[measure] for row in result.rows]]


def _scale(top: float) -> tuple[float, list[float]]:
    """A round upper bound for the axis and its tick values."""
    if top <= 0:
        return 1.0, [0.0, 1.0]
    step = 10 ** math.floor(math.log10(top))
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 5:
            step *= factor
            break
    ticks = [step * i for i in range(math.ceil(top / step) + 1)]
    return ticks[-1], ticks


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"


def _axes(top: float, left: int, bottom: int, right: int, upper: int) -> tuple[str, float]:
    peak, ticks = _scale(top)
    parts = []
    for tick in ticks:
        y = bottom - (bottom - upper) * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="#ddd" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, _tick(tick), "end", 11, "#666"))
    return "".join(parts), peak


def _legend(series: Sequence[str], y: float) -> str:
    parts, x = [], 60.0
    for i, name in enumerate(series[:MAX_MARKS]):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="10" height="10" '
                     f'fill="{colour}"/>')
        parts.append(_text(x + 14, y, _short(name, 16), "start", 11))
        x += 30 + 7 * min(len(name), 16)
    return "".join(parts)


def bar(result: ReportResult, stacked: bool = False) -> Markup:
    categories, series, values = _series(result)
    if not stacked:
        series, values = series[:1], values[:1]
    categories = categories[:MAX_MARKS]
    left, right, upper, bottom = 60, WIDTH - 10, 20, HEIGHT - 60
    totals = [sum(_number(v[i]) for v in values) for i in range(len(categories))]
    axes, peak = _axes(max(totals, default=0), left, bottom, right, upper)
    band = (right - left) / max(len(categories), 1)
    width = band * 0.7
    parts = [axes]
    for i, category in enumerate(categories):
        x = left + band * i + (band - width) / 2
        base = float(bottom)
        for s, name in enumerate(series):
            value = values[s][i]
            height = (bottom - upper) * max(_number(value), 0) / peak
            base -= height
            tip = f"{category} · {name}: {number_text(value)}" if stacked else \
                f"{category}: {number_text(value)}"
            parts.append(f'<rect class="mark" x="{x:.1f}" y="{base:.1f}" width="{width:.1f}" '
                         f'height="{height:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                         f"<title>{escape(tip)}</title></rect>")
        parts.append(_text(x + width / 2, bottom + 16, _short(category), size=11))
    if stacked:
        parts.append(_legend(series, HEIGHT - 14))
    return _svg("".join(parts), result.label, "stacked_bar" if stacked else "bar")


def line(result: ReportResult) -> Markup:
    categories, series, values = _series(result)
    categories = categories[:MAX_MARKS]
    left, right, upper, bottom = 60, WIDTH - 20, 20, HEIGHT - 60
    top = max((_number(v) for row in values for v in row[:len(categories)]), default=0)
    axes, peak = _axes(top, left, bottom, right, upper)
    step = (right - left) / max(len(categories) - 1, 1)
    parts = [axes]
    for s, name in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [(left + step * i, bottom - (bottom - upper) * max(_number(v), 0) / peak)
                  for i, v in enumerate(values[s][:len(categories)])]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        for (x, y), category, value in zip(points, categories, values[s]):
            parts.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                         f'fill="{colour}"><title>{escape(f"{category} · {name}: ")}'
                         f"{escape(number_text(value))}</title></circle>")
    for i, category in enumerate(categories):
        parts.append(_text(left + step * i, bottom + 16, _short(category, 10), size=11))
    if len(series) > 1:
        parts.append(_legend(series, HEIGHT - 14))
    return _svg("".join(parts), result.label, "line")


def pie(result: ReportResult, donut: bool = False) -> Markup:
    categories, _, values = _series(result)
    data = [(c, v) for c, v in zip(categories, values[0])][:MAX_MARKS]
    whole = sum(max(_number(v), 0.0) for _, v in data)
    cx, cy, radius = 160.0, HEIGHT / 2, 130.0
    inner = radius * 0.55 if donut else 0.0
    parts: list[str] = []
    angle = -math.pi / 2
    for i, (category, raw) in enumerate(data):
        value = _number(raw)
        if value <= 0 or whole <= 0:
            continue
        sweep = 2 * math.pi * value / whole
        colour = PALETTE[i % len(PALETTE)]
        tip = escape(f"{category}: {number_text(raw)} ({100 * value / whole:.1f}%)")
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle class="mark" cx="{cx}" cy="{cy}" r="{radius}" '
                         f'fill="{colour}"><title>{tip}</title></circle>')
        else:
            parts.append(f'<path class="mark" d="{_wedge(cx, cy, radius, angle, sweep)}" '
                         f'fill="{colour}"><title>{tip}</title></path>')
        angle += sweep
    if inner:
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{inner:.1f}" fill="#fff"/>')
        parts.append(_text(cx, cy + 6, number_text(_plain(whole)), size=18))
    for i, (category, _) in enumerate(data[:12]):
        y = 30 + i * 22
        parts.append(f'<rect x="330" y="{y - 11}" width="12" height="12" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(_text(348, y, _short(category, 30), "start", 12))
    return _svg("".join(parts), result.label, "donut" if donut else "pie")


def _plain(value: float) -> Any:
    return int(value) if value == int(value) else round(value, 2)


def _wedge(cx: float, cy: float, r: float, start: float, sweep: float) -> str:
    x1, y1 = cx + r * math.cos(start), cy + r * math.sin(start)
    x2, y2 = cx + r * math.cos(start + sweep), cy + r * math.sin(start + sweep)
    large = 1 if sweep > math.pi else 0
    return (f"M{cx:.1f},{cy:.1f} L{x1:.1f},{y1:.1f} "
            f"A{r:.1f},{r:.1f} 0 {large} 1 {x2:.1f},{y2:.1f} Z")


def funnel(result: ReportResult) -> Markup:
    categories, _, values = _series(result)
    data = list(zip(categories, values[0]))[:12]
    top = max((_number(v) for _, v in data), default=0) or 1
    band = (HEIGHT - 20) / max(len(data), 1)
    parts = []
    for i, (category, value) in enumerate(data):
        width = max(4.0, (WIDTH - 260) * max(_number(value), 0) / top)
        x = 160 + (WIDTH - 260 - width) / 2
        y = 10 + band * i
        parts.append(f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                     f'height="{band * 0.8:.1f}" fill="{PALETTE[i % len(PALETTE)]}">'
                     f"<title>{escape(f'{category}: {number_text(value)}')}</title></rect>")
        parts.append(_text(150, y + band * 0.5, _short(category, 20), "end", 12))
        parts.append(_text(WIDTH - 90, y + band * 0.5, number_text(value), "start", 12))
    return _svg("".join(parts), result.label, "funnel")


def kpi(result: ReportResult) -> Markup:
    """The chart measure of the first row (a report without groups has one row), big."""
    measure = result.chart_measure
    value = result.rows[0].values[measure] if result.rows else None
    label = result.measure_labels()[measure] if result.measures else result.label
    body = (_text(WIDTH / 2, 150, number_text(value) or "–", size=72, fill="#2f6db3",
                  extra=' class="kpi-value" font-weight="bold"')
            + _text(WIDTH / 2, 200, label, size=20, fill="#555"))
    return _svg(body, result.label, "kpi", 240)


def chart(result: ReportResult, kind: str | None = None) -> Markup:
    """The report drawn as `kind` (default: the report's own chart); a note when it has
    no rows."""
    kind = kind or result.report.chart
    if kind == "kpi":
        return kpi(result)
    if not result.rows:
        return _svg(_text(WIDTH / 2, 120, _EMPTY.get(result.language, _EMPTY["en"]), size=16,
                          fill="#888"), result.label, "empty", 240)
    if kind == "stacked_bar":
        return bar(result, stacked=True)
    if kind == "line":
        return line(result)
    if kind in ("pie", "donut"):
        return pie(result, donut=kind == "donut")
    if kind == "funnel":
        return funnel(result)
    if kind == "table":
        return Markup("")
    return bar(result)
