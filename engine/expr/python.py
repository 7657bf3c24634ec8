"""Compiles an expression tree to a Python callable over a record dict."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from guanxi.expr.checked import Checked
from guanxi.expr.checker import annotate
from guanxi.expr.functions import FUNCTIONS, Context
from guanxi.expr.nodes import COMPARISONS, Binary, Call, ListOf, Literal, Name, Node, Unary
from guanxi.expr.scope import Scope
from guanxi.expr.types import CURRENT_ACCOUNT, CURRENT_CONTACT, CURRENT_USER, Type

Resolver = Callable[[str, int], Mapping[str, Any] | None]
Evaluator = Callable[[Mapping[str, Any], Context, Resolver | None], Any]

_SIX_PLACES = Decimal("0.000001")


def to_python(node: Node | Checked, scope: Scope) -> Evaluator:
    """A function (record, ctx, resolver=None) -> value computing `node` on a record.

    A condition returns True or False, never None. Paths through references call
    `resolver(entity, id)`; without a resolver they are null. Given a `Checked` (from
    `scope.checked(text)`), its tree and types are used as they are.
    """
    if isinstance(node, Checked):
        types: Mapping[Node, Type] = node.types
        node = node.tree()
    else:
        types = annotate(node, scope)
    compiled = _Compiler(scope, types).value(node)
    if types[node].kind == "boolean":
        inner = compiled

        def condition(record: Mapping[str, Any], ctx: Context,
                      resolver: Resolver | None = None) -> Any:
            return _true(inner(record, ctx, resolver))

        return condition

    def evaluate(record: Mapping[str, Any], ctx: Context,
                 resolver: Resolver | None = None) -> Any:
        return compiled(record, ctx, resolver)

    return evaluate


def _true(value: Any) -> bool:
    return value is not None and bool(value)


def normalize(kind: str, value: Any) -> Any:
    """A stored value in the Python form expressions compute with (see docs)."""
    if value is None:
        return None
    if kind == "number" and isinstance(value, float):
        return Decimal(repr(value))
    if kind == "list" and isinstance(value, str):
        value = json.loads(value)
    if kind == "list":
        return None if value is None else list(value)
    if kind == "datetime" and isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if kind == "date" and isinstance(value, datetime):
        return value.date()
    return value


def _round6(value: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 80
        return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


class _Compiler:
    def __init__(self, scope: Scope, types: Mapping[Node, Type]) -> None:
        self.scope = scope
        self.types = types

    def value(self, node: Node) -> Evaluator:
        if isinstance(node, Literal):
            constant = node.value
            return lambda record, ctx, resolver: constant
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, ListOf):
            items = [self.value(item) for item in node.items]
            return lambda record, ctx, resolver: [f(record, ctx, resolver) for f in items]
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            operand = self.value(node.operand)
            if node.op == "not":
                return lambda record, ctx, resolver: not _true(operand(record, ctx, resolver))

            def negate(record: Mapping[str, Any], ctx: Context, resolver: Resolver | None) -> Any:
                v = operand(record, ctx, resolver)
                return None if v is None else -v

            return negate
        return self.binary(node)

    def name(self, node: Name) -> Evaluator:
        if node.parts == (CURRENT_USER,):
            return lambda record, ctx, resolver: ctx.user_id
        if node.parts == (CURRENT_CONTACT,):
            return lambda record, ctx, resolver: ctx.contact_id
        if node.parts == (CURRENT_ACCOUNT,):
            return lambda record, ctx, resolver: ctx.account_id
        chain = self.scope.resolve(node.parts)
        assert isinstance(chain, tuple)
        kind = chain[-1].kind
        first = chain[0].name
        if len(chain) == 1:
            return lambda record, ctx, resolver: normalize(kind, record.get(first))
        hops = [(hop.ref, nxt.name) for hop, nxt in itertools.pairwise(chain)]

        def follow(record: Mapping[str, Any], ctx: Context, resolver: Resolver | None) -> Any:
            value = record.get(first)
            for entity, field_name in hops:
                if value is None or resolver is None or entity is None:
                    return None
                row = resolver(entity, value)
                if row is None:
                    return None
                value = row.get(field_name)
            return normalize(kind, value)

        return follow

    def call(self, node: Call) -> Evaluator:
        function = FUNCTIONS[node.name]
        args = [self.value(arg) for arg in node.args]
        impl = function.python
        return lambda record, ctx, resolver: impl([a(record, ctx, resolver) for a in args], ctx)

    def binary(self, node: Binary) -> Evaluator:
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if op == "and":
            return lambda r, c, s: _true(left(r, c, s)) and _true(right(r, c, s))
        if op == "or":
            return lambda r, c, s: _true(left(r, c, s)) or _true(right(r, c, s))
        if op in COMPARISONS:
            return self.comparison(node, left, right)
        if op in ("in", "not in"):
            negated = op == "not in"

            def member(r: Mapping[str, Any], c: Context, s: Resolver | None) -> bool:
                item, items = left(r, c, s), right(r, c, s)
                found = item is not None and items is not None and any(
                    i is not None and i == item for i in items
                )
                return not found if negated else found

            return member
        arithmetic = _arithmetic(op, self.types[node.left], self.types[node.right])

        def compute(r: Mapping[str, Any], c: Context, s: Resolver | None) -> Any:
            a, b = left(r, c, s), right(r, c, s)
            if a is None or b is None:
                return None
            try:
                return arithmetic(a, b)
            except (ArithmeticError, ValueError):
                return None

        return compute

    def comparison(self, node: Binary, left: Evaluator, right: Evaluator) -> Evaluator:
        op = node.op
        null_left = isinstance(node.left, Literal) and node.left.kind == "null"
        null_right = isinstance(node.right, Literal) and node.right.kind == "null"
        if null_left or null_right:
            # Only the literal null tests for emptiness; conditions are never null.
            other = right if null_left else left
            if op == "==":
                return lambda r, c, s: other(r, c, s) is None
            return lambda r, c, s: other(r, c, s) is not None
        kind = self.types[node.left].kind
        compare = _COMPARE[op]
        if kind == "boolean":
            left = _as_condition_or_raw(node.left, left)
            right = _as_condition_or_raw(node.right, right)

        def evaluate(r: Mapping[str, Any], c: Context, s: Resolver | None) -> bool:
            a, b = left(r, c, s), right(r, c, s)
            if a is None or b is None:
                return False
            return compare(a, b)

        return evaluate


def _is_raw(node: Node) -> bool:
    """A boolean value that may be null: a field, a path, or coalesce of such."""
    return isinstance(node, Name) or (isinstance(node, Call) and node.name == "coalesce")


def _as_condition_or_raw(node: Node, f: Evaluator) -> Evaluator:
    if _is_raw(node):
        return lambda r, c, s: None if (v := f(r, c, s)) is None else bool(v)
    return lambda r, c, s: _true(f(r, c, s))


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _arithmetic(op: str, left: Type, right: Type) -> Callable[[Any, Any], Any]:
    kinds = (left.kind, right.kind)
    if kinds == ("number", "number"):
        if left.integral and right.integral and op != "/":
            return _INTEGER_OPS[op]
        return _DECIMAL_OPS[op]
    if kinds == ("text", "text"):
        return lambda a, b: a + b
    if kinds == ("duration", "duration"):
        return (lambda a, b: a + b) if op == "+" else (lambda a, b: a - b)
    if kinds == ("datetime", "datetime"):
        return _seconds_between
    if right.kind == "duration":
        sign = 1 if op == "+" else -1
        return lambda a, b: _shift(a, sign * b)
    return lambda a, b: _shift(b, a)


def _shift(moment: date | datetime, seconds: int) -> date | datetime:
    # date + timedelta adds whole days (floor of seconds / 86400), like SQL's date().
    return moment + timedelta(seconds=seconds)


def _seconds_between(a: datetime, b: datetime) -> int:
    delta = a.replace(microsecond=0) - b.replace(microsecond=0)
    return delta.days * 86400 + delta.seconds


def _truncated_remainder(a: int, b: int) -> int | None:
    if b == 0:
        return None
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def _decimal(op: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Decimal | None:
        with localcontext() as context:
            context.prec = 80
            return _round6(op(Decimal(a), Decimal(b)))

    return apply


def _divide(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise ValueError("division by zero")
    return a / b


_INTEGER_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "%": _truncated_remainder,
}
_DECIMAL_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _decimal(lambda a, b: a + b),
    "-": _decimal(lambda a, b: a - b),
    "*": _decimal(lambda a, b: a * b),
    "/": _decimal(_divide),
    "%": lambda a, b: _truncated_remainder(int(a), int(b)),
}
