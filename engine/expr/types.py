"""The types of values in expressions, and the problems found with them."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.errors import GuanxiError

CURRENT_USER = "current_user"
# The names a customer portal's grants read: the signed-in contact and its account
# (NULL for staff, so a condition on them matches nothing outside the portal).
CURRENT_CONTACT = "current_contact"
CURRENT_ACCOUNT = "current_account"
PRINCIPAL_NAMES = (CURRENT_USER, CURRENT_CONTACT, CURRENT_ACCOUNT)


@dataclass(frozen=True, slots=True)
class ExprProblem:
    """One thing wrong with an expression: what, where (0-based offset), what to do."""

    message: str
    offset: int
    hint: str | None = None


class ExprInvalid(GuanxiError, ValueError):
    """Raised when compiling an expression that `check` would refuse."""

    def __init__(self, problems: list[ExprProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


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


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A name an expression may read: its field type, kind and reference target."""

    name: str
    type: str
    kind: str
    ref: str | None = None

    @property
    def value_type(self) -> Type:
        if self.kind == "list":
            return Type("list", item="text")
        if self.kind == "id":
            return Type("id", ref=self.ref or "user")
        return Type(self.kind, integral=self.type == "integer")


_KIND_WORDS = {
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
        return f"a list of {_KIND_WORDS[t.item].removeprefix('a ')}s"
    return _KIND_WORDS[t.kind]


def describe_kind(kind: str) -> str:
    """How a kind is named in messages: "a number", "text" …"""
    return _KIND_WORDS.get(kind, kind)


def arithmetic_type(op: str, left: Type, right: Type) -> Type | str:
    """The type of `left op right`, or what is wrong with it (to follow the expression)."""
    kinds = (left.kind, right.kind)
    if "null" in kinds:
        return "does arithmetic with null, which is always empty"
    if kinds == ("number", "number"):
        if op == "%" and not (left.integral and right.integral):
            return "uses % on a number that may have decimals; % works on whole numbers only"
        return Type("number", integral=op != "/" and left.integral and right.integral)
    if op == "+" and kinds == ("text", "text"):
        return Type("text")
    if op in "+-" and kinds == ("duration", "duration"):
        return Type("duration")
    if op in "+-" and kinds in (("date", "duration"), ("datetime", "duration")):
        return Type(left.kind)
    if op == "+" and kinds in (("duration", "date"), ("duration", "datetime")):
        return Type(right.kind)
    if op == "-" and kinds == ("datetime", "datetime"):
        return Type("duration")
    verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "divide"}[op]
    return f"cannot {verb} {describe(left)} and {describe(right)} with '{op}'"


def comparable(a: Type, b: Type) -> bool:
    if a.kind == "id" and b.kind == "id":
        return a.ref == b.ref or None in (a.ref, b.ref)
    # Records are compared with numbers by id: owner == 3.
    if {a.kind, b.kind} == {"id", "number"}:
        return True
    return a.kind == b.kind
