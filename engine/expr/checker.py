"""The type checker: the type of every sub-expression on one scope, and every problem.

`check` lists the problems (empty: the expression may be compiled); `annotate` gives the
types the compilers need. Both read names through a `Names` (a `Scope`).
"""

from __future__ import annotations

import difflib
from typing import Protocol

from guanxi.expr.functions import FUNCTIONS, signature
from guanxi.expr.nodes import (
    ARITHMETIC,
    COMPARISONS,
    Binary,
    Call,
    ListOf,
    Literal,
    Name,
    Node,
    Unary,
    to_text,
)
from guanxi.expr.types import (
    CURRENT_USER,
    PRINCIPAL_NAMES,
    ExprInvalid,
    ExprProblem,
    FieldInfo,
    Type,
    arithmetic_type,
    comparable,
    describe,
    describe_kind,
)


class Names(Protocol):
    """What the checker reads from a scope: the fields a path reads, or its problem."""

    def resolve(self, parts: tuple[str, ...]) -> tuple[FieldInfo, ...] | ExprProblem: ...


def names_in(node: Node) -> list[Name]:
    """Every name (field, path or `current_user`) the expression reads, in no set order."""
    names: list[Name] = []
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, Name):
            names.append(current)
        elif isinstance(current, Binary):
            todo += [current.left, current.right]
        elif isinstance(current, Unary):
            todo.append(current.operand)
        elif isinstance(current, ListOf):
            todo += current.items
        elif isinstance(current, Call):
            todo += current.args
    return names


def fields_used(node: Node) -> frozenset[str]:
    """The names of the entity's own fields the expression reads: the first step of each
    path only. For what a path reads on every hop (access checks), see
    `guanxi.readable.fields_read`."""
    return frozenset(n.parts[0] for n in names_in(node)
                     if len(n.parts) > 1 or n.parts[0] not in PRINCIPAL_NAMES)


def check(node: Node, scope: Names, expect: str | None = "boolean") -> list[ExprProblem]:
    """Every problem with `node` on `scope`; empty when it may be compiled.

    expect: the kind the result must have ("boolean" for conditions, a field's kind for
    computed fields and `set`), or None for any.
    """
    checker = Checker(scope)
    result = checker.type_of(node)
    if result is not None and expect is not None and not fits(result, expect):
        checker.problems.append(expectation(result, expect, node))
    return checker.problems


def annotate(node: Node, scope: Names, expect: str | None = None) -> dict[Node, Type]:
    """The type of every sub-expression; raises ExprInvalid if `check` finds problems."""
    checker = Checker(scope)
    result = checker.type_of(node)
    if result is not None and expect is not None and not fits(result, expect):
        checker.problems.append(expectation(result, expect, node))
    if checker.problems:
        raise ExprInvalid(checker.problems)
    return checker.types


def fits(t: Type, expect: str) -> bool:
    # null may be assigned to any field, but it is not a condition.
    return t.kind == expect or (t.kind == "null" and expect != "boolean")


def expectation(t: Type, expect: str, node: Node) -> ExprProblem:
    if expect == "boolean":
        return ExprProblem(
            f"a condition must be true or false; this is {describe(t)}", _start(node),
            "compare it with something, e.g. value > 0",
        )
    return ExprProblem(
        f"the result must be {describe_kind(expect)}; this is {describe(t)}",
        _start(node),
    )


def _start(node: Node) -> int:
    while isinstance(node, Binary):
        node = node.left
    return node.offset


class Checker:
    """Computes the type of each node, collecting problems instead of stopping."""

    def __init__(self, scope: Names) -> None:
        self.scope = scope
        self.problems: list[ExprProblem] = []
        self.types: dict[Node, Type] = {}

    def fail(self, message: str, node: Node, hint: str | None = None) -> None:
        self.problems.append(ExprProblem(message, node.offset, hint))

    def type_of(self, node: Node) -> Type | None:
        result = self._type_of(node)
        if result is not None:
            self.types[node] = result
        return result

    def _type_of(self, node: Node) -> Type | None:
        if isinstance(node, Literal):
            integral = node.kind == "number" and isinstance(node.value, int)
            return Type(node.kind, integral=integral)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, ListOf):
            self.fail("a list [ … ] can only be written after 'in' or 'not in'", node,
                      'for example: source in ["web", "expo"]')
            return None
        if isinstance(node, Call):
            return check_call(self, node)
        if isinstance(node, Unary):
            return self.unary(node)
        return self.binary(node)

    def name(self, node: Name) -> Type | None:
        if node.parts == (CURRENT_USER,):
            return Type("id", ref="user")
        if len(node.parts) == 1 and node.parts[0] in PRINCIPAL_NAMES:
            return Type("id")  # the portal's contact or account: any record's id
        chain = self.scope.resolve(node.parts)
        if isinstance(chain, ExprProblem):
            self.problems.append(
                ExprProblem(chain.message, node.offset + chain.offset, chain.hint)
            )
            return None
        return chain[-1].value_type

    def list_of(self, node: ListOf) -> Type | None:
        kinds = [self.type_of(item) for item in node.items]
        if any(k is None for k in kinds):
            return None
        item: Type | None = None
        for child, t in zip(node.items, kinds):
            assert t is not None
            if t.kind == "null":
                continue
            if t.kind in ("list", "boolean"):
                self.fail(f"a list cannot hold {describe(t)}", child)
                return None
            if item is not None and not comparable(item, t):
                self.fail(
                    f"a list's items must all be of one kind; '{to_text(child)}' is "
                    f"{describe(t)}, the ones before are {describe(item)}", child,
                )
                return None
            item = item or t
        return Type("list", item=item.kind if item else None, ref=item.ref if item else None)

    def unary(self, node: Unary) -> Type | None:
        t = self.type_of(node.operand)
        if t is None:
            return None
        if node.op == "not":
            if t.kind != "boolean":
                self.fail(f"'not' needs a condition; '{to_text(node.operand)}' is "
                          f"{describe(t)}", node)
                return None
            return Type("boolean")
        if t.kind not in ("number", "duration"):
            self.fail(f"'-' needs a number or a duration; '{to_text(node.operand)}' is "
                      f"{describe(t)}", node)
            return None
        return t

    def binary(self, node: Binary) -> Type | None:
        left = self.type_of(node.left)
        if node.op in ("in", "not in") and isinstance(node.right, ListOf):
            right = self.list_of(node.right)
            if right is not None:
                self.types[node.right] = right
        else:
            right = self.type_of(node.right)
        if left is None or right is None:
            return None
        if node.op in ("and", "or"):
            for side, t in ((node.left, left), (node.right, right)):
                if t.kind != "boolean":
                    self.problems.append(ExprProblem(
                        f"'{node.op}' joins conditions; '{to_text(side)}' is {describe(t)}",
                        _start(side),
                    ))
                    return None
            return Type("boolean")
        if node.op in COMPARISONS:
            return self.comparison(node, left, right)
        if node.op in ("in", "not in"):
            return self.membership(node, left, right)
        assert node.op in ARITHMETIC
        result = arithmetic_type(node.op, left, right)
        if isinstance(result, str):
            self.fail(f"'{to_text(node)}' {result}", node, _arith_hint(left, right))
            return None
        return result

    def comparison(self, node: Binary, left: Type, right: Type) -> Type | None:
        if left.kind == "null" or right.kind == "null":
            if node.op not in ("==", "!="):
                self.fail(f"'{to_text(node)}' orders against null, which is never true",
                          node, "test for an empty value with == null or is_empty(x)")
                return None
            return Type("boolean")
        if not comparable(left, right):
            self.fail(f"'{to_text(node)}' compares {describe(left)} with {describe(right)}",
                      node)
            return None
        if node.op not in ("==", "!=") and left.kind in ("boolean", "list", "id"):
            self.fail(f"'{to_text(node)}': {describe(left)} cannot be ordered with "
                      f"'{node.op}'", node, "use == or !=")
            return None
        if left.kind == "list":
            self.fail(f"'{to_text(node)}' compares two lists", node,
                      "test membership instead: \"vip\" in tags")
            return None
        return Type("boolean")

    def membership(self, node: Binary, left: Type, right: Type) -> Type | None:
        if right.kind != "list":
            self.fail(f"'{node.op}' needs a list on its right, like [1, 2]; "
                      f"'{to_text(node.right)}' is {describe(right)}", node)
            return None
        if left.kind == "null":
            return Type("boolean")
        if left.kind in ("list", "boolean"):
            self.fail(f"'{to_text(node)}': the left of '{node.op}' is {describe(left)}",
                      node, "write a single value on the left: \"vip\" in tags")
            return None
        if right.item is not None and not comparable(left, Type(right.item, ref=right.ref)):
            self.fail(f"'{to_text(node)}' looks for {describe(left)} in "
                      f"{describe(right)}", node)
            return None
        return Type("boolean")



def _arith_hint(left: Type, right: Type) -> str | None:
    if left.kind == "date" and right.kind == "date":
        return "use days_between(a, b) for the number of days between two dates"
    if "text" in (left.kind, right.kind) and "number" in (left.kind, right.kind):
        return "numbers in quotes are text; write 5, not \"5\""
    return None


def check_call(checker: Checker, node: Call) -> Type | None:
    """The type of a call, reporting unknown functions and wrong arguments."""
    function = FUNCTIONS.get(node.name)
    if function is None:
        close = difflib.get_close_matches(node.name, list(FUNCTIONS), n=1)
        hint = None if close else "the functions are: " + ", ".join(sorted(FUNCTIONS))
        message = f"unknown function '{node.name}'"
        if close:
            message += f" — did you mean '{close[0]}'?"
        checker.fail(message, node, hint)
        return None
    count, wanted = len(node.args), len(function.params)
    least = wanted - function.optional
    if (not least <= count <= wanted and not function.variadic) or (
        function.variadic and count < wanted
    ):
        amount = f"at least {wanted}" if function.variadic else str(wanted)
        if function.optional:
            amount = f"{least} to {wanted}"
        noun = "argument" if wanted == 1 and not function.variadic else "arguments"
        checker.fail(f"{node.name}() takes {amount} {noun}, not {count}", node,
                     f"write {signature(node.name)}")
        return None
    types = [checker.type_of(arg) for arg in node.args]
    if any(t is None for t in types):
        return None
    for index, (arg, t) in enumerate(zip(node.args, types)):
        assert t is not None
        accepted = function.params[min(index, wanted - 1)]
        if "any" not in accepted and t.kind not in accepted and t.kind != "null":
            kinds = " or ".join(sorted(accepted))
            checker.fail(f"{node.name}() needs {kinds} as argument {index + 1}; "
                         f"'{to_text(arg)}' is {describe(t)}", arg,
                         f"write {signature(node.name)}")
            return None
    if function.literal_text and not (
        isinstance(node.args[0], Literal) and node.args[0].kind == "text"
    ):
        checker.fail(f"{node.name}() needs a role name in quotes", node.args[0],
                     f"write {signature(node.name)}")
        return None
    if function.validate is not None:
        fault = function.validate(node.args, [t for t in types if t is not None])
        if fault is not None:
            index, message, hint = fault
            checker.fail(message, node.args[index], hint)
            return None
    if function.name == "coalesce":
        known = [t for t in types if t is not None and t.kind != "null"]
        for arg, t in zip(node.args, types):
            if t is not None and t.kind != "null" and not comparable(known[0], t):
                checker.fail(f"coalesce() needs values of one kind; '{to_text(arg)}' is "
                             f"{describe(t)}, the first is {describe(known[0])}", arg)
                return None
    return function.result([t for t in types if t is not None])
