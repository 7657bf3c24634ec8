"""Aggregates written in `compute:`: a computed field whose whole expression is an
aggregate over the records of another entity that reference this one,

    won_total: {type: money, compute: 'sum(opportunity.close_value, state == "won")'}
    open_tickets: {type: integer, compute: 'count(ticket, state != "closed")'}

is the roll-up `rollup: {sum: close_value, of: opportunity, via: account, when: …}`:
stored, kept up to date in the transaction of every write to the other entity, and
checked as a roll-up is. The reference (`via`) is the one reference field of the other
entity pointing here (the checker reports none or several: GX336, GX337); the optional
second argument is the condition. An aggregate inside a larger expression, or one with
the wrong arguments, is left as written for the checker (GX338, GX339).
"""

from __future__ import annotations

from dataclasses import replace

from guanxi.expr.lexer import ExprSyntaxError
from guanxi.expr.nodes import Call, Name, Node, to_text
from guanxi.expr.parser import parse
from guanxi.spec import ROLLUP_KINDS, EntitySpec, FieldSpec, RollupSpec


def parsed(text: str) -> Node | None:
    """The expression's tree, or None when it does not parse (reported elsewhere)."""
    try:
        return parse(text)
    except ExprSyntaxError:
        return None


def is_aggregate(node: Node, entities: frozenset[str], own: frozenset[str]) -> bool:
    """Whether `node` is a call of an aggregate over another entity's records: `sum`,
    `count` … whose first argument starts with an entity's name that is not one of
    `own` fields."""
    if not isinstance(node, Call) or node.name not in ROLLUP_KINDS or not node.args:
        return False
    first = node.args[0]
    return (isinstance(first, Name) and first.parts[0] in entities
            and first.parts[0] not in own)


def shape_ok(call: Call) -> bool:
    """Whether an aggregate call has the arguments it takes: `count(entity[, cond])`,
    `sum(entity.field[, cond])` and likewise."""
    first = call.args[0]
    assert isinstance(first, Name)
    if len(call.args) > 2:
        return False
    return len(first.parts) == (1 if call.name == "count" else 2)


def _rollup(field: FieldSpec, call: Call, entity: str,
            children: dict[str, EntitySpec]) -> RollupSpec:
    first = call.args[0]
    assert isinstance(first, Name) and field.compute_loc is not None
    of = first.parts[0]
    child = children[of]
    here = [f.name for f in child.fields if f.type == "reference" and f.ref == entity]
    when = to_text(call.args[1]) if len(call.args) == 2 else None
    return RollupSpec(kind=call.name, of=of, via=here[0] if len(here) == 1 else "",
                      loc=field.compute_loc,
                      field=first.parts[1] if len(first.parts) == 2 else None, when=when,
                      when_loc=field.compute_loc if when is not None else None,
                      written="compute")


def with_aggregates(entities: tuple[EntitySpec, ...]) -> tuple[EntitySpec, ...]:
    """The entities with each computed field that is one aggregate turned into the
    roll-up it means (its `compute` cleared)."""
    children = {e.name: e for e in entities}
    names = frozenset(children)
    result = []
    for entity in entities:
        own = frozenset(f.name for f in entity.fields)
        fields = []
        for field in entity.fields:
            tree = parsed(field.compute) if field.compute and field.rollup is None else None
            if (tree is not None and isinstance(tree, Call) and is_aggregate(tree, names, own)
                    and shape_ok(tree)):
                field = replace(field, compute=None, compute_loc=None,
                                rollup=_rollup(field, tree, entity.name, children))
            fields.append(field)
        result.append(replace(entity, fields=tuple(fields)))
    return tuple(result)
