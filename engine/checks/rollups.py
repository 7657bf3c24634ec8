"""Roll-ups and the values derived across entities: each `rollup:` names an entity, a
reference of it pointing here, a field of a type the aggregate can take and store, and
a condition that type-checks on the rolled-up entity and reads its own fields; no value
depends on itself through roll-ups and references; a computed field reads through one
reference at most (so it can be kept up to date when that record changes)."""

from __future__ import annotations

from collections.abc import Iterator

from guanxi.checks.expressions import check_expression
from guanxi.checks.registry import Context, find_cycle, register, suggest
from guanxi.expr import Binary, Call, ExprSyntaxError, ListOf, Name, Scope, Unary, names_in
from guanxi.expr import Node as ExprNode
from guanxi.expr.types import PRINCIPAL_NAMES
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.language.tree import LocDict
from guanxi.spec import EntitySpec, FieldSpec, Loc, RollupSpec

# Field kinds each aggregate reads.
_READS = {"sum": ("number",), "avg": ("number",),
          "min": ("number", "date", "datetime", "duration"),
          "max": ("number", "date", "datetime", "duration")}
# A node of the dependency graph: (entity, field).
Node = tuple[str, str]


def _rollup_data(ctx: Context, entity: str, field: str) -> LocDict | None:
    data = ctx.raw.entities.get(entity)
    for key in ("fields", field, "rollup"):
        if not isinstance(data, LocDict):
            return None
        data = data.get(key)
    return data if isinstance(data, LocDict) else None


def _at(data: LocDict | None, key: str, fallback: Loc) -> Loc:
    return data.value_loc(key) if data is not None and key in data else fallback


def _kind_of(entity: EntitySpec, name: str) -> tuple[str, str] | None:
    """(type, kind) of a declared or system field of the entity."""
    field = entity.field(name)
    kind = field.type if field is not None else SYSTEM_FIELDS.get(name)
    if kind is None or kind not in FIELD_TYPES:
        return None
    return kind, FIELD_TYPES[kind].kind


@register(65)
def check_rollups(ctx: Context) -> None:
    """Every roll-up field, then cycles across entities, then paths in computed fields."""
    for entity in ctx.spec.entities:
        for field in entity.fields:
            rollup = field.rollup
            # An aggregate in `compute:` without its one reference: GX336, GX337.
            if rollup is not None and (rollup.via or rollup.written != "compute"):
                _check_rollup(ctx, entity, field, rollup)
            if field.compute is not None and field.compute_loc is not None:
                _check_paths(ctx, entity, field)
    _check_cycles(ctx)


def _check_rollup(ctx: Context, entity: EntitySpec, field: FieldSpec,
                  rollup: RollupSpec) -> None:
    data = _rollup_data(ctx, entity.name, field.name)
    if field.compute is not None:
        ctx.add("GX325", rollup.loc, "keep either 'compute' or 'rollup'", name=field.name)
        return
    child = ctx.spec.entity(rollup.of)
    if child is None:
        key = "of" if data is not None and "of" in data else rollup.kind
        ctx.unknown("entity", None, rollup.of, _at(data, key, rollup.loc), "GX326",
                    suggest(rollup.of, [e.name for e in ctx.spec.entities], "entities"),
                    name=field.name, of=rollup.of)
        return
    if not _check_via(ctx, entity, field, rollup, child, data):
        return
    if rollup.kind != "count" and not _check_source(ctx, entity, field, rollup, child, data):
        return
    if rollup.final is not None and not child.workflow:
        ctx.add("GX330", _at(data, "final", rollup.loc),
                f"remove 'final', or give '{child.name}' a workflow", name=field.name,
                of=child.name)
    if rollup.when is not None and rollup.when_loc is not None:
        _check_condition(ctx, field, rollup, child)


def _check_via(ctx: Context, entity: EntitySpec, field: FieldSpec, rollup: RollupSpec,
               child: EntitySpec, data: LocDict | None) -> bool:
    via = child.field(rollup.via)
    if via is not None and via.type == "reference" and via.ref == entity.name:
        return True
    here = [f.name for f in child.fields if f.type == "reference" and f.ref == entity.name]
    hint = (suggest(rollup.via, here, "references") if here else
            f"add a field '{entity.name}: {{type: reference, to: {entity.name}}}' to "
            f"'{child.name}'")
    ctx.add("GX327", _at(data, "via", rollup.loc), hint, name=field.name, via=rollup.via,
            of=child.name, entity=entity.name)
    return False


def _check_source(ctx: Context, entity: EntitySpec, field: FieldSpec, rollup: RollupSpec,
                  child: EntitySpec, data: LocDict | None) -> bool:
    at = _at(data, rollup.kind, rollup.loc)
    name = rollup.field or ""
    source = _kind_of(child, name)
    if source is None:
        known = [f.name for f in child.fields] + list(SYSTEM_FIELDS)
        ctx.add("GX328", at, suggest(name, known, f"fields of '{child.name}'"),
                name=field.name, field=name, of=child.name)
        return False
    target = FIELD_TYPES[field.type]
    fits = source[1] in _READS[rollup.kind] and target.kind == source[1]
    if fits and field.type == "integer" and (source[0] != "integer" or rollup.kind == "avg"):
        fits = False
    if not fits:
        ctx.add("GX329", at, _type_hint(rollup.kind, source), name=field.name,
                kind=rollup.kind, source=source[0], target=field.type)
    return fits


def _type_hint(kind: str, source: tuple[str, str]) -> str:
    if source[1] not in _READS[kind]:
        return f"{kind} reads {' or '.join(_READS[kind])} fields; use count for others"
    if kind == "avg" or source[0] != "integer":
        return f"make the field a decimal or money field, like '{source[0]}'"
    return f"make the field a {source[0]} field"


def _check_condition(ctx: Context, field: FieldSpec, rollup: RollupSpec,
                     child: EntitySpec) -> None:
    assert rollup.when is not None and rollup.when_loc is not None
    scope = Scope.for_entity(ctx.spec, child)
    before = len(ctx.found)
    check_expression(ctx, rollup.when, rollup.when_loc, scope, "boolean",
               f"in the roll-up of '{field.name}' over '{child.name}': ")
    if len(ctx.found) > before:
        return
    tree = scope.tree(rollup.when)
    assert not isinstance(tree, ExprSyntaxError)
    personal = _personal(tree)
    if personal is not None:
        ctx.add("GX335", rollup.when_loc, "a roll-up is the same for everyone; compare "
                "with fields, constants, today() or now()", name=field.name, what=personal)
        return
    for name in names_in(tree):
        if len(name.parts) > 1:
            ctx.add("GX331", rollup.when_loc,
                    f"roll up over the fields of '{child.name}' itself; copy "
                    f"'{'.'.join(name.parts)}' into a computed field of '{child.name}' "
                    "first", name=field.name, path=".".join(name.parts))
            return


def _personal(tree: ExprNode) -> str | None:
    """What in a condition depends on who evaluates it: `current_user`, `has_role`,
    `same_team`."""
    todo: list[ExprNode] = [tree]
    while todo:
        current = todo.pop()
        if isinstance(current, Name) and len(current.parts) == 1 \
                and current.parts[0] in PRINCIPAL_NAMES:
            return current.parts[0]
        if isinstance(current, Call):
            if current.name in ("has_role", "same_team"):
                return f"{current.name}()"
            todo.extend(current.args)
        elif isinstance(current, Binary):
            todo += [current.left, current.right]
        elif isinstance(current, Unary):
            todo.append(current.operand)
        elif isinstance(current, ListOf):
            todo.extend(current.items)
    return None


def _check_paths(ctx: Context, entity: EntitySpec, field: FieldSpec) -> None:
    assert field.compute is not None and field.compute_loc is not None
    tree = Scope.for_entity(ctx.spec, entity).tree(field.compute)
    if isinstance(tree, ExprSyntaxError):
        return
    for name in names_in(tree):
        if len(name.parts) > 2:
            ctx.add("GX333", field.compute_loc,
                    f"compute '{'.'.join(name.parts[1:])}' into a field of "
                    f"'{name.parts[0]}'s entity and read that", name=field.name,
                    path=".".join(name.parts))
            return


# ---------------------------------------------------------------- cycles


def _edges(ctx: Context) -> dict[Node, set[Node]]:
    """What each derived value reads: a roll-up reads the child's reference, field and
    condition; a computed field its own fields and, through a reference, the other
    entity's field."""
    edges: dict[Node, set[Node]] = {}
    for entity in ctx.spec.entities:
        scope = Scope.for_entity(ctx.spec, entity)
        for field in entity.fields:
            node = (entity.name, field.name)
            rollup = field.rollup
            if rollup is not None and ctx.spec.entity(rollup.of) is not None:
                reads = {(rollup.of, rollup.via)}
                if rollup.field:
                    reads.add((rollup.of, rollup.field))
                if rollup.when is not None:
                    tree = scope.tree(rollup.when)
                    if not isinstance(tree, ExprSyntaxError):
                        reads |= {(rollup.of, n.parts[0]) for n in names_in(tree)}
                edges[node] = reads
            elif field.compute is not None:
                tree = scope.tree(field.compute)
                if isinstance(tree, ExprSyntaxError):
                    continue
                edges[node] = set(_computed_reads(ctx, entity, tree))
    return edges


def _computed_reads(ctx: Context, entity: EntitySpec, tree: object) -> Iterator[Node]:
    for name in names_in(tree):  # type: ignore[arg-type]
        yield entity.name, name.parts[0]
        ref = entity.field(name.parts[0])
        if len(name.parts) > 1 and ref is not None and ref.ref is not None:
            yield ref.ref, name.parts[1]


def _check_cycles(ctx: Context) -> None:
    edges = _edges(ctx)
    reported: set[frozenset[Node]] = set()
    for start in edges:
        cycle = find_cycle(edges, start)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        # Told at the roll-up of the cycle, if it has one.
        ring = cycle[:-1]
        first = next((i for i, node in enumerate(ring)
                      if (found := _spec(ctx, node)) is not None and found.rollup is not None),
                     0)
        ring = ring[first:] + ring[:first]
        spec = _spec(ctx, ring[0])
        if spec is None or (len({e for e, _ in ring}) == 1 and spec.rollup is None):
            continue  # computed fields of one entity: GX324
        loc = spec.rollup.loc if spec.rollup is not None else spec.compute_loc or spec.loc
        ctx.add("GX332", loc, "roll up or compute one of them from stored fields only",
                name=f"{ring[0][0]}.{ring[0][1]}",
                cycle=" → ".join(f"{e}.{f}" for e, f in [*ring, ring[0]]))


def _spec(ctx: Context, node: Node) -> FieldSpec | None:
    entity = ctx.spec.entity(node[0])
    return entity.field(node[1]) if entity is not None else None



