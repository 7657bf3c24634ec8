"""The field-type registry: one row per type a field may declare.

Each row says what kind of value the type holds in expressions, which declaration keys
apply to it, and (filled in by the runtime) how it is stored, validated, parsed from a
form string or CSV cell, shown in a form and displayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields import values as fieldvalues
from guanxi.spec import FieldSpec
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

# Keys every field may declare, whatever its type.
COMMON_KEYS = frozenset(
    {"type", "label", "help", "required", "unique", "index", "default", "compute",
     "sensitive", "readonly"}
)


@dataclass(frozen=True, slots=True)
class FieldType:
    """One row of the registry.

    kind: the value's kind in expressions: "text", "number", "boolean", "date",
    "datetime", "duration", "list" (tags) or "id" (reference, user).
    keys: declaration keys this type accepts besides COMMON_KEYS.
    widget: the HTML form widget.
    """

    name: str
    kind: str
    keys: frozenset[str]
    widget: str
    description: str

    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        """The SQLAlchemy column type storing this field."""
        return _COLUMN_TYPES[self.name](field)

    def coerce(self, field: FieldSpec, value: Any) -> Any:
        """The canonical Python value (None when empty); FieldValueError if unreadable."""
        return fieldvalues.coerce(field, value)

    def parse_text(self, field: FieldSpec, text: str) -> Any:
        """The value of a form string or CSV cell; ValueError with a clear message."""
        return fieldvalues.parse_text(field, text)

    def json_schema(self, field: FieldSpec) -> dict[str, Any]:
        """The JSON-Schema fragment of the field's value in the API (null when empty)."""
        return json_schema(field)

    def display(self, field: FieldSpec, value: Any, language: str = "en") -> str:
        """The value as people read it."""
        return fieldvalues.display(field, value, language)


def _row(name: str, kind: str, keys: str, widget: str, description: str) -> FieldType:
    return FieldType(name, kind, frozenset(keys.split()), widget, description)


_TEXT_KEYS = "min_length max_length pattern"
_NUMBER_KEYS = "min max"

FIELD_TYPES: dict[str, FieldType] = {
    row.name: row
    for row in (
        _row("string", "text", _TEXT_KEYS, "text", "one line of text"),
        _row("text", "text", _TEXT_KEYS, "textarea", "several lines of text"),
        _row("email", "text", _TEXT_KEYS, "email", "an e-mail address"),
        _row("phone", "text", _TEXT_KEYS, "tel", "a telephone number"),
        _row("url", "text", _TEXT_KEYS, "url", "a web address (http or https)"),
        _row("integer", "number", _NUMBER_KEYS, "number", "a whole number"),
        _row("decimal", "number", _NUMBER_KEYS + " scale", "number", "a decimal number"),
        _row("money", "number", _NUMBER_KEYS, "number", "an amount with two decimals"),
        _row("percent", "number", _NUMBER_KEYS, "number", "a percentage, 0-100"),
        _row("boolean", "boolean", "", "checkbox", "yes or no"),
        _row("date", "date", _NUMBER_KEYS, "date", "a calendar date"),
        _row("datetime", "datetime", _NUMBER_KEYS, "datetime-local", "a moment in time (UTC)"),
        _row("duration", "duration", _NUMBER_KEYS, "duration", "a length of time"),
        _row("choice", "text", "options", "select", "one of a list of options"),
        _row("tags", "list", "options", "multiselect", "any of a list of options"),
        _row("reference", "id", "to", "reference", "a record of another entity"),
        _row("user", "id", "", "user", "a user of the system"),
    )
}

# Fields every entity has; they cannot be declared. name -> type.
SYSTEM_FIELDS: dict[str, str] = {
    "id": "integer",
    "created_at": "datetime",
    "updated_at": "datetime",
    "created_by": "user",
    "owner": "user",
    "version": "integer",
    "state": "choice",
    "deleted_at": "datetime",
}


# ---------------------------------------------------------------- runtime: storage


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A moment stored as naive UTC on every database and read back as aware UTC."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite expressions may hand back text
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# Default widths of one-line text columns; `max_length` widens them.
TEXT_WIDTH = {"string": 255, "email": 254, "phone": 50, "url": 2048}
# The most characters a `text` field takes unless it declares `max_length` (its column
# is unbounded TEXT either way: the limit keeps one value from costing every reader).
DEFAULT_TEXT_LENGTH = 10_000


def text_limit(field: FieldSpec) -> int | None:
    """The most characters a field may hold (None: unbounded)."""
    if field.max_length is not None:
        return field.max_length
    if field.type == "text":
        return DEFAULT_TEXT_LENGTH
    return TEXT_WIDTH.get(field.type)


def _percent(field: FieldSpec) -> TypeEngine[Any]:
    wide = any(v is not None and abs(float(v)) >= 100000 for v in (field.min, field.max))
    return sa.Numeric(18 if wide else 7, 2)


def _choice_column(field: FieldSpec) -> TypeEngine[Any]:
    return sa.String(max([64, *(len(o.value) for o in field.options)]))


_COLUMN_TYPES: dict[str, Callable[[FieldSpec], TypeEngine[Any]]] = {
    "string": lambda f: sa.String(text_limit(f)),
    "text": lambda f: sa.Text(),
    "email": lambda f: sa.String(text_limit(f)),
    "phone": lambda f: sa.String(text_limit(f)),
    "url": lambda f: sa.String(text_limit(f)),
    "integer": lambda f: sa.BigInteger(),
    "decimal": lambda f: sa.Numeric(30, fieldvalues.default_scale(f)),
    "money": lambda f: sa.Numeric(18, 2),
    "percent": _percent,
    "boolean": lambda f: sa.Boolean(),
    "date": lambda f: sa.Date(),
    "datetime": lambda f: UTCDateTime(),
    "duration": lambda f: sa.BigInteger(),
    "choice": _choice_column,
    "tags": lambda f: sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
    "reference": lambda f: sa.Integer(),
    "user": lambda f: sa.Integer(),
}


# ---------------------------------------------------------------- runtime: API schema

_FORMATS = {"email": "email", "url": "uri", "date": "date", "datetime": "date-time"}


def json_schema(field: FieldSpec) -> dict[str, Any]:
    """The JSON-Schema (2020-12) fragment describing the field's value in the API."""
    kind = field.type
    schema: dict[str, Any]
    if kind in ("integer", "duration", "reference", "user"):
        schema = {"type": "integer"}
        if kind in ("reference", "user"):
            schema["minimum"] = 1
    elif kind in ("decimal", "money", "percent"):
        schema = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$",
                  "description": f"a decimal number with {fieldvalues.default_scale(field)} "
                                 "digits after the point"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "tags":
        schema = {"type": "array", "uniqueItems": True,
                  "items": {"enum": fieldvalues.option_values(field)}}
    else:
        schema = {"type": "string"}
        if kind == "choice":
            schema["enum"] = fieldvalues.option_values(field)
        if kind in _FORMATS:
            schema["format"] = _FORMATS[kind]
        limit = text_limit(field)
        if limit is not None:
            schema["maxLength"] = limit
        if field.min_length is not None:
            schema["minLength"] = field.min_length
        if field.pattern:
            schema["pattern"] = field.pattern
    if kind in ("integer", "duration") and field.min is not None:
        schema["minimum"] = field.min
    if kind in ("integer", "duration") and field.max is not None:
        schema["maximum"] = field.max
    if field.compute:
        schema["readOnly"] = True
    if field.help:
        schema.setdefault("description", next(iter(field.help.values())))
    if not field.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def column_type(field: FieldSpec) -> TypeEngine[Any]:
    """The SQLAlchemy column type of a declared field."""
    return FIELD_TYPES[field.type].column_type(field)


coerce = fieldvalues.coerce
parse_text = fieldvalues.parse_text
display = fieldvalues.display
