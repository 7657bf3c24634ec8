"""Workflow diagrams: a `WorkflowSpec` drawn as Mermaid (stateDiagram-v2) or Graphviz dot.

Both outputs name states by their identifiers and show labels in the chosen language.
Label text is escaped so that any label, in any language, with quotes, colons or
brackets, keeps the diagram's syntax valid.
"""

from __future__ import annotations

import re

from guanxi.language.labels import derived_label
from guanxi.spec import StateSpec, TimerSpec, TransitionSpec, WorkflowSpec, text_in

# Words Mermaid's state-diagram grammar treats specially; a state with such a name gets
# another identifier in the diagram (its label is unchanged).
_MERMAID_RESERVED = frozenset(
    {"as", "class", "classdef", "click", "direction", "end", "hide", "join", "fork",
     "choice", "left", "right", "note", "of", "scale", "state", "style", "statediagram",
     "default", "linkstyle", "subgraph", "graph", "flowchart", "interpolate", "call",
     "href", "accdescr", "acctitle", "over", "concurrent"}
)

# Characters written as Mermaid entity codes (`#quot;`, `#58;`, …) inside labels.
_MERMAID_ENTITIES = {
    "#": "#35;",
    "&": "#38;",
    '"': "#quot;",
    ":": "#58;",
    ";": "#59;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "{": "#123;",
    "}": "#125;",
    "[": "#91;",
    "]": "#93;",
    "|": "#124;",
    "\\": "#92;",
    "`": "#96;",
}

CURRENT_FILL = "#fde68a"
CURRENT_STROKE = "#b45309"

_TIMER_WORDS = {
    "en": {"after": "after {}", "notify": "notify {}", "fire": "fire {}"},
    "zh": {"after": "{} 后", "notify": "通知 {}", "fire": "执行 {}"},
}


def state_label(state: StateSpec, language: str) -> str:
    """The state's label in `language` (falling back as labels do), or one derived from its name."""
    return _one_line(text_in(state.label, language) or derived_label(state.name))


def transition_label(transition: TransitionSpec, language: str) -> str:
    """The transition's button text in `language`, or one derived from its name."""
    return _one_line(text_in(transition.label, language) or derived_label(transition.name))


def edges(workflow: WorkflowSpec) -> list[tuple[str, str, TransitionSpec]]:
    """Every (source, target, transition), in declaration order; `"*"` stands for every
    non-final state."""
    open_states = [s.name for s in workflow.states if not s.final]
    result: list[tuple[str, str, TransitionSpec]] = []
    for transition in workflow.transitions:
        sources: list[str] = []
        for source in transition.sources:
            for name in open_states if source == "*" else [source]:
                if name not in sources:
                    sources.append(name)
        result.extend((source, transition.target, transition) for source in sources)
    return result


def timer_text(timer: TimerSpec, language: str) -> str:
    """A short description of a timer: "after 12h: notify service_manager"."""
    words = _TIMER_WORDS.get(language, _TIMER_WORDS["en"])
    action = words["fire" if timer.action == "fire" else "notify"].format(timer.target)
    joiner = "：" if language == "zh" else ": "
    return words["after"].format(timer.after_text) + joiner + action


# ---------------------------------------------------------------- Mermaid


def mermaid_escape(text: str) -> str:
    """`text` made safe inside a Mermaid label: one line, special characters as entity codes."""
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in _one_line(text))


def mermaid_ids(workflow: WorkflowSpec) -> dict[str, str]:
    """The identifier each state has in Mermaid: its name, unless that is a reserved word."""
    names = {s.name for s in workflow.states}
    ids: dict[str, str] = {}
    for state in workflow.states:
        ident = state.name
        if ident.lower() in _MERMAID_RESERVED:
            ident = f"s_{state.name}"
            while ident in names or ident in ids.values():
                ident = f"s_{ident}"
        ids[state.name] = ident
    return ids


def mermaid(workflow: WorkflowSpec, language: str = "en", current: str | None = None) -> str:
    """The workflow as a Mermaid `stateDiagram-v2`, labels in `language`.

    The initial state is entered from `[*]`, final states lead to `[*]`, each transition is
    an edge labelled with its button text, timers are notes, and the `current` state (if
    given) is highlighted with the class `current`.
    """
    ids = mermaid_ids(workflow)
    lines = ["stateDiagram-v2"]
    for state in workflow.states:
        label = mermaid_escape(state_label(state, language))
        lines.append(f'    state "{label}" as {ids[state.name]}')
    if workflow.initial in ids:
        lines.append(f"    [*] --> {ids[workflow.initial]}")
    for source, target, transition in edges(workflow):
        if source in ids and target in ids:
            label = mermaid_escape(transition_label(transition, language))
            lines.append(f"    {ids[source]} --> {ids[target]} : {label}")
    for state in workflow.states:
        if state.final:
            lines.append(f"    {ids[state.name]} --> [*]")
    for timer in workflow.timers:
        if timer.state in ids:
            text = mermaid_escape(timer_text(timer, language))
            lines.append(f"    note right of {ids[timer.state]} : {text}")
    if current is not None and current in ids:
        lines.append(
            f"    classDef current fill:{CURRENT_FILL},stroke:{CURRENT_STROKE},stroke-width:3px"
        )
        lines.append(f"    class {ids[current]} current")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Graphviz


def dot_quoted(text: str) -> str:
    """`text` as a double-quoted Graphviz string: one line; backslashes and quotes escaped,
    and `&` written `&amp;` (Graphviz reads character entities in every string)."""
    escaped = _one_line(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{escaped}"'


def graphviz(workflow: WorkflowSpec, language: str = "en", current: str | None = None) -> str:
    """The workflow as a Graphviz `digraph`, labels in `language`.

    A point leads into the initial state, final states are drawn with a double border and
    lead to an end mark, and the `current` state (if given) is filled.
    """
    names = {s.name for s in workflow.states}
    title = text_in(workflow.label, language) or derived_label(workflow.name)
    lines = [
        f"digraph {dot_quoted(workflow.name)} {{",
        f"  label={dot_quoted(title)};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=10];',
        '  "__start" [shape=point, width=0.15, label=""];',
    ]
    if any(s.final for s in workflow.states):
        lines.append('  "__end" [shape=doublecircle, width=0.12, label="", style=filled, '
                     'fillcolor=black];')
    for state in workflow.states:
        attrs = [f"label={dot_quoted(state_label(state, language))}"]
        if state.final:
            attrs.append("peripheries=2")
        if state.name == current:
            attrs.append(f'style="rounded,filled,bold", fillcolor="{CURRENT_FILL}", '
                         f'color="{CURRENT_STROKE}"')
        lines.append(f"  {dot_quoted(state.name)} [{', '.join(attrs)}];")
    if workflow.initial in names:
        lines.append(f'  "__start" -> {dot_quoted(workflow.initial)};')
    for source, target, transition in edges(workflow):
        if source in names and target in names:
            label = dot_quoted(transition_label(transition, language))
            lines.append(f"  {dot_quoted(source)} -> {dot_quoted(target)} [label={label}];")
    for state in workflow.states:
        if state.final:
            lines.append(f'  {dot_quoted(state.name)} -> "__end";')
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- helpers


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()

