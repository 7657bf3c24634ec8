"""The expression tree: frozen nodes, each remembering where it was written.

`offset` is the 0-based index of a node's first character in the expression text, except
for operators (`Binary`, `Unary`), whose offset is that of the operator itself, so that a
message about `a > "x"` points at the `>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Value = int | Decimal | str | bool | None


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant. kind: "number", "text", "boolean", "null" or "duration" (seconds)."""

    offset: int
    value: Value
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class Name:
    """A field, a path through references (`account.sector`), or `current_user`."""

    offset: int
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    """`-x` or `not x`."""

    offset: int
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """`left op right`: and, or, a comparison, in, not in, or arithmetic."""

    offset: int
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class ListOf:
    """`[a, b, c]`, written on the right of `in`."""

    offset: int
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """`name(arg, ...)`, one of the named functions."""

    offset: int
    name: str
    args: tuple[Node, ...]


Node = Literal | Name | Unary | Binary | ListOf | Call

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
MEMBERSHIP = frozenset({"in", "not in"})
ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}


def _level(node: Node) -> int:
    if isinstance(node, Binary):
        if node.op in COMPARISONS or node.op in MEMBERSHIP:
            return _PRECEDENCE["cmp"]
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return _PRECEDENCE["not"] if node.op == "not" else 7
    return 8


def to_text(node: Node) -> str:
    """The expression written back as text, with only the parentheses it needs."""
    if isinstance(node, Literal):
        return node.source
    if isinstance(node, Name):
        return ".".join(node.parts)
    if isinstance(node, ListOf):
        return "[" + ", ".join(to_text(i) for i in node.items) + "]"
    if isinstance(node, Call):
        return node.name + "(" + ", ".join(to_text(a) for a in node.args) + ")"
    if isinstance(node, Unary):
        inner = to_text(node.operand)
        if _level(node.operand) < _level(node):
            inner = f"({inner})"
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    level = _level(node)
    left, right = to_text(node.left), to_text(node.right)
    # Comparisons do not chain, so a comparison on either side needs parentheses.
    if _level(node.left) < level or (level == _PRECEDENCE["cmp"] == _level(node.left)):
        left = f"({left})"
    # Operators are left-associative: an equal-level right operand needs parentheses.
    if _level(node.right) <= level:
        right = f"({right})"
    return f"{left} {node.op} {right}"
