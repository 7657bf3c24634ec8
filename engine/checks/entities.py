"""Checks of the project file, roles and entities: fields, rules, indexes and access."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from guanxi.checks.registry import Context, register, suggest
from guanxi.checks.schema import describe_value, schema
from guanxi.fields.registry import COMMON_KEYS, FIELD_TYPES, SYSTEM_FIELDS, text_limit
from guanxi.language.build import DYNAMIC_DEFAULTS, option_value, typed_value
from guanxi.language.standard import standard_files, standard_workflows
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import FieldSpec, Loc

TEXT_KEYS = ("label", "plural", "help", "message")
# Keys that make no sense on these types although their row would allow them.
_NOT_ON_TYPE = {"tags": frozenset({"unique", "index"})}


def _mapping(value: Any) -> LocDict:
    return value if isinstance(value, LocDict) else LocDict(Loc("<none>", 0, 0))


def _roles(ctx: Context) -> LocDict:
    return _mapping(ctx.project.get("roles"))


# ---------------------------------------------------------------- project file and roles


@register(20)
def check_project_file(ctx: Context) -> None:
    project = ctx.project
    name = project.get("project")
    if isinstance(name, str):
        ctx.check_name(name, project.value_loc("project"), "project")
    languages = project.get("languages")
    if isinstance(languages, LocList):
        seen: set[str] = set()
        for index, language in enumerate(languages):
            if language in seen:
                ctx.add("GX322", languages.item_loc(index), "remove the second one",
                        name=language, where="languages")
            seen.add(language)
    _check_label_languages(ctx)


def _check_label_languages(ctx: Context) -> None:
    languages = set(ctx.spec.languages)
    skip = standard_files()
    todo: list[Any] = [ctx.project, ctx.raw.entities, ctx.raw.workflows]
    while todo:
        node = todo.pop()
        if isinstance(node, LocDict):
            if node.loc.file in skip:
                continue
            for key, value in node.items():
                if key in TEXT_KEYS and isinstance(value, LocDict):
                    for language in value:
                        if language not in languages:
                            ctx.add("GX318", value.key_loc(language),
                                    f"add '{language}' to 'languages' in guanxi.yaml, or "
                                    "remove this text", language=language,
                                    languages=", ".join(ctx.spec.languages))
                else:
                    todo.append(value)
        elif isinstance(node, LocList):
            todo.extend(node)


@register(30)
def check_roles(ctx: Context) -> None:
    roles = _roles(ctx)
    for name, data in roles.items():
        ctx.check_name(name, roles.key_loc(name), "role")
        if not isinstance(data, LocDict):
            continue
        for included, loc in ctx.names_in(data, "includes"):
            if included not in roles:
                ctx.unknown("role", None, included, loc, "GX307",
                            suggest(included, roles, "roles"), name=included,
                            where=f"includes of role '{name}'")
    for name in roles:
        cycle = _include_cycle(roles, name)
        if cycle:
            ctx.add("GX316", roles.key_loc(name), "remove one of the includes",
                    name=name, cycle=" → ".join(cycle))


def _include_cycle(roles: LocDict, start: str) -> list[str] | None:
    """The chain of includes that leads from `start` back to itself, if any."""
    todo: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while todo:
        name, chain = todo.pop()
        data = roles.get(name)
        includes = data.get("includes") if isinstance(data, LocDict) else None
        for included in includes if isinstance(includes, list) else []:
            if included == start:
                return [*chain, start]
            if isinstance(included, str) and included not in seen:
                seen.add(included)
                todo.append((included, [*chain, included]))
    return None


@register(70)
def check_unused_roles(ctx: Context) -> None:
    roles = _roles(ctx)
    used: set[str] = set()
    for data in roles.values():
        if isinstance(data, LocDict):
            includes = data.get("includes")
            used.update(x for x in includes if isinstance(x, str)) \
                if isinstance(includes, list) else None
    for entity in ctx.raw.entities.values():
        if isinstance(entity, LocDict) and isinstance(entity.get("access"), LocDict):
            used.update(entity["access"])
    for workflow in ctx.spec.workflows:
        for transition in workflow.transitions:
            used.update(transition.roles)
        used.update(t.target for t in workflow.timers if t.action == "notify")
    for name, data in roles.items():
        if name in used or not isinstance(name, str):
            continue
        if isinstance(data, LocDict) and (data.get("admin") is True or data.get("includes")):
            continue
        ctx.add("GX320", roles.key_loc(name),
                "grant it access to an entity, or remove it", name=name)


# ---------------------------------------------------------------- entities


@register(40)
def check_entities(ctx: Context) -> None:
    entities = ctx.raw.entities
    for name, data in entities.items():
        loc = entities.key_loc(name)
        if ctx.check_name(name, loc, "entity") and str(name).startswith("gx_"):
            ctx.add("GX323", loc, f"rename it, e.g. '{str(name)[3:]}'", name=name)
        if isinstance(data, LocDict):
            _check_entity(ctx, str(name), data, loc)


def _check_entity(ctx: Context, entity: str, data: LocDict, loc: Loc) -> None:
    fields = _mapping(data.get("fields"))
    declared = [str(f) for f in fields]
    known = set(declared) | set(SYSTEM_FIELDS)
    if not isinstance(data.get("workflow"), str):
        known.discard("state")  # only entities with a workflow have a state
    for name, field in fields.items():
        _check_field(ctx, entity, str(name), field, fields.key_loc(name))

    def need_field(name: str, loc: Loc, where: str) -> None:
        if name not in known:
            ctx.unknown("field", entity, name, loc, "GX306",
                        suggest(name, declared, "fields"), name=name, where=where)

    title = data.get("title")
    if isinstance(title, str):
        need_field(title, data.value_loc("title"), f"{entity}.title")
    listing = data.get("list")
    if isinstance(listing, LocDict):
        for name, at in ctx.names_in(listing, "columns"):
            need_field(name, at, f"{entity}.list.columns")
    indexes = data.get("indexes")
    for index, item in enumerate(indexes if isinstance(indexes, LocList) else []):
        names = ctx.names_in(item, "fields") if isinstance(item, LocDict) else (
            [(n, item.item_loc(i)) for i, n in enumerate(item) if isinstance(n, str)]
            if isinstance(item, LocList) else [])
        for name, at in names:
            need_field(name, at, f"{entity}.indexes[{index + 1}]")
    rules = data.get("rules")
    rule_list = rules if isinstance(rules, LocList) else LocList(data.loc)
    for index, rule in enumerate(rule_list):
        if not isinstance(rule, LocDict):
            continue
        if "require" not in rule and "check" not in rule:
            ctx.add("GX317", rule_list.item_loc(index),
                    "add 'require: [fields]' or 'check: <condition>'")
        for key in ("require", "fields"):
            for name, at in ctx.names_in(rule, key):
                need_field(name, at, f"{entity}.rules[{index + 1}].{key}")
    workflow = data.get("workflow")
    if isinstance(workflow, str) and workflow not in ctx.raw.workflows:
        ctx.unknown("workflow", None, workflow, data.value_loc("workflow"), "GX308",
                    suggest(workflow, [*ctx.raw.workflows, *standard_workflows()],
                            "workflows"), name=workflow)
    _check_access(ctx, entity, data, loc)


def _check_access(ctx: Context, entity: str, data: LocDict, loc: Loc) -> None:
    access = data.get("access")
    if not isinstance(access, LocDict) or not access:
        ctx.add("GX605", loc, "add 'access:' with a role and what it may do", entity=entity)
        return
    roles = _roles(ctx)
    workflow_name = data.get("workflow")
    for role, grants in access.items():
        if role not in roles:
            ctx.unknown("role", None, str(role), access.key_loc(role), "GX601",
                        suggest(role, roles, "roles"), name=role)
        if isinstance(grants, LocDict):
            check_grants(ctx, entity, str(role), grants, workflow_name)


def check_grants(ctx: Context, entity: str, role: str, grants: LocDict,
                 workflow_name: Any) -> None:
    """The grants of `role` on `entity` name its fields and its workflow's transitions
    (for an access entry, and for the system actor's grants)."""
    spec = ctx.spec.entity(entity)
    declared = [f.name for f in spec.fields] if spec is not None else []
    known = set(declared) | set(SYSTEM_FIELDS)
    if not isinstance(workflow_name, str):
        known.discard("state")
    workflow = ctx.spec.workflow(workflow_name) if isinstance(workflow_name, str) else None
    for key in ("hide", "readonly"):
        for name, at in ctx.names_in(grants, key):
            if name not in known:
                ctx.unknown("field", entity, name, at, "GX602",
                            suggest(name, declared, "fields"), name=name, key=key,
                            role=role)
    _warn_hidden_required(ctx, entity, role, grants)
    listed = grants.get("transitions")
    if not isinstance(listed, LocList) or not listed:
        return
    if not isinstance(workflow_name, str):
        ctx.add("GX604", grants.key_loc("transitions"),
                "add 'workflow:' to the entity or remove 'transitions'",
                role=role, entity=entity)
        return
    if workflow is None:
        return  # the unknown workflow is reported
    names = [t.name for t in workflow.transitions]
    for name, at in ctx.names_in(grants, "transitions"):
        if name not in names:
            ctx.unknown("transition", workflow.name, name, at, "GX603",
                        suggest(name, names, "transitions"), name=name, role=role,
                        workflow=workflow.name)


def _warn_hidden_required(ctx: Context, entity: str, role: str, grants: LocDict) -> None:
    create = grants.get("create")
    spec = ctx.spec.entity(entity)
    if spec is None or create in (None, False, "none"):
        return
    for name, at in ctx.names_in(grants, "hide"):
        field = spec.field(name)
        if field and field.required and field.default is None and not field.derived:
            ctx.add("GX606", at, f"give '{name}' a default, or do not hide it from '{role}'",
                    role=role, entity=entity, name=name)


# ---------------------------------------------------------------- fields


def _field_keys() -> set[str]:
    return set(schema("entities")["$defs"]["field"]["properties"])


def _check_field(ctx: Context, entity: str, name: str, data: Any, loc: Loc) -> None:
    if ctx.check_name(name, loc, "field") and name in SYSTEM_FIELDS:
        ctx.add("GX302", loc, f"every entity already has '{name}'; choose another name, "
                f"e.g. '{entity}_{name}'", name=name)
    if not isinstance(data, LocDict):
        return
    kind = data.get("type")
    if not isinstance(kind, str):
        return
    row = FIELD_TYPES.get(kind)
    if row is None:
        ctx.add("GX303", data.value_loc("type"), suggest(kind, FIELD_TYPES, "field types"),
                type=kind)
        return
    allowed = (COMMON_KEYS | row.keys) - _NOT_ON_TYPE.get(kind, frozenset())
    for key in data:
        if key in _field_keys() and key not in allowed:
            fits = sorted(t for t, r in FIELD_TYPES.items() if key in r.keys)
            hint = f"'{key}' applies to: {', '.join(fits)}" if fits else \
                f"remove '{key}'"
            ctx.add("GX304", data.key_loc(key), hint, key=key, type=kind)
    if kind in ("choice", "tags") and not data.get("options"):
        ctx.add("GX310", loc, "add 'options: [first, second]'", type=kind)
    if kind == "reference":
        target = data.get("to")
        if "to" not in data:
            ctx.add("GX319", loc, "add 'to: <entity name>'")
        elif isinstance(target, str) and target not in ctx.raw.entities:
            ctx.unknown("entity", None, target, data.value_loc("to"), "GX305",
                        suggest(target, ctx.raw.entities, "entities"), name=target)
    entity_spec = ctx.spec.entity(entity)
    spec = entity_spec.field(name) if entity_spec else None
    if spec is None:
        return
    for key in ("default", "required"):
        if ("compute" in data or "rollup" in data) and key in data and \
                data[key] not in (None, False):
            ctx.add("GX321", data.key_loc(key),
                    f"remove '{key}'; a computed or rolled-up field always has its "
                    "computed value",
                    key=f"'{key}'")
    _check_options(ctx, data)
    _check_default(ctx, spec, data)
    _check_bounds(ctx, spec, data, allowed)


def _check_options(ctx: Context, data: LocDict) -> None:
    options = data.get("options")
    seen: set[str] = set()
    if isinstance(options, LocList):
        items = [(option_value(v), options.item_loc(i)) for i, v in enumerate(options)]
    elif isinstance(options, LocDict):
        items = [(option_value(k), options.key_loc(k)) for k in options]
    else:
        return
    for value, at in items:
        if value is None:
            continue
        if value in seen:
            ctx.add("GX315", at, "remove the second one", value=value)
        seen.add(value)


def _check_default(ctx: Context, spec: FieldSpec, data: LocDict) -> None:
    if data.get("default") is None or "compute" in data or "rollup" in data:
        return
    value = data["default"]
    at = data.value_loc("default")
    if isinstance(value, str) and value in DYNAMIC_DEFAULTS and \
            FIELD_TYPES[spec.type].kind != "text":
        fits = DYNAMIC_DEFAULTS[value]
        if fits == spec.type:
            return
        ctx.add("GX311", at, f"'{value}' is the default for {fits} fields", value=repr(value),
                field=spec.name, reason=f"only a {fits} field can default to {value}")
        return
    if spec.type in ("reference", "user"):
        refusal = "a user field can only default to current_user" if spec.type == "user" \
            else "a reference cannot have a default (the record it names may not exist)"
        ctx.add("GX311", at, "remove 'default'", value=_show(value), field=spec.name,
                reason=refusal)
        return
    typed, reason = typed_value(spec, list(value) if isinstance(value, LocList) else value)
    if reason is None:
        reason = _outside_bounds(spec, typed)
    if reason:
        hint = None
        if spec.options:
            hint = "the options are: " + ", ".join(o.value for o in spec.options)
        ctx.add("GX311", at, hint, value=_show(value), field=spec.name, reason=reason)


def _outside_bounds(spec: FieldSpec, value: Any) -> str | None:
    """Why a default breaks the field's own min, max, lengths or pattern (None if not)."""
    try:
        if spec.min is not None and value < spec.min:
            return f"it is less than min {spec.min}"
        if spec.max is not None and value > spec.max:
            return f"it is more than max {spec.max}"
    except TypeError:
        return None  # a bound of the wrong kind is reported on its own
    if isinstance(value, str):
        if spec.min_length is not None and len(value) < spec.min_length:
            return f"it is shorter than min_length {spec.min_length}"
        longest = text_limit(spec)
        if longest is not None and len(value) > longest:
            return f"it is longer than max_length {longest}"
        try:
            if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
                return "it does not match the pattern"
        except re.error:
            return None
    return None


def _check_bounds(ctx: Context, spec: FieldSpec, data: LocDict, allowed: frozenset[str]) -> None:
    values: dict[str, Any] = {}
    for key in ("min", "max"):
        if key not in allowed or data.get(key) is None:
            continue
        value, reason = typed_value(_unbounded(spec), data[key])
        if reason:
            ctx.add("GX314", data.value_loc(key), _bound_hint(spec.type), key=key,
                    value=_show(data[key]), type=spec.type, reason=reason)
        else:
            values[key] = value
    for low, high in (("min", "max"), ("min_length", "max_length")):
        a = values.get(low, data.get(low) if low == "min_length" else None)
        b = values.get(high, data.get(high) if high == "max_length" else None)
        try:
            wrong = a is not None and b is not None and a > b
        except TypeError:
            wrong = False
        if wrong and not isinstance(a, bool) and not isinstance(b, bool):
            ctx.add("GX312", data.key_loc(low), f"swap them, or lower '{low}'",
                    low_key=low, low=_show(data[low]), high_key=high, high=_show(data[high]))
    pattern = data.get("pattern")
    if isinstance(pattern, str) and "pattern" in allowed:
        try:
            re.compile(pattern)
        except re.error as error:
            ctx.add("GX313", data.value_loc("pattern"),
                    "quote the pattern with single quotes and escape special characters "
                    "with \\", detail=str(error))


def _unbounded(spec: FieldSpec) -> FieldSpec:
    return replace(spec, min=None, max=None, min_length=None, max_length=None, pattern=None)


def _bound_hint(kind: str) -> str:
    row = FIELD_TYPES[kind]
    return {
        "number": "write a number",
        "date": "write a date as 2026-11-22",
        "datetime": "write a moment as 2026-11-22T09:00:00Z",
        "duration": "write a duration such as 90m, 12h, 3d or 1w",
    }.get(row.kind, "write a value of the field's type")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return describe_value(value).removeprefix("the number ")
