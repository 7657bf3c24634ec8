"""A checked expression: one text, parsed and type-checked once against one scope.

The checker reports its problems; the compilers (`to_python`, `to_sql`) take its tree and
types instead of parsing and type-checking the text again. `Scope.checked(text)` makes
and keeps them, one per text and scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from guanxi.expr.checker import Checker, Names, expectation, fits
from guanxi.expr.lexer import ExprSyntaxError
from guanxi.expr.nodes import Node
from guanxi.expr.types import ExprInvalid, ExprProblem, Type


@dataclass(frozen=True, slots=True)
class Checked:
    """`text` parsed (`node`, or the `syntax` error) and type-checked: `problems` are what
    the type checker found whatever the expected result; `types` the type of every
    sub-expression it could type."""

    text: str
    node: Node | None
    syntax: ExprSyntaxError | None = None
    problems: tuple[ExprProblem, ...] = ()
    types: Mapping[Node, Type] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, tree: Node | ExprSyntaxError, scope: Names) -> Checked:
        """Type-check a parsed `tree` (or keep its syntax error) on `scope`."""
        if isinstance(tree, ExprSyntaxError):
            return cls(text, None, tree)
        checker = Checker(scope)
        checker.type_of(tree)
        return cls(text, tree, None, tuple(checker.problems), checker.types)

    @property
    def type(self) -> Type | None:
        """The type of the whole expression; None when it has none (see `problems`)."""
        return None if self.node is None else self.types.get(self.node)

    def problems_for(self, expect: str | None) -> list[ExprProblem]:
        """What `check(node, scope, expect)` reports: the problems, and whether the result
        has the `expect`ed kind. Only for a text that parsed."""
        assert self.node is not None, "a text with a syntax error has no type problems"
        problems = list(self.problems)
        result = self.type
        if result is not None and expect is not None and not fits(result, expect):
            problems.append(expectation(result, expect, self.node))
        return problems

    def tree(self, expect: str | None = None) -> Node:
        """The tree, for compiling: raises ExprSyntaxError or ExprInvalid where `parse` and
        `annotate` would."""
        if self.syntax is not None:
            raise self.syntax
        assert self.node is not None
        problems = self.problems_for(expect)
        if problems:
            raise ExprInvalid(problems)
        return self.node
