"""Reading many records: pages of a list, counts, and a record's history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from guanxi.errors import AccessDenied, NotFound
from guanxi.expr.functions import context_params
from guanxi.identity import User
from guanxi.store.query import after as after_condition
from guanxi.store.query import (
    check_limit,
    conditions,
    decode_cursor,
    encode_cursor,
    order_by,
    sort_keys,
)
from guanxi.store.records import Page, record_id_of

if TYPE_CHECKING:
    from guanxi.store.facade import Store


def list_page(store: Store, user: User, entity: str, *, where: str | None,
              filters: Mapping[str, Any] | None, search: str | None, sort: Sequence[str],
              limit: int, after: str | None, with_total: bool, deleted: bool) -> Page:
    """Store.list: see there."""
    compiled = store.app.entity(entity)
    refuse_unreadable(compiled, user)
    limit = check_limit(limit)
    ctx = store.context(user)
    keys = sort_keys(store.app, compiled, user, sort)
    wanted = conditions(store.app, compiled, user, ctx, where=where, filters=filters,
                        search=search, deleted=deleted)
    table = compiled.table
    visible = compiled.policy.visible_fields(user)
    # Only what the user may see leaves the database (sort keys are visible fields).
    query = sa.select(*(c for c in table.c if c.name in visible)).where(*wanted)
    if after:
        query = query.where(after_condition(compiled, keys, decode_cursor(compiled, keys, after)))
    query = query.order_by(*order_by(compiled, keys)).limit(limit + 1)
    params = context_params(ctx)
    with store._transaction(write=False) as conn:
        rows = [dict(r) for r in conn.execute(query, params).mappings()]
        total = None
        if with_total:
            total = conn.execute(sa.select(sa.func.count()).select_from(table).where(*wanted),
                                 params).scalar_one()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(keys, rows[-1]) if more and rows else None
    return Page(rows, cursor, total)


def refuse_unreadable(compiled: Any, user: User) -> None:
    """A user none of whose roles may read the entity is told so, not shown an empty list."""
    if not compiled.policy.visible_fields(user):
        raise AccessDenied(f"you may not read {compiled.name} records")


def count(store: Store, user: User, entity: str, *, where: str | None,
          filters: Mapping[str, Any] | None, search: str | None) -> int:
    """Store.count: see there."""
    compiled = store.app.entity(entity)
    refuse_unreadable(compiled, user)
    ctx = store.context(user)
    wanted = conditions(store.app, compiled, user, ctx, where=where, filters=filters,
                        search=search)
    with store._transaction(write=False) as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(compiled.table).where(*wanted),
            context_params(ctx)).scalar_one()


def history(store: Store, user: User, entity: str, record_id: Any) -> list[dict[str, Any]]:
    """Store.history: see there. The record must be readable (deleted ones too)."""
    compiled = store.app.entity(entity)
    ctx = store.context(user)
    app = store.app
    hist, users = app.tables.history, app.tables.users
    table = compiled.table
    policy = compiled.policy
    visible = policy.visible_fields(user)
    rid = record_id_of(compiled, record_id)
    with store._transaction(write=False) as conn:
        readable = conn.execute(sa.select(table.c.id).where(
            table.c.id == rid, policy.rule(user, ctx, "read")), context_params(ctx)).first()
        if readable is None:
            raise NotFound(entity, record_id)
        rows = conn.execute(
            sa.select(hist, users.c.username)
            .select_from(hist.outerjoin(users, users.c.id == hist.c.user_id))
            .where(hist.c.entity == entity, hist.c.record_id == rid)
            .order_by(hist.c.id)
        ).mappings().all()
    entries = []
    for row in rows:
        changes = {
            name: {"old": pair[0], "new": pair[1]}
            for name, pair in (row["changes"] or {}).items() if name in visible
        }
        if row["action"] == "update" and not changes:
            continue  # an edit of fields this reader may not see: nothing to show
        entries.append({
            "id": row["id"],
            "at": row["at"],
            "user_id": row["user_id"],
            "user": row["username"] or "system",
            "action": row["action"],
            "transition": row["transition"],
            "changes": changes,
        })
    return entries
