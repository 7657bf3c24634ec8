"""Guanxi's expression language: parse, check, and compile to Python and to SQL.

    scope = Scope.for_entity(project, entity)     # one per entity, kept with the project
    checked = scope.checked('state != "lost" and value > 1000')   # parsed and typed once
    problems = checked.problems_for("boolean")
    keep = to_python(checked, scope)(record, Context(user_id=7))
    where = to_sql(checked, scope, tables, "lead", Context(user_id=7))

Text from outside the project (a request's filter) goes through `parse` and `check`
instead, and is not kept.
"""

from guanxi.expr.checked import Checked
from guanxi.expr.checker import annotate, check, fields_used, names_in
from guanxi.expr.functions import FUNCTIONS, Context
from guanxi.expr.lexer import ExprSyntaxError
from guanxi.expr.nodes import Binary, Call, ListOf, Literal, Name, Node, Unary, to_text
from guanxi.expr.parser import parse
from guanxi.expr.python import Evaluator, Resolver, to_python
from guanxi.expr.scope import Scope
from guanxi.expr.sql import RowFilter, to_sql
from guanxi.expr.types import ExprInvalid, ExprProblem, FieldInfo, Type

__all__ = [
    "FUNCTIONS",
    "Binary",
    "Call",
    "Checked",
    "Context",
    "Evaluator",
    "ExprInvalid",
    "ExprProblem",
    "ExprSyntaxError",
    "FieldInfo",
    "ListOf",
    "Literal",
    "Name",
    "Node",
    "Resolver",
    "RowFilter",
    "Scope",
    "Type",
    "Unary",
    "annotate",
    "check",
    "fields_used",
    "names_in",
    "parse",
    "to_python",
    "to_sql",
    "to_text",
]
