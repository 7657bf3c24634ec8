"""Measures: aggregates over a report's records, and arithmetic on aggregates.

A measure is written in the expression language's syntax, with aggregate calls:

    count()                       every record
    count(state == "won")         the records where a condition holds
    count(email)                  the records with a value
    count_distinct(account)       how many different values
    sum(amount)   avg(amount)   min(close_date)   max(amount)
    sum(amount, state == "won")   any aggregate but count() may take a condition
    count(state == "won") / count(state in ["won", "lost"])      a ratio

Inside an aggregate, any expression on the entity (paths through references too); outside,
only aggregates, numbers, + - * / and parentheses. The database computes the aggregates
in the report's one query; the arithmetic between them is done exactly (decimals) on the
aggregated rows, so a ratio is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.expr import Binary, Call, Literal, Node, Unary
from guanxi.expr.types import ExprProblem

AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max")
# Counts over a report's SLA clocks (`sla:`): those that met their target, and those
# that missed it (breached, stopped late, or running past due).
SLA_COUNTS = ("sla_met", "sla_missed")
_NUMERIC = ("sum", "avg")
_ARITHMETIC = ("+", "-", "*", "/")
DEFAULT_SCALE = 2
RATIO_SCALE = 4


@dataclass(frozen=True, slots=True)
class Atom:
    """One aggregate call of a measure: `function` over `value` (None: every record) on
    the records where `condition` holds (None: all)."""

    call: Call
    function: str
    value: Node | None
    condition: Node | None


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed measure: its tree (aggregate calls and arithmetic) and its atoms."""

    text: str
    tree: Node
    atoms: tuple[Atom, ...]

    @property
    def ratio(self) -> bool:
        return _has_division(self.tree)

    def paths(self) -> tuple[Node, ...]:
        """The expressions the measure reads (values and conditions of its atoms)."""
        return tuple(n for a in self.atoms for n in (a.value, a.condition) if n is not None)


def _has_division(node: Node) -> bool:
    if isinstance(node, Binary):
        return node.op == "/" or _has_division(node.left) or _has_division(node.right)
    if isinstance(node, Unary):
        return _has_division(node.operand)
    return False


@functools.lru_cache(maxsize=1024)
def parse_measure(text: str) -> Formula:
    """The measure `text` parsed (once per text: the result is frozen); ExprSyntaxError
    or ExprInvalid (with located problems) when it is not a measure. Types are checked
    by `check_measure`."""
    tree = expr.parse(text)
    atoms: list[Atom] = []
    problems: list[ExprProblem] = []
    _collect(tree, atoms, problems)
    if problems:
        raise expr.ExprInvalid(problems)
    return Formula(text, tree, tuple(atoms))


def _collect(node: Node, atoms: list[Atom], problems: list[ExprProblem]) -> None:
    if isinstance(node, Literal) and node.kind == "number":
        return
    if isinstance(node, Unary) and node.op == "-":
        _collect(node.operand, atoms, problems)
        return
    if isinstance(node, Binary) and node.op in _ARITHMETIC:
        _collect(node.left, atoms, problems)
        _collect(node.right, atoms, problems)
        return
    if isinstance(node, Call) and node.name in SLA_COUNTS and not node.args:
        atoms.append(Atom(node, node.name, None, None))
        return
    if isinstance(node, Call) and node.name in AGGREGATES:
        atom = _atom(node, problems)
        if atom is not None:
            atoms.append(atom)
        return
    if isinstance(node, Call):
        close = difflib.get_close_matches(node.name, AGGREGATES + SLA_COUNTS, n=1)
        problems.append(ExprProblem(
            f"'{node.name}' is no aggregate", node.offset,
            f"did you mean '{close[0]}'?" if close else "the aggregates are: "
            + ", ".join(AGGREGATES)))
        return
    problems.append(ExprProblem(
        "a measure is made of aggregates (" + ", ".join(f"{a}(…)" for a in AGGREGATES)
        + "), numbers and + - * /", getattr(node, "offset", 0),
        'put fields inside an aggregate, e.g. sum(amount) or count(state == "won")'))


def _atom(node: Call, problems: list[ExprProblem]) -> Atom | None:
    args = node.args
    if node.name == "count" and len(args) <= 1:
        return Atom(node, "count", args[0] if args else None, None)
    if node.name != "count" and len(args) in (1, 2):
        return Atom(node, node.name, args[0], args[1] if len(args) == 2 else None)
    shape = "count(), count(condition) or count(value)" if node.name == "count" else \
        f"{node.name}(value) or {node.name}(value, condition)"
    problems.append(ExprProblem(f"{node.name} takes {shape}", node.offset))
    return None


def check_measure(formula: Formula, scope: expr.Scope) -> list[ExprProblem]:
    """Type problems: each value and condition checked on the entity; sum and avg need
    numbers, conditions are conditions."""
    problems: list[ExprProblem] = []
    for atom in formula.atoms:
        if atom.condition is not None:
            problems.extend(expr.check(atom.condition, scope, "boolean"))
        if atom.value is None:
            continue
        if atom.function in _NUMERIC:
            problems.extend(expr.check(atom.value, scope, "number"))
        else:
            problems.extend(expr.check(atom.value, scope, None))
    return problems


# ------------------------------------------------------------ SQL

@dataclass(frozen=True, slots=True)
class AtomColumns:
    """How one atom is computed: the per-record inputs (selected in the inner query) and
    the aggregates over them (in the outer one), and how to read the results."""

    inputs: tuple[sa.ColumnElement[Any], ...]
    aggregate: Callable[[Sequence[Any]], Sequence[sa.ColumnElement[Any]]]
    read: Callable[[Sequence[Any]], Any]
    integral: bool


def _number(value: Any) -> Decimal | int | None:
    if value is None or isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def atom_columns(atom: Atom, compile_node: Callable[[Node], sa.ColumnElement[Any]],
                 types: Callable[[Node], expr.Type],
                 clocks: Mapping[str, sa.ColumnElement[bool]] | None = None) -> AtomColumns:
    """The SQL of `atom`; `compile_node` compiles an expression on the entity; `clocks`
    the conditions of `sla_met()` and `sla_missed()` on the report's SLA clock."""
    function = atom.function
    if function in SLA_COUNTS:
        if clocks is None:
            raise ValueError(f"{function}() counts SLA clocks: the report needs sla:")
        one = sa.case((clocks[function], sa.literal(1, sa.Integer())), else_=sa.null())
        return AtomColumns((one,), lambda cols: (sa.func.count(cols[0]),),
                           lambda v: int(v[0] or 0), True)
    if function == "count" and atom.value is None:
        return AtomColumns((), lambda cols: (sa.func.count(),), lambda v: int(v[0] or 0), True)
    value = atom.value
    assert value is not None
    if types(value).kind == "boolean" and function == "count":
        condition = compile_node(value)
        one = sa.case((condition, sa.literal(1, sa.Integer())), else_=sa.null())
        return AtomColumns((one,), lambda cols: (sa.func.count(cols[0]),),
                           lambda v: int(v[0] or 0), True)
    column = compile_node(value)
    if atom.condition is not None:
        column = sa.case((compile_node(atom.condition), column), else_=sa.null())
    integral = types(value).integral
    if function == "count":
        return AtomColumns((column,), lambda cols: (sa.func.count(cols[0]),),
                           lambda v: int(v[0] or 0), True)
    if function == "count_distinct":
        return AtomColumns((column,), lambda cols: (sa.func.count(sa.distinct(cols[0])),),
                           lambda v: int(v[0] or 0), True)
    if function == "sum":
        return AtomColumns((column,), lambda cols: (sa.func.sum(cols[0]),),
                           lambda v: _whole(_number(v[0]), integral), integral)
    if function == "avg":
        return AtomColumns((column,), lambda cols: (sa.func.sum(cols[0]), sa.func.count(cols[0])),
                           lambda v: _divide(_number(v[0]), v[1]), False)
    aggregate = sa.func.min if function == "min" else sa.func.max
    kind = types(value).kind
    read: Callable[[Sequence[Any]], Any] = (
        (lambda v: _whole(_number(v[0]), integral)) if kind == "number" else (lambda v: v[0]))
    return AtomColumns((column,), lambda cols: (aggregate(cols[0]),), read, integral)


def _whole(value: Decimal | int | None, integral: bool) -> Decimal | int | None:
    if value is None or not integral:
        return value
    return int(value)


def _divide(left: Decimal | int | None, right: Any) -> Decimal | None:
    if left is None or right is None:
        return None
    try:
        return Decimal(left) / Decimal(right)
    except (DivisionByZero, InvalidOperation):
        return None


def evaluate(formula: Formula, values: Mapping[Call, Any]) -> Any:
    """The measure from its atoms' values: arithmetic exactly, null when a part is null
    or a divisor zero."""
    return _value(formula.tree, values)


def _value(node: Node, values: Mapping[Call, Any]) -> Any:
    if isinstance(node, Call):
        return values[node]
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Unary):
        inner = _value(node.operand, values)
        return None if inner is None else -inner
    assert isinstance(node, Binary)
    left, right = _value(node.left, values), _value(node.right, values)
    if left is None or right is None:
        return None
    if not isinstance(left, int | Decimal) or not isinstance(right, int | Decimal):
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return _divide(left, right)


def rounded(value: Any, scale: int) -> Any:
    """A decimal rounded half up to `scale` places; other values as they are."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    return value


def scale_of(formula: Formula, declared: int | None) -> int:
    """The places a measure is shown with: declared, else 4 for ratios, else 2."""
    if declared is not None:
        return declared
    return RATIO_SCALE if formula.ratio else DEFAULT_SCALE
