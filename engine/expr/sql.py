"""Compiles an expression tree to a SQLAlchemy clause, meaning what `to_python` means.

Identifiers come only from the Scope (declared names); every constant is a bound
parameter. Conditions are two-valued: a comparison that SQL would make NULL is false.

Conditions are compiled with polarity. Where only TRUE keeps a row (the top of a WHERE,
and under AND/OR with no NOT above), NULL and false both drop it, so comparisons are
emitted bare and the database can use its indexes; under NOT, and wherever a boolean is
used as a value (compared, returned), they are wrapped so that NULL becomes false.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from guanxi.expr.checked import Checked
from guanxi.expr.checker import annotate
from guanxi.expr.functions import (
    CURRENT_ACCOUNT_PARAM,
    CURRENT_CONTACT_PARAM,
    CURRENT_USER_PARAM,
    FUNCTIONS,
    Context,
    SqlCall,
    as_numeric,
    context_param,
    date_shift,
    datetime_shift,
    divide6,
    false_if_null,
    remainder,
    round6,
    seconds_between,
    tags_have,
    tags_list,
    text_order,
)
from guanxi.expr.nodes import COMPARISONS, Binary, Call, ListOf, Literal, Name, Node, Unary
from guanxi.expr.scope import Scope
from guanxi.expr.types import CURRENT_ACCOUNT, CURRENT_CONTACT, CURRENT_USER, Type
from sqlalchemy.sql.expression import ColumnElement

Clause = ColumnElement[Any]
# fn(entity name, the aliased table a path reads) -> which of its rows may be read.
RowFilter = Callable[[str, sa.FromClause], ColumnElement[bool]]


def to_sql(node: Node | Checked, scope: Scope, tables: Mapping[str, sa.Table], entity: str,
           ctx: Context, row_filter: RowFilter | None = None, *,
           two_valued: bool = False, parameters: bool = False) -> Clause:
    """The SQL meaning of `node` for rows of `tables[entity]`.

    A condition is TRUE exactly for the rows where `to_python` gives True. It is meant
    for a WHERE clause: where it is not TRUE it may be false or NULL, both of which drop
    the row. With `two_valued`, it is never NULL (for use as a value, e.g. selected or
    compared). Paths through references become correlated scalar subqueries on the target
    entity's table (id column `id`). `row_filter`, when given, names the rows of a target
    entity a path may read (for conditions a user wrote, the target's read access):
    `row_filter(entity_name, aliased_table)`; a path to any other row is empty (null).

    With `parameters`, `current_user`, `now()` and `today()` become bind parameters
    (`functions.CURRENT_USER_PARAM`, `NOW_PARAM`, `TODAY_PARAM`) whose values
    `functions.context_params(ctx)` gives when the statement runs, so the clause can be
    compiled once and run for every user and moment; `ctx` then only supplies the roles
    that `has_role()` tests. Given a `Checked` (from `scope.checked(text)`), its tree and
    types are used as they are.
    """
    if isinstance(node, Checked):
        types: Mapping[Node, Type] = node.types
        node = node.tree()
    else:
        types = annotate(node, scope)
    compiler = _Compiler(scope, types, tables, entity, ctx, row_filter, parameters)
    if types[node].kind == "boolean":
        return compiler.condition(node, positive=not two_valued)
    return compiler.value(node)


def _literal(node: Literal) -> Clause:
    value = node.value
    if value is None:
        return sa.null()
    if node.kind == "boolean":
        return sa.true() if value else sa.false()
    if node.kind == "text":
        return sa.literal(value, sa.Text())
    if isinstance(value, Decimal):
        return sa.literal(value, sa.Numeric())
    return sa.literal(value, sa.BigInteger())


class _Compiler:
    def __init__(self, scope: Scope, types: Mapping[Node, Type], tables: Mapping[str, sa.Table],
                 entity: str, ctx: Context, row_filter: RowFilter | None = None,
                 parameters: bool = False) -> None:
        self.row_filter = row_filter
        self.parameters = parameters
        self.scope = scope
        self.types = types
        self.tables = tables
        self.entity = entity
        self.ctx = ctx

    def condition(self, node: Node, positive: bool = False) -> Clause:
        """A boolean expression, TRUE exactly where the condition holds. Not `positive`:
        never NULL. `positive`: may be NULL where it does not hold (only TRUE keeps a row)."""
        if isinstance(node, Binary) and node.op == "and":
            return sa.and_(self.condition(node.left, positive),
                           self.condition(node.right, positive))
        if isinstance(node, Binary) and node.op == "or":
            return sa.or_(self.condition(node.left, positive),
                          self.condition(node.right, positive))
        if isinstance(node, Unary):
            return sa.not_(self.condition(node.operand))
        if isinstance(node, Binary) and node.op in COMPARISONS:
            return self.comparison(node, positive)
        if isinstance(node, Binary):
            return self.membership(node, positive)
        if isinstance(node, Literal):
            return sa.true() if node.value else sa.false()
        if isinstance(node, Call) and node.name != "coalesce":
            return self.call(node, positive)
        # A boolean field, path or coalesce: null counts as false.
        return false_if_null(self.value(node))

    def value(self, node: Node) -> Clause:
        if isinstance(node, Literal):
            return _literal(node)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Call):
            return self.call(node)
        if self.types[node].kind == "boolean":
            return self.condition(node)
        if isinstance(node, Unary):
            return -self.value(node.operand)
        assert isinstance(node, Binary)
        return self.arithmetic(node)

    def name(self, node: Name) -> Clause:
        if node.parts == (CURRENT_USER,):
            if self.parameters:
                return context_param(CURRENT_USER_PARAM)
            return sa.literal(self.ctx.user_id, sa.BigInteger())
        principal = {CURRENT_CONTACT: (CURRENT_CONTACT_PARAM, self.ctx.contact_id),
                     CURRENT_ACCOUNT: (CURRENT_ACCOUNT_PARAM, self.ctx.account_id)}
        if len(node.parts) == 1 and node.parts[0] in principal:
            param, value = principal[node.parts[0]]
            if self.parameters:
                return context_param(param)
            return sa.literal(value, sa.BigInteger())
        chain = self.scope.resolve(node.parts)
        assert isinstance(chain, tuple)
        column: Clause = self.column(self.entity, chain[0].name)
        for hop, step in itertools.pairwise(chain):
            assert hop.ref is not None
            target = self.table(hop.ref).alias()
            query = sa.select(self.column_of(target, hop.ref, step.name)).where(
                self.column_of(target, hop.ref, "id") == column
            )
            if self.row_filter is not None:
                query = query.where(self.row_filter(hop.ref, target))
            column = query.correlate_except(target).scalar_subquery()
        return tags_list(column) if chain[-1].kind == "list" else column

    def table(self, entity: str) -> sa.Table:
        try:
            return self.tables[entity]
        except KeyError:
            raise KeyError(f"no table given for entity '{entity}'") from None

    def column(self, entity: str, name: str) -> Clause:
        return self.column_of(self.table(entity), entity, name)

    @staticmethod
    def column_of(table: sa.Table | sa.FromClause, entity: str, name: str) -> Clause:
        try:
            column: Clause = table.c[name]
            return column
        except KeyError:
            raise KeyError(f"the table of '{entity}' has no column '{name}'") from None

    def call(self, node: Call, positive: bool = False) -> Clause:
        function = FUNCTIONS[node.name]
        types = [self.types[arg] for arg in node.args]
        args = [self.value(arg) for arg in node.args]
        return function.sql(SqlCall(args, types, node.args, self.ctx, positive,
                                    self.parameters))

    def comparison(self, node: Binary, positive: bool = False) -> Clause:
        null_left = isinstance(node.left, Literal) and node.left.kind == "null"
        null_right = isinstance(node.right, Literal) and node.right.kind == "null"
        if null_left and null_right:
            return sa.true() if node.op == "==" else sa.false()
        if null_left or null_right:
            other = self.value(node.right if null_left else node.left)
            return other.is_(None) if node.op == "==" else other.is_not(None)
        left, right = self.value(node.left), self.value(node.right)
        if self.types[node.left].kind == "text" and node.op not in ("==", "!="):
            left, right = text_order(left), text_order(right)
        compared = left.operate(_OPERATORS[node.op], right)
        return compared if positive else false_if_null(compared)

    def membership(self, node: Binary, positive: bool = False) -> Clause:
        # `not in` negates: what it negates must never be NULL.
        bare = positive and node.op == "in"
        item = self.value(node.left)
        if isinstance(node.right, ListOf):
            # One IN list, which SQL defines as the ORs of its equalities: a chain of ORs
            # is a tree as deep as the list is long, and SQLite refuses trees deeper than
            # 1,000. Lists are as long as a `where` lets them be (store_query bounds it).
            choices = [self.value(choice) for choice in node.right.items]
            found: Clause = item.in_(choices) if choices else sa.false()
            found = found if bare else false_if_null(found)
        else:
            found = tags_have(self.value(node.right), item)
            found = found if bare else false_if_null(found)
        return sa.not_(found) if node.op == "not in" else found

    def arithmetic(self, node: Binary) -> Clause:
        left_type, right_type = self.types[node.left], self.types[node.right]
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        kinds = (left_type.kind, right_type.kind)
        if kinds == ("number", "number"):
            if op == "/":
                return divide6(left, right)
            if op == "%":
                return remainder(left, right)
            combined = as_numeric(left).operate(_OPERATORS[op], as_numeric(right))
            if left_type.integral and right_type.integral:
                return combined
            return round6(combined)
        if kinds == ("text", "text"):
            return left.concat(right)
        if kinds == ("duration", "duration"):
            return left + right if op == "+" else left - right
        if kinds == ("datetime", "datetime"):
            return seconds_between(left, right)
        if right_type.kind == "duration":
            moment, seconds = left, (right if op == "+" else -right)
            kind = left_type.kind
        else:
            moment, seconds, kind = right, left, right_type.kind
        return (date_shift if kind == "date" else datetime_shift)(moment, seconds)


_OPERATORS = {
    "==": sa.sql.operators.eq,
    "!=": sa.sql.operators.ne,
    "<": sa.sql.operators.lt,
    "<=": sa.sql.operators.le,
    ">": sa.sql.operators.gt,
    ">=": sa.sql.operators.ge,
    "+": sa.sql.operators.add,
    "-": sa.sql.operators.sub,
    "*": sa.sql.operators.mul,
}
