"""Aggregates written in `compute:` (`sum(opportunity.close_value, state == "won")`,
see `guanxi.language.aggregates`): the other entity references this one through
exactly one field (GX336, GX337); an aggregate is the whole expression of its field
(GX338) and has the arguments it takes (GX339). What they become, a roll-up, is then
checked with every other roll-up (`guanxi.checks.rollups`)."""

from __future__ import annotations

from collections.abc import Iterator

from guanxi.checks.registry import Context, register
from guanxi.expr.nodes import Binary, Call, ListOf, Node, Unary, to_text
from guanxi.language.aggregates import is_aggregate, parsed
from guanxi.spec import EntitySpec, FieldSpec

_USAGE = {"count": "count(entity) or count(entity, condition)"}


def _usage(kind: str) -> str:
    return _USAGE.get(kind, f"{kind}(entity.field) or {kind}(entity.field, condition)")


def walk(node: Node) -> Iterator[Node]:
    """The node and every node under it."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, ListOf):
        for item in node.items:
            yield from walk(item)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


def misplaced(ctx: Context, entity: EntitySpec, field: FieldSpec) -> list[Call]:
    """The aggregate calls left in a computed field's expression (not turned into a
    roll-up: inside a larger expression, or with the wrong arguments)."""
    if field.compute is None:
        return []
    tree = parsed(field.compute)
    if tree is None:
        return []
    entities = frozenset(e.name for e in ctx.spec.entities)
    own = frozenset(f.name for f in entity.fields)
    return [node for node in walk(tree)
            if isinstance(node, Call) and is_aggregate(node, entities, own)]


@register(64)
def check_aggregates(ctx: Context) -> None:
    """Every aggregate written in `compute:`."""
    for entity in ctx.spec.entities:
        for field in entity.fields:
            rollup = field.rollup
            if rollup is not None and rollup.written == "compute" and not rollup.via:
                child = ctx.spec.entity(rollup.of)
                here = [] if child is None else [
                    f.name for f in child.fields
                    if f.type == "reference" and f.ref == entity.name]
                if here:
                    ctx.add("GX337", rollup.loc,
                            f"write '{field.name}' as rollup: {{{rollup.kind}: …, of: "
                            f"{rollup.of}, via: {here[0]}}} naming the reference",
                            of=rollup.of, entity=entity.name, via=", ".join(here),
                            name=field.name)
                else:
                    ctx.add("GX336", rollup.loc,
                            f"add a field '{entity.name}: {{type: reference, to: "
                            f"{entity.name}}}' to '{rollup.of}'",
                            of=rollup.of, entity=entity.name, name=field.name)
            found = misplaced(ctx, entity, field)
            if not found or field.compute_loc is None:
                continue
            call = found[0]
            if call == parsed(field.compute or ""):
                ctx.add("GX339", field.compute_loc, f"write {_usage(call.name)}",
                        name=field.name, usage=_usage(call.name))
            else:
                ctx.add("GX338", field.compute_loc,
                        f"declare a field such as 'total: {{type: …, compute: "
                        f"{to_text(call)}}}' and use 'total' here",
                        call=to_text(call), name=field.name)
