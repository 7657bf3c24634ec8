"""Reading records for automation: the stored row (every field: automation decides as
the system, whose writes then pass the Store's rules) and the conditions on it.

Conditions and value expressions come from the project (checked by `guanxi check`), are
compiled once per text and entity, and run with a resolver for reference paths in the
reading transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.app import App
from guanxi.store.unit import Resolver

_COMPILED: dict[tuple[int, str, str], expr.Evaluator] = {}


def load(app: App, conn: sa.Connection, entity: str, record_id: int) -> dict[str, Any] | None:
    """The stored row of a live (not deleted) record, or None."""
    table = app.tables.entities[entity]
    row = conn.execute(sa.select(table).where(
        table.c.id == record_id, table.c.deleted_at.is_(None))).mappings().first()
    return dict(row) if row is not None else None


def evaluator(app: App, entity: str, text: str) -> expr.Evaluator:
    """`text` compiled on `entity` (once per app)."""
    key = (id(app), entity, text)
    found = _COMPILED.get(key)
    if found is None:
        scope = app.entity(entity).scope
        found = _COMPILED[key] = expr.to_python(scope.checked(text), scope)
    return found


def value(app: App, entity: str, text: str, record: Mapping[str, Any], ctx: expr.Context,
          resolve: Resolver) -> Any:
    return evaluator(app, entity, text)(record, ctx, resolve)


def holds(app: App, entity: str, text: str | None, record: Mapping[str, Any],
          ctx: expr.Context, resolve: Resolver) -> bool:
    """Whether condition `text` holds on the record (no condition: it does)."""
    return text is None or bool(value(app, entity, text, record, ctx, resolve))


def system_context(app: App, now: Any) -> expr.Context:
    """The expression context of the system actor at `now`."""
    return expr.Context(user_id=None, roles=frozenset({"system"}), now=now)
