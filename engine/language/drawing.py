"""A workflow drawn as SVG on the server, for the record page.

States are boxes laid out in columns by their distance from the initial state; each
transition is an arrow labelled with its button text. The record's current state is
marked, and the transitions the viewer may fire now are links (to the transition's own
page, which asks for its fields and posts with a CSRF token). Transitions from any open
state (`from: "*"`) are listed under the diagram instead of drawn from every state.

Nothing runs in the browser: colours are presentation attributes or CSS classes (never
`style`), every text is escaped, so the drawing shows under the strictest
Content-Security-Policy, in any language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from guanxi.language.diagram import state_label, transition_label
from guanxi.spec import TransitionSpec, WorkflowSpec
from markupsafe import Markup

__all__ = ["text_width", "workflow_svg"]

FONT = 12
BOX_HEIGHT = 34
ROW_GAP = 26
MARGIN = 14
MIN_BOX = 84
MIN_COLUMN_GAP = 64
MAX_COLUMN_GAP = 170
LANE = 17
LEGEND_LINE = 22
BOLD = ' font-weight="600"'
BOLDER = ' font-weight="700"'
CURRENT = ' aria-current="step"'

_ANY = {"en": "any open state", "zh": "任一未结束状态"}
_NOW = {"en": "current state", "zh": "当前状态"}


def text_width(text: str, size: int = FONT) -> float:
    """An estimate of `text`'s width in pixels at `size`: wide (CJK) characters count as
    one em, others a little over half of one."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return wide * size + (len(text) - wide) * size * 0.6


@dataclass(frozen=True)
class _Box:
    name: str
    label: str
    x: float
    y: float
    width: float
    final: bool

    @property
    def middle_y(self) -> float:
        return self.y + BOX_HEIGHT / 2


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    transition: TransitionSpec


def _columns(workflow: WorkflowSpec, edges: list[_Edge]) -> dict[str, int]:
    """Each state's column: its shortest distance from the initial state; states that
    cannot be reached go in one column after the others."""
    after: dict[str, list[str]] = {}
    for edge in edges:
        after.setdefault(edge.source, []).append(edge.target)
    names = [s.name for s in workflow.states]
    column: dict[str, int] = {}
    start = workflow.initial if workflow.initial in names else (names[0] if names else "")
    if start:
        column[start] = 0
        frontier = [start]
        while frontier:
            following: list[str] = []
            for name in frontier:
                for target in after.get(name, []):
                    if target not in column:
                        column[target] = column[name] + 1
                        following.append(target)
            frontier = following
    last = max(column.values(), default=-1) + 1
    for name in names:
        column.setdefault(name, last)
    return column


def _forward_path(source: _Box, target: _Box) -> tuple[str, float, float]:
    """An arrow to a later column: straight, or an S-curve between rows, labelled above
    its middle."""
    x1, y1 = source.x + source.width, source.middle_y
    x2, y2 = target.x, target.middle_y
    if abs(y1 - y2) < 1:
        return f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}", (x1 + x2) / 2, y1 - 6
    middle_x = (x1 + x2) / 2
    path = (f"M{x1:.1f},{y1:.1f} C{middle_x:.1f},{y1:.1f} {middle_x:.1f},{y2:.1f} "
            f"{x2:.1f},{y2:.1f}")
    return path, middle_x, (y1 + y2) / 2 - 4


def _lane_path(source: _Box, target: _Box, out_shift: float, back_shift: float,
               lane_y: float) -> tuple[str, float, float]:
    """An arrow back to an earlier column (or within one): out of the source's right side,
    down the gap beside its column, along its own lane under every box, up the gap before
    the target's column and into its left side; labelled on the lane. It never crosses a
    box."""
    x1, y1 = source.x + source.width, source.middle_y + 5
    x2, y2 = target.x, target.middle_y + 5
    out, back = x1 + out_shift, x2 - back_shift
    path = f"M{x1:.1f},{y1:.1f} H{out:.1f} V{lane_y:.1f} H{back:.1f} V{y2:.1f} H{x2:.1f}"
    return path, (out + back) / 2, lane_y - 3


def workflow_svg(workflow: WorkflowSpec, language: str = "en", current: str | None = None,
                 links: Mapping[str, str] | None = None, title: str = "") -> Markup:
    """The workflow as an SVG picture. `links` maps the names of the transitions the viewer
    may fire now to the address of each one's page; those arrows are links."""
    links = links or {}
    names = [s.name for s in workflow.states]
    drawn: list[_Edge] = []
    anywhere: list[TransitionSpec] = []
    for transition in workflow.transitions:
        if "*" in transition.sources:
            anywhere.append(transition)
        for source in transition.sources:
            if source != "*" and source in names and transition.target in names:
                drawn.append(_Edge(source, transition.target, transition))
    column = _columns(workflow, drawn)
    labels = {s.name: state_label(s, language) for s in workflow.states}
    box_width = max([MIN_BOX, *(text_width(labels[n]) + 24 for n in names)])
    forward = [text_width(transition_label(e.transition, language)) + 16
               for e in drawn if column[e.target] > column[e.source]]
    gap = min(MAX_COLUMN_GAP, max([MIN_COLUMN_GAP, *forward]))

    boxes: dict[str, _Box] = {}
    rows: dict[int, int] = {}
    for state in workflow.states:
        col = column[state.name]
        row = rows.get(col, 0)
        rows[col] = row + 1
        boxes[state.name] = _Box(state.name, labels[state.name],
                                 MARGIN + col * (box_width + gap),
                                 MARGIN + row * (BOX_HEIGHT + ROW_GAP), box_width, state.final)
    columns = max(column.values(), default=0) + 1
    width = MARGIN * 2 + columns * box_width + (columns - 1) * gap
    lowest = max([b.y + BOX_HEIGHT for b in boxes.values()], default=MARGIN)
    backwards = [e for e in drawn if column[e.target] <= column[e.source]]
    body_bottom = lowest + (LANE * (len(backwards) + 1) if backwards else 0)
    if backwards:  # room for the arrows that leave the last column on its right
        width += gap / 2

    parts: list[str] = [
        '<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#52606d"/></marker><marker id="wf-arrow-live" viewBox="0 0 10 10" refX="9" '
        'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#0b5cad"/></marker></defs>']
    lane = 0
    used: dict[tuple[int, bool], int] = {}

    def shift(col: int, right: bool) -> float:
        """How far from its column the next lane arrow runs down (right of the column) or
        up (left of it), so that arrows sharing a gap do not overlap."""
        taken = used.get((col, right), 0)
        used[(col, right)] = taken + 1
        return min(8 + taken * 5, gap / 2 - 2)

    for edge in drawn:
        start, end = boxes[edge.source], boxes[edge.target]
        if column[edge.target] > column[edge.source]:
            path, label_x, label_y = _forward_path(start, end)
        else:
            lane += 1
            path, label_x, label_y = _lane_path(start, end, shift(column[edge.source], True),
                                                shift(column[edge.target], False),
                                                lowest + LANE * lane)
        label = transition_label(edge.transition, language)
        href = links.get(edge.transition.name) if edge.source == current else None
        live = href is not None
        arrow = (f'<path class="wf-edge{" live" if live else ""}" d="{path}" fill="none" '
                 f'stroke="{"#0b5cad" if live else "#9aa5b1"}" '
                 f'stroke-width="{2 if live else 1.3}" '
                 f'marker-end="url(#{"wf-arrow-live" if live else "wf-arrow"})"/>')
        half = text_width(label, FONT - 1) / 2 + 4
        text = (f'<rect x="{label_x - half:.1f}" y="{label_y - FONT:.1f}" width="{2 * half:.1f}" '
                f'height="{FONT + 5}" rx="3" fill="#ffffff" fill-opacity="0.9"/>'
                f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="middle" '
                f'font-size="{FONT - 1}" fill="{"#0b5cad" if live else "#52606d"}"'
                f'{BOLD if live else ""}>{escape(label)}</text>')
        piece = f'<g class="wf-transition" data-transition="{escape(edge.transition.name)}">' \
                f"{arrow}{text}</g>"
        if href is not None:
            piece = (f'<a href="{escape(href)}" class="wf-link" '
                     f'aria-label="{escape(label)}">{piece}</a>')
        parts.append(piece)
    for box in boxes.values():
        now = box.name == current
        fill = "#fde68a" if now else ("#eef0f2" if box.final else "#ffffff")
        stroke = "#b45309" if now else "#7b8794"
        tip = f"{box.label} · {_NOW.get(language, _NOW['en'])}" if now else box.label
        parts.append(
            f'<g class="wf-state{" current" if now else ""}{" final" if box.final else ""}" '
            f'data-state="{escape(box.name)}"{CURRENT if now else ""}>'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{BOX_HEIGHT}" rx="{BOX_HEIGHT / 2 if box.final else 6}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2.5 if now else 1.2}"/>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.middle_y + FONT / 2 - 2:.1f}" '
            f'text-anchor="middle" font-size="{FONT}" fill="#1f2933"'
            f'{BOLDER if now else ""}>{escape(box.label)}</text></g>')
    y = body_bottom + 6
    for transition in anywhere:
        label = transition_label(transition, language)
        target = labels.get(transition.target, transition.target)
        line = f"{_ANY.get(language, _ANY['en'])} → {label} → {target}"
        href = links.get(transition.name)
        live = href is not None
        width = max(width, MARGIN * 2 + text_width(line, FONT - 1))
        text = (f'<text class="wf-any" x="{MARGIN}" y="{y + FONT:.1f}" font-size="{FONT - 1}" '
                f'fill="{"#0b5cad" if live else "#52606d"}" data-transition='
                f'"{escape(transition.name)}">{escape(line)}</text>')
        if href is not None:
            text = (f'<a href="{escape(href)}" class="wf-link" '
                    f'aria-label="{escape(label)}">{text}</a>')
        parts.append(text)
        y += LEGEND_LINE
    height = y + MARGIN - 6
    name = title or workflow.name
    return Markup(
        f'<svg class="workflow-diagram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{escape(name)}"><title>{escape(name)}</title>'
        + "".join(parts) + "</svg>")
