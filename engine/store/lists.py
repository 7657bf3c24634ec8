"""Reading many records: pages of a list, counts, and a record's history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, NotFound, RequestInvalid
from guanxi.expr.functions import context_params
from guanxi.fields.registry import FIELD_TYPES
from guanxi.identity import User
from guanxi.messages import render
from guanxi.store.query import after as after_condition
from guanxi.store.query import (
    check_limit,
    conditions,
    decode_cursor,
    encode_cursor,
    order_by,
    sort_column,
    sort_keys,
)
from guanxi.store.readable import require_readable
from guanxi.store.records import Page, record_id_of
from guanxi.store.unit import Unit

# The most records a page number may skip (deeper pages take the `after` cursor).
MAX_OFFSET = 100_000
# The label of the count beside the sums (no field is named so: names start with a letter).
COUNT = "_count"


def list_page(unit: Unit, compiled: CompiledEntity, *, where: str | None,
              filters: Mapping[str, Any] | None, search: str | None, sort: Sequence[str],
              limit: int, after: str | None, with_total: bool, deleted: bool,
              sla: str | None = None, offset: int = 0, sums: Sequence[str] = ()) -> Page:
    """Store.list: see there."""
    user, ctx, conn = unit.user, unit.ctx, unit.conn
    refuse_unreadable(compiled, user)
    limit = check_limit(limit, user.language)
    keys = sort_keys(unit.app, compiled, user, sort)
    wanted = conditions(unit.app, compiled, user, ctx, where=where, filters=filters,
                        search=search, deleted=deleted, sla=sla)
    table = compiled.table
    visible = compiled.policy.visible_fields(user)
    # Only what the user may see leaves the database (sort keys are visible fields, or
    # computed ones such as sla_due, returned with each row).
    computed = [sort_column(compiled, k.name).label(k.name) for k in keys
                if k.name not in table.c]
    query = sa.select(*(c for c in table.c if c.name in visible), *computed).where(*wanted)
    if after:
        values = decode_cursor(compiled, keys, after, user.language)
        query = query.where(after_condition(compiled, keys, values))
    query = query.order_by(*order_by(compiled, keys)).limit(limit + 1)
    if offset:
        query = query.offset(check_offset(offset, user.language))
    check_sums(unit, compiled, sums)
    params = context_params(ctx)
    rows = [dict(r) for r in conn.execute(query, params).mappings()]
    total = None
    totals: dict[str, Any] = {}
    if sums:
        # The count and the sums over every matching record, in one statement.
        aggregates = [sa.func.count().label(COUNT), *(sa.func.sum(table.c[n]).label(n)
                                                       for n in sums)]
        found = conn.execute(sa.select(*aggregates).select_from(table).where(*wanted),
                             params).mappings().one()
        total = found[COUNT] if with_total else None
        totals = {n: found[n] for n in sums}
    elif with_total:
        total = conn.execute(sa.select(sa.func.count()).select_from(table).where(*wanted),
                             params).scalar_one()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(keys, rows[-1]) if more and rows else None
    return Page(rows, cursor, total, totals)


def check_sums(unit: Unit, compiled: CompiledEntity, names: Sequence[str]) -> None:
    """Sums are of number fields the user sees (hidden fields are refused, as in
    filters)."""
    user = unit.user
    for name in names:
        require_readable(unit.app, user, compiled.name, (name,), "sum")
        if FIELD_TYPES[compiled.types[name]].kind != "number" or name in ("id", "version"):
            raise RequestInvalid(render("sum_refused", {"name": name}, user.language),
                                 code="sum_refused")


def check_offset(offset: int, language: str = "en") -> int:
    """`offset` if it is a whole number from 0 to MAX_OFFSET; RequestInvalid otherwise."""
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise RequestInvalid(render("bad_offset", {"max": MAX_OFFSET, "value": repr(offset)},
                                    language), code="bad_offset")
    return offset


def refuse_unreadable(compiled: CompiledEntity, user: User) -> None:
    """A user none of whose roles may read the entity is told so, not shown an empty list."""
    if not compiled.policy.visible_fields(user):
        raise AccessDenied(render("may_not_read", {"entity": compiled.name}, user.language),
                           code="may_not_read")


def count(unit: Unit, compiled: CompiledEntity, *, where: str | None,
          filters: Mapping[str, Any] | None, search: str | None) -> int:
    """Store.count: see there."""
    user, ctx = unit.user, unit.ctx
    refuse_unreadable(compiled, user)
    wanted = conditions(unit.app, compiled, user, ctx, where=where, filters=filters,
                        search=search)
    total: int = unit.conn.execute(
        sa.select(sa.func.count()).select_from(compiled.table).where(*wanted),
        context_params(ctx)).scalar_one()
    return total


def history(unit: Unit, compiled: CompiledEntity, record_id: Any) -> list[dict[str, Any]]:
    """Store.history: see there. The record must be readable (deleted ones too)."""
    user, ctx, conn, app = unit.user, unit.ctx, unit.conn, unit.app
    entity = compiled.name
    hist, users = app.tables.history, app.tables.users
    table = compiled.table
    policy = compiled.policy
    visible = policy.visible_fields(user)
    rid = record_id_of(compiled, record_id, user.language)
    readable = conn.execute(sa.select(table.c.id).where(
        table.c.id == rid, policy.rule(user, ctx, "read")), context_params(ctx)).first()
    if readable is None:
        raise NotFound(entity, record_id, user.language)
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
        if row["action"] == "approval":  # what was asked or decided, and the comment
            changes = {"approval": dict(zip(("old", "new"),
                                            (row["changes"] or {}).get("approval") or []))}
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
