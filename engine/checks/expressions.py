"""Expressions: every condition and computation is parsed and type-checked against the
fields of the entity it runs on, and each problem is put at its exact column."""

from __future__ import annotations

import re

from guanxi.checks.aggregates import misplaced
from guanxi.checks.registry import Context, find_cycle, register, suggest
from guanxi.expr import (
    Binary,
    Call,
    ExprProblem,
    ExprSyntaxError,
    ListOf,
    Literal,
    Name,
    Node,
    Scope,
    Unary,
    fields_used,
    parse,
)
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.language.yamlload import LocDict, locate_offset
from guanxi.spec import EntitySpec, Loc


@register(60)
def check_expressions(ctx: Context) -> None:
    """Every expression of the project, each parsed and type-checked once: on the scope
    the compiler will use (`Scope.for_entity`), which keeps the result for it."""
    check_computed_cycles(ctx)
    checked_workflows: set[str] = set()
    for entity in ctx.spec.entities:
        scope = Scope.for_entity(ctx.spec, entity)
        for rule in entity.rules:
            _check(ctx, rule.when, rule.when_loc, scope, "boolean")
            _check(ctx, rule.check, rule.check_loc, scope, "boolean")
        for grant in entity.access:
            for permission in (grant.create, grant.read, grant.update, grant.delete):
                if permission.kind == "where":
                    _check(ctx, permission.condition, permission.loc, scope, "boolean")
        for field in entity.fields:
            # Aggregates left in an expression are reported once (`aggregates`).
            if (field.compute is not None and field.type in FIELD_TYPES
                    and not misplaced(ctx, entity, field)):
                _check(ctx, field.compute, field.compute_loc, scope,
                       FIELD_TYPES[field.type].kind)
        if entity.workflow and ctx.spec.workflow(entity.workflow) is not None:
            checked_workflows.add(entity.workflow)
            _check_workflow(ctx, entity, scope)
    for workflow in ctx.spec.workflows:
        if workflow.name not in checked_workflows:
            for transition in workflow.transitions:
                _parse_only(ctx, transition.when, transition.when_loc)
                for name, text in transition.set:
                    _parse_only(ctx, text, _set_loc(ctx, workflow.name, transition.name, name))


def _check_workflow(ctx: Context, entity: EntitySpec, scope: Scope) -> None:
    workflow = ctx.spec.workflow(entity.workflow or "")
    assert workflow is not None
    prefix = f"for entity '{entity.name}': "
    for transition in workflow.transitions:
        _check(ctx, transition.when, transition.when_loc, scope, "boolean", prefix)
        for name, text in transition.set:
            field = entity.field(name)
            kind = FIELD_TYPES[field.type].kind if field else (
                FIELD_TYPES[SYSTEM_FIELDS[name]].kind if name in SYSTEM_FIELDS else None)
            _check(ctx, text, _set_loc(ctx, workflow.name, transition.name, name), scope,
                   kind, prefix)


def _set_loc(ctx: Context, workflow: str, transition: str, name: str) -> Loc | None:
    data = ctx.raw.workflows.get(workflow)
    for key in ("transitions", transition, "set"):
        if not isinstance(data, LocDict) or key not in data:
            return None
        if key == "set":
            data = data[key]
            return data.value_loc(name) if isinstance(data, LocDict) else None
        data = data[key]
    return None


def _locate(ctx: Context, loc: Loc, offset: int) -> Loc:
    return locate_offset(ctx.text_of(loc.file), loc, offset)


def _parse_only(ctx: Context, text: str | None, loc: Loc | None) -> None:
    if text is None or loc is None:
        return
    try:
        parse(text)
    except ExprSyntaxError as error:
        ctx.add("GX401", _locate(ctx, loc, error.offset), error.hint, detail=error.message)


def check_expression(ctx: Context, text: str | None, loc: Loc | None, scope: Scope,
                     expect: str | None, prefix: str = "") -> None:
    """Report the problems of expression `text` (written at `loc`) on `scope`'s entity,
    when it should give `expect` (a type kind, or None for any)."""
    _check(ctx, text, loc, scope, expect, prefix)


def _check(ctx: Context, text: str | None, loc: Loc | None, scope: Scope,
           expect: str | None, prefix: str = "") -> None:
    if text is None or loc is None:
        return
    checked = scope.checked(text)
    if checked.syntax is not None:
        error = checked.syntax
        ctx.add("GX401", _locate(ctx, loc, error.offset), error.hint, detail=error.message)
        return
    node = checked.node
    assert node is not None
    if _reads_untyped_field(ctx, scope.entity, node):
        return  # the field's unknown type is reported already; its uses would only echo it
    problems = checked.problems_for(expect)
    if not problems:
        problems = _beyond_types(ctx, node, scope)
    if not problems:
        for problem in unknown_states(ctx, node, scope.entity):
            ctx.add("GX404", _locate(ctx, loc, problem.offset), problem.hint,
                    detail=prefix + problem.message)
    for problem in problems:
        message, hint = problem.message, problem.hint
        removed = _removed_field(ctx, scope.entity, message)
        if removed:
            ctx.unknown("field", scope.entity, removed, _locate(ctx, loc, problem.offset),
                        "GX402", hint)
            continue
        if " — " in message:
            # "unknown field 'x' — did you mean 'y'?": the suggestion is the hint
            message, suggestion = message.split(" — ", 1)
            hint = f"{suggestion}; {hint}" if hint else suggestion
        option = _option_named(ctx, scope.entity, message)
        if option:
            hint = f'an option is text: write it in quotes, "{option}"'

        ctx.add("GX402", _locate(ctx, loc, problem.offset), hint or _EXPR_HINT,
                detail=prefix + message)


def unknown_states(ctx: Context, node: Node, entity: str) -> list[ExprProblem]:
    """Texts compared with an entity's `state` (==, !=, in, not in) that are not states of
    its workflow: `state == "Won"` where the state is `won`."""
    problems: list[ExprProblem] = []
    todo: list[Node] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, Binary):
            todo += [current.left, current.right]
            if current.op in ("==", "!=", "in", "not in"):
                problems += _compared_states(ctx, current, entity)
        elif isinstance(current, Unary):
            todo.append(current.operand)
        elif isinstance(current, Call):
            todo.extend(current.args)
    return problems


def _compared_states(ctx: Context, node: Binary, entity: str) -> list[ExprProblem]:
    sides = [(node.left, node.right), (node.right, node.left)]
    for state, other in sides[:1] if node.op in ("in", "not in") else sides:
        states = _states_of(ctx, state, entity)
        if states is None:
            continue
        texts = other.items if isinstance(other, ListOf) else (other,)
        return [
            ExprProblem(f"'{text.value}' is not a state of workflow '{workflow}'",
                        text.offset, _closest_state(str(text.value), names))
            for workflow, names in (states,)
            for text in texts
            if isinstance(text, Literal) and text.kind == "text" and text.value not in names
        ]
    return []


def _states_of(ctx: Context, node: Node, entity: str) -> tuple[str, list[str]] | None:
    """The workflow and states of the record whose `state` the node reads, if it does."""
    if not isinstance(node, Name) or node.parts[-1] != "state":
        return None
    spec = ctx.spec.entity(entity)
    for part in node.parts[:-1]:
        field = spec.field(part) if spec else None
        spec = ctx.spec.entity(field.ref) if field and field.ref else None
    workflow = ctx.spec.workflow(spec.workflow) if spec and spec.workflow else None
    if workflow is None:
        return None
    return workflow.name, [s.name for s in workflow.states]


def _closest_state(text: str, names: list[str]) -> str:
    same = [n for n in names if n.lower() == text.lower()]
    if same:
        return f"did you mean '{same[0]}'? State names are case-sensitive"
    return suggest(text, names, "states")


def _reads_untyped_field(ctx: Context, entity: str, node: Node) -> bool:
    """Whether the expression reads a field of `entity` declared with an unknown type."""
    fields = ctx.raw.entities.get(entity, {})
    fields = fields.get("fields") if isinstance(fields, dict) else None
    if not isinstance(fields, dict):
        return False
    for used in fields_used(node):
        declared = fields.get(str(used).split(".")[0])
        if isinstance(declared, dict) and declared.get("type") not in FIELD_TYPES:
            return True
    return False


def _option_named(ctx: Context, entity: str, message: str) -> str | None:
    """The name in "unknown field 'x'" when `x` is an option of one of the entity's fields
    (the author meant the text "x")."""
    match = re.match(r"unknown field '([^']+)'$", message)
    spec = ctx.spec.entity(entity)
    if match is None or spec is None:
        return None
    name = match.group(1)
    options = {o.value for f in spec.fields for o in f.options}
    return name if name in options else None


def _removed_field(ctx: Context, entity: str, message: str) -> str | None:
    """The field an "unknown field 'x'" problem names, when an overlay removed it."""
    for removal in ctx.raw.removals:
        if removal.what == "field" and removal.owner == entity and (
                message == f"unknown field '{removal.name}'"
                or message.startswith(f"unknown field '{removal.name}' —")):
            return removal.name
    return None


def _beyond_types(ctx: Context, node: Node, scope: Scope) -> list[ExprProblem]:
    """What the type checker cannot know: `state` exists only with a workflow, and
    `has_role` must name a role of the project."""
    problems: list[ExprProblem] = []
    roles = {r.name for r in ctx.spec.roles}
    todo: list[Node] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, Name):
            entity = ctx.spec.entity(scope.entity)
            for index, part in enumerate(current.parts):
                if entity is None:
                    break
                if part == "state" and not entity.workflow:
                    problems.append(ExprProblem(
                        f"entity '{entity.name}' has no workflow, so it has no 'state'",
                        current.offset, "add 'workflow:' to the entity, or use another field"))
                    break
                field = entity.field(part)
                if index + 1 < len(current.parts):
                    entity = ctx.spec.entity(field.ref) if field and field.ref else None
        elif isinstance(current, Call):
            if current.name == "has_role" and current.args and \
                    isinstance(current.args[0], Literal) and current.args[0].kind == "text" \
                    and current.args[0].value not in roles:
                role = current.args[0].value
                problems.append(ExprProblem(f"unknown role '{role}' in has_role",
                                            current.args[0].offset,
                                            suggest(role, roles, "roles")))
            todo.extend(current.args)
        elif isinstance(current, Binary):
            todo += [current.left, current.right]
        elif isinstance(current, Unary):
            todo.append(current.operand)
        elif isinstance(current, ListOf):
            todo.extend(current.items)
    return problems


def check_computed_cycles(ctx: Context) -> None:
    """Computed fields may read other computed fields, but not in a circle."""
    for entity in ctx.spec.entities:
        reads: dict[str, set[str]] = {}
        scope = Scope.for_entity(ctx.spec, entity)
        for field in entity.fields:
            if field.compute is None:
                continue
            tree = scope.tree(field.compute)
            used = fields_used(tree) if not isinstance(tree, ExprSyntaxError) else ()
            reads[field.name] = {str(u).split(".")[0] for u in used}
        for field in entity.fields:
            cycle = find_cycle(reads, field.name)
            if cycle and field.compute_loc is not None:
                ctx.add("GX324", field.compute_loc, "compute one of them from stored fields only",
                        name=field.name, cycle=" → ".join(cycle))



_EXPR_HINT = "see the expression language in docs/language.md#expressions"
