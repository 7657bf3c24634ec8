"""Pieces the Store's operations share: reading one row with the user's rights on it,
shaping records for the caller, checking references and unique values, and writing
history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.compile.tables import constraint_name
from guanxi.errors import AccessDenied, NotFound, ValidationFailed
from guanxi.fields.integers import parse_int
from guanxi.fields.values import ID_MAX, to_json
from guanxi.identity import SYSTEM, User
from guanxi.messages import join, render, show
from sqlalchemy.sql.elements import ColumnElement

# Values that are their own JSON (history): the common case, without a call to to_json.
_PLAIN_JSON = frozenset({str, int, bool})

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: the records, the cursor of the next page (None on the last)
    and, when asked for, the number of records matching in all."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None
    # The sums asked for (`Store.list(sums=...)`) over every matching record.
    sums: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowError:
    """What was wrong with one input row (1-based), per field ("" for the row as a whole)."""

    row: int
    errors: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of `bulk_insert`: records inserted and the rows refused."""

    inserted: int
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A row as stored, and what the acting user may do with it."""

    record: Record
    may_update: bool
    may_delete: bool


def is_literal(condition: ColumnElement[bool], value: bool) -> bool:
    """Whether a filter is the constant true (or false), so SQL need not test it."""
    kind = sa.sql.elements.True_ if value else sa.sql.elements.False_
    return isinstance(condition, kind)


def flag(condition: ColumnElement[bool], name: str) -> ColumnElement[Any]:
    """A boolean column telling whether `condition` holds for the row."""
    if is_literal(condition, True) or is_literal(condition, False):
        return sa.literal(is_literal(condition, True)).label(name)
    return sa.case((condition, sa.literal(True)), else_=sa.literal(False)).label(name)


def load(conn: sa.Connection, entity: CompiledEntity, record_id: Any,
         read_filter: ColumnElement[bool], update_filter: ColumnElement[bool],
         delete_filter: ColumnElement[bool], *, deleted: bool = False,
         lock: bool = False, params: Mapping[str, Any] | None = None,
         language: str = "en") -> Loaded:
    """The row `record_id` if the user may read it (and it is, or with `deleted` is not,
    soft-deleted); NotFound otherwise, the same whether missing or unreadable. `params`:
    the values of the filters' bind parameters (`context_params`)."""
    record_id = record_id_of(entity, record_id, language)
    table = entity.table
    query = sa.select(
        table, flag(update_filter, "_may_update"), flag(delete_filter, "_may_delete")
    ).where(table.c.id == record_id, read_filter,
            table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=table)
    row = conn.execute(query, dict(params or {})).mappings().first()
    if row is None:
        raise NotFound(entity.name, record_id, language)
    record = dict(row)
    may_update = bool(record.pop("_may_update"))
    may_delete = bool(record.pop("_may_delete"))
    return Loaded(record, may_update, may_delete)


def record_id_of(entity: CompiledEntity, record_id: Any, language: str = "en") -> int:
    """A record id as an int; NotFound for anything that cannot be one."""
    number: int | None = None
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        number = record_id
    elif isinstance(record_id, str):
        number = parse_int(record_id.strip())
    if number is None or not 0 < number <= ID_MAX:
        raise NotFound(entity.name, record_id, language)
    return number


def shape(record: Mapping[str, Any], visible: frozenset[str]) -> Record:
    """The record as the user may see it: visible fields only, in column order."""
    return {name: value for name, value in record.items() if name in visible}


def check_names(entity: CompiledEntity, names: Iterable[str], writable: frozenset[str],
                language: str, *, allow: frozenset[str] = frozenset()) -> None:
    """Refuse names that are not fields (ValidationFailed) or not writable by the user
    (AccessDenied naming them); `state` is refused with a pointer to transitions."""
    names = list(names)
    unknown = [n for n in names if n not in entity.types]
    if unknown:
        # Only what the user may write: naming every field would name hidden ones.
        allowed = sorted(n for n in entity.types if n in writable or n in allow)
        raise ValidationFailed({
            str(name): [render("unknown_field", {"name": show(name), "entity": entity.name,
                                                 "allowed": allowed}, language)]
            for name in unknown
        })
    if "state" in names and "state" not in allow:
        choices = [t for t in entity.transitions] or ["-"]
        raise AccessDenied(
            render("state_via_transition", {"allowed": choices}, language), ("state",),
            code="state_via_transition")
    refused = tuple(n for n in names if n not in writable and n not in allow)
    if refused:
        raise AccessDenied(
            render("may_not_set", {"fields": refused, "entity": entity.name}, language),
            refused, code="may_not_set")


def unique_clash(entity: str, group: tuple[str, ...], values: Mapping[str, Any],
                 visible: frozenset[str], language: str) -> tuple[str, tuple[str, ...]]:
    """The message for a unique `group` of fields whose `values` another record already
    has, and the fields to report it under. It tells only that the caller's own values
    are taken: never which record has them, nor anything else of it; and of the group,
    only the values and names of fields the caller may see ("" when she sees none)."""
    seen = tuple(f for f in group if f in visible)
    shown = [show(values[f]) for f in seen]
    text = shown[0] if len(shown) == 1 else join(shown) if shown else "-"
    return render("not_unique", {"value": text, "entity": entity}, language), seen or ("",)


def unique_violation(entity: CompiledEntity, error: sa.exc.IntegrityError,
                     language: str) -> ValidationFailed | None:
    """A ValidationFailed for a unique constraint the database refused (a race that the
    pre-check could not see), or None if the error is something else."""
    text = str(error.orig)
    for spec in entity.spec.fields:
        if spec.unique and (constraint_name("uq", entity.name, spec.name) in text
                            or f"{entity.name}.{spec.name}" in text):
            return ValidationFailed({spec.name: [render(
                "not_unique", {"value": "-", "entity": entity.name}, language)]})
    if "unique" in text.lower():
        return ValidationFailed({"": [render(
            "not_unique", {"value": "-", "entity": entity.name}, language)]})
    return None


def changes_of(old: Mapping[str, Any], new: Mapping[str, Any],
               names: Iterable[str]) -> dict[str, list[Any]]:
    """{field: [old, new]} as JSON values, for the fields among `names` that changed."""
    return {
        name: [to_json(old.get(name)), to_json(new.get(name))]
        for name in names
        if old.get(name) != new.get(name)
    }


def created_changes(record: Mapping[str, Any], names: Iterable[str]) -> dict[str, list[Any]]:
    """{field: [None, new]} for the fields among `names` that a new record fills."""
    return {name: [None, value if type(value) in _PLAIN_JSON else to_json(value)]
            for name in names if (value := record.get(name)) is not None}


def _encoded(value: Any) -> str:
    """A value as history's JSON text, as `json.dumps(to_json(value))` writes it."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is Decimal:
        return f'"{format(value, "f")}"'
    if kind is dt.date or kind is dt.datetime:
        return f'"{value.isoformat()}"'
    return json.dumps(to_json(value))


class CreatedText:
    """`created_changes` written straight as JSON text (the text `json.dumps` gives),
    for the many rows of an import: one template per set of filled fields."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._get = itemgetter(*self.names) if len(self.names) > 1 else (
            lambda record: (record.get(self.names[0]),))
        self._templates: dict[tuple[bool, ...], tuple[str, tuple[int, ...]]] = {}

    def __call__(self, record: Mapping[str, Any]) -> str:
        try:
            values = self._get(record)
        except KeyError:
            values = tuple(record.get(name) for name in self.names)
        filled = tuple(value is not None for value in values)
        found = self._templates.get(filled)
        if found is None:
            keys = [(i, name) for i, (name, full) in enumerate(zip(self.names, filled))
                    if full]
            template = "{" + ", ".join(f"{encode_basestring_ascii(name)}: [null, %s]"
                                       for _, name in keys) + "}"
            found = self._templates[filled] = (template, tuple(i for i, _ in keys))
        template, places = found
        return template % tuple(_encoded(values[i]) for i in places)


def history_row(entity: str, record_id: int, user: User, now: dt.datetime, action: str,
                changes: Mapping[str, Any] | str,
                transition: str | None = None) -> dict[str, Any]:
    """A row of gx_history; `changes` as a mapping, or already as JSON text."""
    return {
        "entity": entity, "record_id": record_id, "at": now, "user_id": user_id_of(user),
        "action": action, "transition": transition,
        "changes": changes if isinstance(changes, str) else dict(changes),
    }


def user_id_of(user: User) -> int | None:
    """The id stored for the acting user: NULL for the engine itself."""
    return None if user.id == SYSTEM.id else user.id
