"""What names mean for one entity (`Scope`), and the type checker (`check`)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from guanxi.errors import GuanxiError
from guanxi.expr.functions import check_call
from guanxi.expr.kinds import KIND_WORDS, Type, describe
from guanxi.expr.kinds import comparable as _comparable
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
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.spec import EntitySpec, ProjectSpec

CURRENT_USER = "current_user"


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


def _fields_of(entity: EntitySpec) -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = {}
    for name, type_name in SYSTEM_FIELDS.items():
        fields[name] = FieldInfo(name, type_name, FIELD_TYPES[type_name].kind)
    for spec in entity.fields:
        row = FIELD_TYPES.get(spec.type)
        if row is None or spec.name in SYSTEM_FIELDS:
            continue  # reported by the project checker
        ref = spec.ref if spec.type == "reference" else None
        fields[spec.name] = FieldInfo(spec.name, spec.type, row.kind, ref)
    return fields


@dataclass(frozen=True)
class Scope:
    """The names an expression on one entity may use.

    `fields` are the entity's own (declared and system) fields; `entities` holds every
    entity's fields, so that paths through references (`account.sector`) resolve.
    """

    entity: str
    fields: Mapping[str, FieldInfo]
    entities: Mapping[str, Mapping[str, FieldInfo]] = field(default_factory=dict)

    @classmethod
    def for_entity(cls, project: ProjectSpec, entity: EntitySpec) -> Scope:
        entities = _field_tables(project)
        if entities.get(entity.name) is None or project.entity(entity.name) is not entity:
            entities = {**entities, entity.name: _fields_of(entity)}
        return cls(entity.name, entities[entity.name], entities)

    def resolve(self, parts: tuple[str, ...]) -> tuple[FieldInfo, ...] | ExprProblem:
        """The field read at each step of a path, or the problem with it (its offset is
        counted from the start of the path)."""
        chain: list[FieldInfo] = []
        fields, where = self.fields, self.entity
        for index, part in enumerate(parts):
            info = fields.get(part)
            if info is None:
                problem = _unknown(part, fields, where if index else None)
                offset = sum(len(p) + 1 for p in parts[:index])
                return ExprProblem(problem.message, offset, problem.hint)
            chain.append(info)
            if index + 1 < len(parts):
                if info.type != "reference" or info.ref is None:
                    return ExprProblem(
                        f"'{'.'.join(parts[: index + 1])}' is not a reference, so "
                        f"'.{parts[index + 1]}' cannot follow it",
                        0,
                        "paths go through reference fields only, e.g. account.sector",
                    )
                target = self.entities.get(info.ref)
                if target is None:
                    return ExprProblem(f"unknown entity '{info.ref}'", 0)
                fields, where = target, info.ref
        return tuple(chain)


# The field tables of the last few projects, by identity: every expression of a project
# is checked and compiled against the same tables, so they are built once, not per call.
_TABLES: dict[int, tuple[ProjectSpec, dict[str, dict[str, FieldInfo]]]] = {}
_TABLES_KEPT = 8


def _field_tables(project: ProjectSpec) -> dict[str, dict[str, FieldInfo]]:
    cached = _TABLES.get(id(project))
    if cached is not None and cached[0] is project:
        return cached[1]
    tables = {e.name: _fields_of(e) for e in project.entities}
    while len(_TABLES) >= _TABLES_KEPT:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[id(project)] = (project, tables)
    return tables


def _unknown(name: str, fields: Mapping[str, FieldInfo], entity: str | None) -> ExprProblem:
    names = list(fields) + ([] if entity else [CURRENT_USER])
    close = difflib.get_close_matches(name, names, n=1)
    where = f" of '{entity}'" if entity else ""
    message = f"unknown field '{name}'{where}"
    if close:
        return ExprProblem(f"{message} — did you mean '{close[0]}'?", 0)
    return ExprProblem(message, 0, "the fields are: " + ", ".join(sorted(fields)))


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
    return frozenset(n.parts[0] for n in names_in(node) if n.parts != (CURRENT_USER,))


def check(node: Node, scope: Scope, expect: str | None = "boolean") -> list[ExprProblem]:
    """Every problem with `node` on `scope`; empty when it may be compiled.

    expect: the kind the result must have ("boolean" for conditions, a field's kind for
    computed fields and `set`), or None for any.
    """
    checker = Checker(scope)
    result = checker.type_of(node)
    if result is not None and expect is not None and not _fits(result, expect):
        checker.problems.append(_expectation(result, expect, node))
    return checker.problems


def annotate(node: Node, scope: Scope, expect: str | None = None) -> dict[Node, Type]:
    """The type of every sub-expression; raises ExprInvalid if `check` finds problems."""
    checker = Checker(scope)
    result = checker.type_of(node)
    if result is not None and expect is not None and not _fits(result, expect):
        checker.problems.append(_expectation(result, expect, node))
    if checker.problems:
        raise ExprInvalid(checker.problems)
    return checker.types


def _fits(t: Type, expect: str) -> bool:
    # null may be assigned to any field, but it is not a condition.
    return t.kind == expect or (t.kind == "null" and expect != "boolean")


def _expectation(t: Type, expect: str, node: Node) -> ExprProblem:
    if expect == "boolean":
        return ExprProblem(
            f"a condition must be true or false; this is {describe(t)}", _start(node),
            "compare it with something, e.g. value > 0",
        )
    return ExprProblem(
        f"the result must be {KIND_WORDS.get(expect, expect)}; this is {describe(t)}",
        _start(node),
    )


def _start(node: Node) -> int:
    while isinstance(node, Binary):
        node = node.left
    return node.offset


class Checker:
    """Computes the type of each node, collecting problems instead of stopping."""

    def __init__(self, scope: Scope) -> None:
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
            if item is not None and not _comparable(item, t):
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
        if not _comparable(left, right):
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
        if right.item is not None and not _comparable(left, Type(right.item, ref=right.ref)):
            self.fail(f"'{to_text(node)}' looks for {describe(left)} in "
                      f"{describe(right)}", node)
            return None
        return Type("boolean")


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


def _arith_hint(left: Type, right: Type) -> str | None:
    if left.kind == "date" and right.kind == "date":
        return "use days_between(a, b) for the number of days between two dates"
    if "text" in (left.kind, right.kind) and "number" in (left.kind, right.kind):
        return "numbers in quotes are text; write 5, not \"5\""
    return None
