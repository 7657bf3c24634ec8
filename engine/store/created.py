"""The history rows of new records, built by SQLite from the rows just inserted.

Encoding each new record's values as JSON text in Python (`records.CreatedText`) and
binding that text to an INSERT cost about a tenth of an import. For the many new rows of
one batch on SQLite, the same history text (`{field: [null, value]}` for each filled
field, in the same order and layout as `json.dumps` writes it) is built in SQL instead,
by one INSERT … SELECT over the batch's ids. The one difference: characters outside
ASCII are written as they are, not escaped — the same JSON values.

Only fields whose stored form gives their history value exactly are built this way:
text of every kind, whole numbers, references and users, dates, booleans, and numbers
with a scale (SQLite stores them as doubles) while every value of the batch is small
enough for its double to round back to the same digits, and not a negative zero
(`HistorySql.exact`). An entity with other fields, or a batch with a larger number, is
encoded in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from json import encoder
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.fields.values import default_scale
from guanxi.store.records import user_id_of
from guanxi.store.unit import Unit

TEXT = frozenset({"string", "text", "markdown", "email", "phone", "url", "choice"})
WHOLE = frozenset({"integer", "reference", "user"})
SCALED = frozenset({"decimal", "money", "percent"})
# Up to 2**46 (about 7e13) a double keeps the digits of a number of up to 2 decimals;
# with more decimals the bound shrinks by the same factor.
_SAFE = Decimal(2) ** 46 * 100
_MAX_SCALE = 6


@dataclass(frozen=True, slots=True)
class HistorySql:
    """The INSERT … SELECT writing the history of an entity's new rows `lo`…`hi`, and
    the scaled fields whose values must be checked first (name, bound)."""

    sql: str
    scaled: tuple[tuple[str, Decimal], ...]

    def exact(self, records: Sequence[Mapping[str, Any]]) -> bool:
        """Whether every scaled number of `records` rounds back from its double."""
        for name, bound in self.scaled:
            for record in records:
                value = record.get(name)
                if value is not None and (not -bound < value < bound
                                          or (not value and value.is_signed())):
                    return False  # too large, or -0 (SQLite stores 0)
        return True


def shown_fields(entity: CompiledEntity) -> list[str]:
    """The fields a new record's history shows, in order: the declared ones, the owner
    and the workflow state."""
    return [n for n in entity.types if n in entity.fields or n in ("owner", "state")]


def _json(column: str, kind: str, scale: int) -> str | None:
    """SQL giving a column's (non-null) value as JSON text, or None when it has no exact
    SQL form."""
    if kind in TEXT or kind == "date":
        return f"json_quote({column})"
    if kind in WHOLE:
        return f"CAST({column} AS TEXT)"
    if kind == "boolean":
        return f"CASE {column} WHEN 0 THEN 'false' ELSE 'true' END"
    if kind in SCALED and scale <= _MAX_SCALE:
        return f"'\"' || printf('%.{scale}f', {column}) || '\"'"
    return None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compile_history(entity: CompiledEntity, shown: Sequence[str], dialect: sa.Dialect,
                    *, historical: bool) -> HistorySql | None:
    """The statement for `entity`'s new records (the `shown` fields, in order), or None
    when a field has no exact SQL form or the database is not SQLite. `historical`: each
    history row is dated at its record's `created_at`, else at the `:at` parameter."""
    if dialect.name != "sqlite" or not shown:
        return None
    quote = dialect.identifier_preparer.quote
    members: list[str] = []
    scaled: list[tuple[str, Decimal]] = []
    for name in shown:
        kind = entity.types[name]
        field = entity.fields.get(name)
        scale = default_scale(field) if field is not None else 2
        column = quote(name)
        value = _json(column, kind, scale)
        if value is None:
            return None
        if kind in SCALED:
            scaled.append((name, _SAFE / Decimal(10) ** scale))
        key = _literal(encoder.encode_basestring_ascii(name) + ": [null, ")
        members.append(f"CASE WHEN {column} IS NULL THEN '' "
                       f"ELSE {key} || {value} || '], ' END")
    at = quote("created_at") if historical else ":at"
    changes = f"'{{' || rtrim({' || '.join(members)}, ', ') || '}}'"
    sql = (f"INSERT INTO gx_history (entity, record_id, at, user_id, action, transition, "
           f"changes) SELECT :entity, id, {at}, :user_id, :action, NULL, {changes} "
           f"FROM {quote(entity.table.name)} WHERE id BETWEEN :lo AND :hi ORDER BY id")
    return HistorySql(sql, tuple(scaled))


def write(unit: Unit, statement: HistorySql, action: str, entity: str, lo: int, hi: int
          ) -> None:
    """Run `statement` for the new rows with ids `lo`…`hi`, written by the unit's user
    at the unit's moment."""
    history = unit.app.tables.history
    at: Any = unit.now
    process = history.c.at.type.dialect_impl(unit.dialect).bind_processor(unit.dialect)
    if process is not None:
        at = process(at)
    cursor = unit.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement.sql, {"entity": entity, "at": at, "lo": lo, "hi": hi,
                                       "user_id": user_id_of(unit.user), "action": action})
    finally:
        cursor.close()
