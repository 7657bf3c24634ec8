"""Listing records: filters from the expression language and from structured equality,
text search, sorting by declared fields, and keyset pagination with an opaque cursor.

Only names declared in the project ever reach SQL: every field name a caller gives is
looked up in the compiled entity first, and every value is a bound parameter.

The conditions carry the acting user and the moment as bind parameters (access rules are
compiled once per entity and set of roles): run them with `context_params(ctx)`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.app import App, CompiledEntity
from guanxi.errors import RequestInvalid
from guanxi.fields.registry import coerce, title_of
from guanxi.fields.values import FieldValueError, to_json
from guanxi.identity import User
from guanxi.messages import render
from guanxi.spec import NOWHERE, FieldSpec
from guanxi.store import clocks
from guanxi.store.filters import Range
from guanxi.store.readable import require_readable
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

MAX_LIMIT = 1000
MAX_WHERE_LENGTH = 4000
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    descending: bool


def _refuse_hidden(app: App, entity: CompiledEntity, user: User, names: Sequence[str],
                   what: str) -> None:
    """Hidden fields may not be filtered, searched or sorted on: the answer would leak them.
    Each name is one field of the entity itself (a name with a dot is no field)."""
    for name in names:
        require_readable(app, user, entity.name, (name,), what)


def where_condition(app: App, entity: CompiledEntity, user: User, ctx: Any,
                    text: str) -> ColumnElement[bool]:
    """The SQL condition of a `where` expression, type-checked against the entity.
    RequestInvalid with the checker's message when it is not a valid condition."""
    language = user.language
    if len(text) > MAX_WHERE_LENGTH:
        raise RequestInvalid(render("where_too_long", {"max": MAX_WHERE_LENGTH}, language),
                             code="where_too_long")
    try:
        node = expr.parse(text)
        # Before type checking, so that its hints cannot name hidden fields either.
        require_readable(app, user, entity.name, node, "filter")
        problems = expr.check(node, entity.scope, "boolean")
    except RequestInvalid:
        raise
    except (expr.ExprSyntaxError, ValueError, TypeError, RecursionError) as error:
        raise RequestInvalid(render("where_invalid", {"reason": str(error)}, language),
                             code="where_invalid") from None
    if problems:
        shown = "; ".join(str(getattr(p, "message", p)) for p in problems)
        raise RequestInvalid(render("where_invalid", {"reason": shown}, language),
                             code="where_invalid")
    return expr.to_sql(node, entity.scope, app.tables.entities, entity.name, ctx,
                       row_filter=readable_rows(app, user, ctx), parameters=True)


def readable_rows(app: App, user: User, ctx: Any) -> expr.RowFilter:
    """For paths in a condition a user wrote: only referenced rows the user may read (and
    not deleted) count, so a filter cannot probe records the user may not see."""

    def row_filter(entity_name: str, aliased: Any) -> ColumnElement[bool]:
        target = app.entity(entity_name)
        condition = sa.and_(
            target.policy.rule(user, ctx, "read"), target.table.c.deleted_at.is_(None)
        )
        return ClauseAdapter(aliased).traverse(condition)

    return row_filter


def filter_conditions(entity: CompiledEntity, app: App, user: User,
                      filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """Structured equality: {field: value} (a list means any of; None means empty)."""
    names = list(filters)
    _refuse_hidden(app, entity, user, names, "filter")
    conditions: list[ColumnElement[bool]] = []
    for name, wanted in filters.items():
        if entity.types[name] == "tags":
            raise RequestInvalid(render("filter_tags", {
                "entity": entity.name, "name": repr(name), "field": name}, user.language),
                code="filter_tags")
        column = entity.table.c[name]
        field = entity.field_spec(name)
        if isinstance(wanted, Range):
            conditions.extend(range_conditions(column, field, wanted, user.language))
            continue
        values = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        try:
            clean = [coerce(field, v) for v in values]
        except FieldValueError as error:
            raise RequestInvalid(render("filter_invalid", {"name": name, "reason": str(error)},
                                        user.language), code="filter_invalid") from None
        present = [v for v in clean if v is not None]
        parts: list[ColumnElement[bool]] = []
        if present:
            parts.append(column == present[0] if len(present) == 1 else column.in_(present))
        if len(present) < len(clean):
            parts.append(column.is_(None))
        conditions.append(sa.or_(*parts) if len(parts) > 1 else parts[0] if parts
                          else sa.false())
    return conditions


def range_conditions(column: Any, field: Any, wanted: Range,
                     language: str) -> list[ColumnElement[bool]]:
    """A range's ends, read by the field's type; a datetime's end given as a date
    includes that whole day."""
    parts: list[ColumnElement[bool]] = []
    for text, lower in ((wanted.low, True), (wanted.high, False)):
        if text is None:
            continue
        try:
            value = coerce(field, text)
        except FieldValueError as error:
            raise RequestInvalid(render("filter_invalid", {"name": field.name,
                                                           "reason": str(error)}, language),
                                 code="filter_invalid") from None
        if value is None:
            continue
        if not lower and field.type == "datetime" and len(text) <= len("2026-01-31"):
            parts.append(column < value + dt.timedelta(days=1))
        else:
            parts.append(column >= value if lower else column <= value)
    return parts


def search_condition(app: App, entity: CompiledEntity, user: User, ctx: Any,
                     text: str) -> ColumnElement[bool]:
    """Case-insensitive substring over the visible text fields (wildcards are literal)
    and over the titles of the records its visible references point at, when the user
    may read those records and their titles (`q=Hottechi` finds Hottechi's deals)."""
    term = text.replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
    visible = entity.policy.visible_fields(user)
    parts = [entity.table.c[n].icontains(term, autoescape=True)
             for n in entity.searchable if n in visible]
    for name, spec in entity.fields.items():
        if spec.type != "reference" or not spec.ref or name not in visible:
            continue
        target = app.entity(spec.ref)
        title = title_of(target.spec)
        if title == "id" or title not in target.policy.visible_fields(user):
            continue
        named = sa.select(target.table.c.id).where(
            target.table.c[title].icontains(term, autoescape=True),
            target.table.c.deleted_at.is_(None), target.policy.rule(user, ctx, "read"))
        parts.append(entity.table.c[name].in_(named))
    return sa.or_(*parts) if parts else sa.false()


def conditions(app: App, entity: CompiledEntity, user: User, ctx: Any, *,
               where: str | None, filters: Mapping[str, Any] | None,
               search: str | None, deleted: bool = False,
               sla: str | None = None) -> list[ColumnElement[bool]]:
    """Every condition of a list or count: not deleted, readable, and what was asked.
    Run them with `context_params(ctx)`."""
    table = entity.table
    result = [
        table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None),
        entity.policy.rule(user, ctx, "read"),
    ]
    if where and where.strip():
        result.append(where_condition(app, entity, user, ctx, where))
    if filters:
        result.extend(filter_conditions(entity, app, user, filters))
    if search and search.strip():
        result.append(search_condition(app, entity, user, ctx, search))
    if sla:
        result.append(clocks.condition(entity, sla, ctx.moment))
    return result


def sort_keys(app: App, entity: CompiledEntity, user: User,
              sort: Sequence[str]) -> list[SortKey]:
    """Validated sort keys, with `id` appended so that the order is total."""
    if isinstance(sort, str):
        sort = [s for s in sort.split(",") if s.strip()]
    keys: list[SortKey] = []
    for item in sort:
        item = item.strip()
        descending = item.startswith("-")
        name = item.lstrip("-+")
        if name == clocks.SLA_DUE:  # computed: the soonest SLA due time (store/clocks)
            if all(k.name != name for k in keys):
                keys.append(SortKey(name, descending))
            continue
        _refuse_hidden(app, entity, user, [name], "sort")
        if not entity.sortable(name):
            visible = entity.policy.visible_fields(user)
            sortable = sorted(n for n in entity.types if entity.sortable(n) and n in visible)
            raise RequestInvalid(render("sort_refused", {
                "entity": entity.name, "name": repr(name), "allowed": sortable}, user.language),
                code="sort_refused")
        if all(k.name != name for k in keys):
            keys.append(SortKey(name, descending))
    if all(k.name != "id" for k in keys):
        keys.append(SortKey("id", keys[-1].descending if keys else True))
    return keys[: keys.index(next(k for k in keys if k.name == "id")) + 1]


def sort_column(entity: CompiledEntity, name: str) -> Any:
    """What sort key `name` orders by: its column, or a computed value (`sla_due`)."""
    return clocks.due(entity) if name == clocks.SLA_DUE else entity.table.c[name]


def _sort_spec(entity: CompiledEntity, name: str) -> FieldSpec:
    if name == clocks.SLA_DUE:
        return FieldSpec(name, "datetime", NOWHERE)
    return entity.field_spec(name)


def order_by(entity: CompiledEntity, keys: Sequence[SortKey]) -> list[Any]:
    """ORDER BY with empty values last in both directions, on every database."""
    clauses: list[Any] = []
    for key in keys:
        column = sort_column(entity, key.name)
        if key.name != "id":
            clauses.append(column.is_(None))
        clauses.append(column.desc() if key.descending else column.asc())
    return clauses


def after(entity: CompiledEntity, keys: Sequence[SortKey],
          values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after the row with sort `values`, in the order of `keys`."""
    alternatives: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values):
        column = sort_column(entity, key.name)
        if value is None:
            beyond: ColumnElement[bool] = sa.false()
            same = column.is_(None)
        else:
            strictly = column < value if key.descending else column > value
            beyond = strictly if key.name == "id" else sa.or_(strictly, column.is_(None))
            same = column == value
        alternatives.append(sa.and_(*equal, beyond) if equal else beyond)
        equal.append(same)
    return sa.or_(*alternatives)


def encode_cursor(keys: Sequence[SortKey], record: Mapping[str, Any]) -> str:
    payload = {"s": [("-" if k.descending else "") + k.name for k in keys],
               "v": [to_json(record.get(k.name)) for k in keys]}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(entity: CompiledEntity, keys: Sequence[SortKey], cursor: str,
                  language: str = "en") -> list[Any]:
    """The sort values in a cursor made by `encode_cursor` for the same sort; RequestInvalid
    for anything else (values are read by their field types, then bound)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        signature = [("-" if k.descending else "") + k.name for k in keys]
        if payload["s"] != signature or len(payload["v"]) != len(keys):
            raise ValueError("cursor of another sort order")
        return [coerce(_sort_spec(entity, k.name), v) for k, v in zip(keys, payload["v"])]
    except (ValueError, KeyError, TypeError, RecursionError):  # nested past the parser
        raise RequestInvalid(render("bad_cursor", {}, language), code="bad_cursor") from None


def check_limit(limit: int, language: str = "en") -> int:
    """`limit` if it is a whole number from 1 to MAX_LIMIT; RequestInvalid otherwise."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise RequestInvalid(render("bad_limit", {"max": MAX_LIMIT, "value": repr(limit)},
                                    language), code="bad_limit")
    return limit
