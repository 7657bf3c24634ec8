"""The types of expression values, how messages name them, and what checking a call needs
of the type checker (so the function table need not know the checker itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from guanxi.expr.nodes import Node


@dataclass(frozen=True, slots=True)
class Type:
    """The type of a value in an expression.

    kind: "text", "number", "boolean", "date", "datetime", "duration", "list", "id" or
    "null". integral: a number known to be whole. item: the kind of a list's items.
    ref: for "id", what it refers to ("user" or an entity name).
    """

    kind: str
    integral: bool = False
    item: str | None = None
    ref: str | None = None



class Checking(Protocol):
    """What the function table asks of the type checker while checking a call."""

    def fail(self, message: str, node: Node, hint: str | None = None) -> None: ...

    def type_of(self, node: Node) -> Type | None: ...


KIND_WORDS = {
    "text": "text", "number": "a number", "boolean": "true or false", "date": "a date",
    "datetime": "a date and time", "duration": "a duration", "list": "a list",
    "id": "a record", "null": "null",
}


def describe(t: Type) -> str:
    """How a type is named in messages: "a number", "text", "a user" …"""
    if t.kind == "id":
        if t.ref == "user":
            return "a user"
        return f"{'an' if str(t.ref)[:1] in 'aeiou' else 'a'} {t.ref} record"
    if t.kind == "list" and t.item and t.item != "text":
        return f"a list of {KIND_WORDS[t.item].removeprefix('a ')}s"
    return KIND_WORDS[t.kind]


def comparable(a: Type, b: Type) -> bool:
    """Whether values of types `a` and `b` may be compared (or coalesced)."""
    if a.kind == "id" and b.kind == "id":
        return a.ref == b.ref or None in (a.ref, b.ref)
    # Records are compared with numbers by id: owner == 3.
    if {a.kind, b.kind} == {"id", "number"}:
        return True
    return a.kind == b.kind
