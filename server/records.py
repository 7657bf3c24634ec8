"""View models shared by the record pages: which fields a user sees, table rows, the
workflow strip, transition buttons."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from guanxi.identity import User
from guanxi.language.drawing import workflow_svg
from guanxi.language.labels import label_of as spec_label
from guanxi.language.labels import plural_of
from guanxi.server.context import Ctx
from guanxi.server.display import Cell, Names, cell, field_spec, title_field
from guanxi.spec import EntitySpec, TransitionSpec, WorkflowSpec
from markupsafe import Markup

__all__ = [
    "Button",
    "Column",
    "Row",
    "StateStep",
    "acting_user",
    "buttons",
    "detail_fields",
    "entity_label",
    "label_of",
    "list_columns",
    "names",
    "preload_references",
    "record_title",
    "rows",
    "show",
    "state_labels",
    "state_strip",
    "title_field",
    "transition_label",
    "visible",
    "workflow_of",
    "workflow_picture",
]

SYSTEM_SHOWN = ("owner", "created_by", "created_at", "updated_at")


@dataclass
class Column:
    name: str
    label: str
    sortable: bool = True


@dataclass
class Row:
    id: int
    title: str
    cells: list[Cell]
    state: str | None = None
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class StateStep:
    name: str
    label: str
    current: bool
    final: bool


@dataclass
class Button:
    """A transition the user may fire now, with the fields it asks for."""

    name: str
    label: str
    target: str
    asks: list[str]
    # The state the transition leads to (`target` is its label).
    target_state: str = ""


def acting_user(ctx: Ctx) -> User:
    """The signed-in user, speaking the page's language (so the Store's messages do)."""
    assert ctx.user is not None
    if ctx.user.language == ctx.language:
        return ctx.user
    return dataclasses.replace(ctx.user, language=ctx.language)


def names(ctx: Ctx) -> Names:
    found = ctx._cache.get("names")
    if found is None:
        found = Names(ctx.spec, ctx.store, ctx.loaded.engine, acting_user(ctx), ctx.language)
        ctx._cache["names"] = found
    return found


def entity_label(ctx: Ctx, entity: EntitySpec, plural: bool = False) -> str:
    return plural_of(entity, ctx.language) if plural else spec_label(entity, ctx.language)


def label_of(ctx: Ctx, entity: EntitySpec, name: str) -> str:
    """A field's label: the declared one, else the page language's word for a system field."""
    declared = entity.field(name)
    if declared is not None:
        return spec_label(declared, ctx.language)
    if name == "state":
        return ctx.t("state")
    return ctx.t(name)


def workflow_of(ctx: Ctx, entity: EntitySpec) -> WorkflowSpec | None:
    return ctx.spec.workflow(entity.workflow) if entity.workflow else None


def state_labels(ctx: Ctx, entity: EntitySpec) -> dict[str, str] | None:
    workflow = workflow_of(ctx, entity)
    if workflow is None:
        return None
    return {s.name: spec_label(s, ctx.language) for s in workflow.states}


def transition_label(ctx: Ctx, transition: TransitionSpec) -> str:
    return spec_label(transition, ctx.language)


def visible(ctx: Ctx, entity: EntitySpec) -> frozenset[str]:
    assert ctx.user is not None
    seen: frozenset[str] = ctx.policy(entity.name).visible_fields(ctx.user)
    return seen


def detail_fields(ctx: Ctx, entity: EntitySpec) -> list[str]:
    """Declared fields the user may see, in declared order, then the system ones."""
    seen = visible(ctx, entity)
    names_ = [f.name for f in entity.fields if f.name in seen]
    return names_ + [n for n in SYSTEM_SHOWN if n in seen]


def list_columns(ctx: Ctx, entity: EntitySpec) -> list[str]:
    """The list page's columns: `list.columns` (or the first fields) the user may see."""
    seen = visible(ctx, entity)
    wanted = list(entity.list_columns) or [f.name for f in entity.fields[:5]]
    tfield = title_field(entity)
    if tfield in seen and tfield not in wanted:
        wanted.insert(0, tfield)
    if entity.workflow and "state" not in wanted:
        wanted.append("state")
    return [n for n in wanted if n in seen]


def show(ctx: Ctx, entity: EntitySpec, name: str, value: Any) -> Cell:
    return cell(field_spec(entity, name), value, names(ctx), ctx.t, ctx.language,
                state_labels(ctx, entity))


def preload_references(ctx: Ctx, entity: EntitySpec, records: list[dict[str, Any]],
                       columns: list[str]) -> None:
    for name in columns:
        spec = entity.field(name)
        if spec is not None and spec.type == "reference" and spec.ref:
            ids = {int(r[name]) for r in records if r.get(name) is not None}
            names(ctx).preload(spec.ref, ids)


def record_title(ctx: Ctx, entity: EntitySpec, record: dict[str, Any]) -> str:
    value = record.get(title_field(entity))
    return str(value) if value not in (None, "") else f"#{record.get('id')}"


def rows(ctx: Ctx, entity: EntitySpec, records: list[dict[str, Any]],
         columns: list[str]) -> list[Row]:
    preload_references(ctx, entity, records, columns)
    return [Row(int(r["id"]), record_title(ctx, entity, r),
                [show(ctx, entity, c, r.get(c)) for c in columns], r.get("state"), r)
            for r in records]


def state_strip(ctx: Ctx, entity: EntitySpec, current: str | None) -> list[StateStep]:
    workflow = workflow_of(ctx, entity)
    if workflow is None:
        return []
    labels = state_labels(ctx, entity) or {}
    return [StateStep(s.name, labels[s.name], s.name == current, s.final)
            for s in workflow.states]


def workflow_picture(ctx: Ctx, entity: EntitySpec, record: dict[str, Any],
                     fireable: Sequence[Button]) -> Markup:
    """The record's workflow drawn as SVG: its state marked, the transitions in `fireable`
    (those this user may fire now) linked to their pages."""
    workflow = workflow_of(ctx, entity)
    if workflow is None:
        return Markup("")
    links = {b.name: f"/e/{entity.name}/{record['id']}/transition/{b.name}" for b in fireable}
    return workflow_svg(workflow, ctx.language, current=record.get("state"), links=links,
                        title=entity_label(ctx, entity))


def buttons(ctx: Ctx, entity: EntitySpec, record: dict[str, Any],
            available: Sequence[TransitionSpec] | None = None) -> list[Button]:
    """The transitions this user may fire on this record now (`available`, when the
    caller already has them from `Store.get(..., with_rights=True)`)."""
    if not entity.workflow:
        return []
    if available is None:
        available = ctx.store.available_transitions(acting_user(ctx), entity.name, record)
    labels = state_labels(ctx, entity) or {}
    seen = visible(ctx, entity)
    out = []
    for tr in available:
        asks = [n for n in tr.require if n in seen and record.get(n) in (None, "", [])
                and entity.field(n) is not None]
        out.append(Button(tr.name, transition_label(ctx, tr), labels.get(tr.target, tr.target),
                          asks, tr.target))
    return out
