"""Messages: the reply templates and webhooks of messages/*.yaml, checked against the
project. Every file against `schemas/messages.schema.json`; entities, roles,
transitions and conditions resolved, each problem located with a hint."""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.checks.schema import validate
from guanxi.expr import Scope
from guanxi.language.tree import LocDict, locate_offset
from guanxi.mail.definitions import read_documents, sections
from guanxi.spec import EntitySpec, Loc

_YAML_IDS = {"syntax": "GX101", "tag": "GX102", "duplicate": "GX103", "too_big": "GX104",
             "bomb": "GX105", "key": "GX106", "encoding": "GX107", "not_regular": "GX111",
             "outside": "GX112", "unreadable": "GX113"}
_WHAT = {"replies": "reply template", "webhooks": "webhook"}


@register(85)
def check_messages(ctx: Context) -> None:
    """The project's messages files: structure, then meaning."""
    documents = read_documents(ctx.spec.root)
    texts = {d.file: d.text for d in documents}
    for document in documents:
        for problem in document.problems:
            ctx.add(_YAML_IDS[problem.kind], problem.loc, None, detail=problem.message)
        if document.data is not None:
            ctx.found.extend(validate("messages", document.data, document.file))
    entities = [e.name for e in ctx.spec.entities]
    for section, what in _WHAT.items():
        first: dict[str, Loc] = {}
        for name, value, holder in sections(documents, section):
            loc = holder.key_loc(name)
            if name in first:
                ctx.add("GX964", loc, "rename one of them", what=what, name=name,
                        first=first[name])
                continue
            first[name] = loc
            default = "ticket" if section == "replies" else None
            entity_name = value.get("entity", default)
            if not isinstance(entity_name, str):
                continue
            entity = ctx.spec.entity(entity_name)
            if entity is None:
                where = value.value_loc("entity") if "entity" in value else loc
                ctx.add("GX961", where, suggest(entity_name, entities, "entities"),
                        what=what, name=name, entity=entity_name)
                continue
            _check_when(ctx, entity, value, texts)
            if section == "webhooks":
                _check_webhook(ctx, name, entity, value)


def _check_when(ctx: Context, entity: EntitySpec, value: LocDict,
                texts: dict[str, str]) -> None:
    text = value.get("when")
    if not isinstance(text, str):
        return
    loc = value.value_loc("when")
    checked = Scope.for_entity(ctx.spec, entity).checked(text)
    if checked.syntax is not None:
        ctx.add("GX401", locate_offset(texts.get(loc.file, ""), loc, checked.syntax.offset),
                checked.syntax.hint, detail=checked.syntax.message)
        return
    for problem in checked.problems_for("boolean"):
        message, hint = problem.message, problem.hint
        if " — " in message:
            message, hint = message.split(" — ", 1)
        ctx.add("GX402", locate_offset(texts.get(loc.file, ""), loc, problem.offset), hint,
                detail=message)


def _check_webhook(ctx: Context, name: str, entity: EntitySpec, value: LocDict) -> None:
    role = value.get("as")
    roles = [r.name for r in ctx.spec.roles]
    if isinstance(role, str) and role not in roles:
        ctx.add("GX962", value.value_loc("as"), suggest(role, roles, "roles"), name=name,
                role=role)
    transition = value.get("transition")
    if isinstance(transition, str):
        workflow = ctx.spec.workflow(entity.workflow or "") if entity.workflow else None
        known = [t.name for t in workflow.transitions] if workflow else []
        if transition not in known:
            ctx.add("GX963", value.value_loc("transition"),
                    suggest(transition, known, "transitions"), name=name,
                    entity=entity.name, transition=transition)
