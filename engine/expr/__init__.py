"""Guanxi's expression language: parse, check, and compile to Python and to SQL.

    node = parse('state != "lost" and value > 1000')
    problems = check(node, Scope.for_entity(project, entity))
    keep = to_python(node, scope)(record, Context(user_id=7))
    where = to_sql(node, scope, tables, "lead", Context(user_id=7))
"""

from guanxi.expr.functions import FUNCTIONS, Context
from guanxi.expr.lexer import ExprSyntaxError
from guanxi.expr.nodes import Binary, Call, ListOf, Literal, Name, Node, Unary, to_text
from guanxi.expr.parser import parse
from guanxi.expr.python import Evaluator, Resolver, to_python
from guanxi.expr.sql import RowFilter, to_sql
from guanxi.expr.types import (
    ExprInvalid,
    ExprProblem,
    FieldInfo,
    Scope,
    Type,
    annotate,
    check,
    fields_used,
    names_in,
)

__all__ = [
    "FUNCTIONS",
    "Binary",
    "Call",
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
