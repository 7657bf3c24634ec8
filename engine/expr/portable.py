"""SQL function-like elements spelled by a template per dialect (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


def portable(name: str, type_: sa.types.TypeEngine[Any], sqlite: str, postgresql: str,
             ) -> type[FunctionElement[Any]]:
    """A SQL function-like element spelled by a template per dialect ({0}, {1}: args).

    Templates are constants of this module; arguments are compiled columns or bound
    parameters, so no text an analyst wrote reaches the SQL string.
    """
    element = type(name, (FunctionElement,), {"type": type_, "inherit_cache": True,
                                              "name": name})

    def render(template: str) -> Callable[..., str]:
        def compile_(node: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
            args = [compiler.process(arg, **kw) for arg in node.clauses]
            return template.format(*args)

        return compile_

    compiles(element, "sqlite")(render(sqlite))
    compiles(element, "postgresql")(render(postgresql))

    def unsupported(node: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
        raise sa.exc.CompileError(f"expressions are compiled for SQLite and PostgreSQL only, "
                                  f"not {compiler.dialect.name}")

    compiles(element)(unsupported)
    return element
