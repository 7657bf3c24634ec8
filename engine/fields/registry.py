"""The field-type registry: every type a field may declare, and the functions the rest of
the engine and the server call instead of asking what type a field is.

Each type is one module of `guanxi.fields.types` defining `TYPE`, a frozen `FieldType`
(see `guanxi.fields.base`) that owns the type's column, its reading from JSON, form text
and CSV text, its fast reader, its JSON Schema (the one the API serves and the tests
validate against), its widget, its display, its query-string filters and whether it
sorts and is searched.

To add a field type:

1. write `guanxi/fields/types/<name>.py` with a `FieldType` subclass overriding what
   differs from the defaults (at least `column_type`, `coerce` and `json_schema`) and
   `TYPE = <Subclass>("<name>", kind, keys, widget, description, ...)`;
2. add the module to `_MODULES` below;
3. document it in docs/language.md ("Field types") and schemas/entities.schema.json (the
   field `type` enum); tests/fields/test_registry.py then proves it round-trips through JSON,
   form text and CSV text once it has a sample there.
"""

from __future__ import annotations

from typing import Any

from guanxi.fields.base import FieldType, Schema
from guanxi.fields.patterns import nullable
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.types import (
    boolean,
    choice,
    date,
    datetime,
    decimal,
    duration,
    email,
    file,
    integer,
    markdown,
    money,
    percent,
    phone,
    reference,
    string,
    tags,
    text,
    url,
    user,
)
from guanxi.fields.types.datetime import UTCDateTime
from guanxi.fields.types.text import DEFAULT_TEXT_LENGTH
from guanxi.spec import EntitySpec, FieldSpec, text_in
from sqlalchemy.types import TypeEngine

__all__ = ["DEFAULT_TEXT_LENGTH", "FIELD_TYPES", "FieldType", "UTCDateTime"]

_MODULES = (string, text, markdown, email, phone, url, integer, decimal, money, percent,
            boolean, date, datetime, duration, choice, tags, reference, user, file)

FIELD_TYPES: dict[str, FieldType] = {module.TYPE.name: module.TYPE for module in _MODULES}

# Keys every field may declare, whatever its type.
COMMON_KEYS = frozenset(
    {"type", "label", "help", "required", "unique", "index", "default", "compute",
     "sensitive", "readonly", "rollup", "renamed_from"}
)

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


def field_type(field: FieldSpec) -> FieldType:
    """The type of a declared (or system) field."""
    return FIELD_TYPES[field.type]


def title_of(entity: EntitySpec) -> str:
    """The field naming a record: `title:`, else the first text field, else id."""
    if entity.title:
        return entity.title
    for spec in entity.fields:
        if field_type(spec).textual:
            return spec.name
    return "id"


def column_type(field: FieldSpec) -> TypeEngine[Any]:
    """The SQLAlchemy column type of a declared field."""
    return FIELD_TYPES[field.type].column_type(field)


def text_limit(field: FieldSpec) -> int | None:
    """The most characters a field may hold (None: unbounded, or not text)."""
    return FIELD_TYPES[field.type].text_limit(field)


def coerce(field: FieldSpec, value: Any) -> Any:
    """The canonical value of `value` for `field` (None when empty); FieldValueError if
    it cannot be read."""
    if value is None:
        return None
    return FIELD_TYPES[field.type].coerce(field, value)


def parse_text(field: FieldSpec, text: str) -> Any:
    """The value a form field or CSV cell holds; raises ValueError (FieldValueError) with
    a message naming the text and what is expected."""
    return FIELD_TYPES[field.type].parse_text(field, text)


def to_text(field: FieldSpec, value: Any) -> str:
    """A value as a CSV cell ("" when empty), read back by `parse_text`."""
    return "" if value is None else FIELD_TYPES[field.type].to_text(field, value)


def form_text(field: FieldSpec, value: Any) -> str:
    """A value as a form input shows it ("" when empty), read back by `parse_text`."""
    return "" if value is None else FIELD_TYPES[field.type].form_text(field, value)


def to_json(field: FieldSpec, value: Any) -> Any:
    """A value as the API sends it."""
    return None if value is None else FIELD_TYPES[field.type].to_json(field, value)


def display(field: FieldSpec, value: Any, language: str = "en") -> str:
    """A value as people read it ("" when empty)."""
    return "" if value is None else FIELD_TYPES[field.type].display(field, value, language)


def fast_reader(field: FieldSpec, careful: Reader, low: Bound = None,
                high: Bound = None) -> Reader:
    """`careful` with the type's short path for the common inputs of `field`."""
    return FIELD_TYPES[field.type].fast_reader(field, careful, low, high)


def json_schema(field: FieldSpec, *, for_input: bool = False) -> Schema:
    """The JSON Schema (2020-12) of one field's value in the API, as read (or, with
    `for_input`, as a request body gives it); null allowed unless the field is required.
    The OpenAPI document serves exactly this."""
    schema = FIELD_TYPES[field.type].json_schema(field, for_input)
    label = text_in(field.label, "en", "")
    if label:
        schema["title"] = label
    help_text = text_in(field.help, "en", "")
    if help_text:
        schema["description"] = (schema.get("description", "") + " " + help_text).strip()
    if field.derived:
        schema["readOnly"] = True
    return schema if field.required else nullable(schema)


def filter_schema(field: FieldSpec) -> Schema | None:
    """The schema of a `field=value` query filter; None when the API offers none."""
    return FIELD_TYPES[field.type].filter_schema(field)


def parse_filter(field: FieldSpec, text: str) -> Any:
    """A query-string filter's value as the Store takes it ("" finds records without a
    value); FieldValueError when the text cannot be one."""
    return FIELD_TYPES[field.type].parse_filter(text)
