"""What every field type knows, with the defaults most types share.

A field type is one frozen object (an instance of a subclass of `FieldType`) that owns
everything the engine and the server do differently per type: the column storing it,
reading a value from JSON, a form field or a CSV cell, the fast reader of imports and API
writes, its JSON Schema, its form widget, how people read it, query-string filters and
whether it sorts. Methods take the declared `FieldSpec`, since bounds, lengths, options and
scale are declared per field. `None` is every type's empty value and never reaches
`coerce`; the registry's module-level functions handle it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.fields.readers import Bound, Reader, guard_none
from guanxi.fields.values import api_json
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

# The attributes of an HTML form control.
Attrs = dict[str, str | bool]
# A JSON Schema (2020-12) fragment.
Schema = dict[str, Any]
# What a form posts for a field: a string, a list (multi-selects) or nothing (checkboxes).
Posted = str | list[str] | None


@dataclass(frozen=True)
class FieldType:
    """One field type. Subclasses override what differs.

    name: the type as the YAML writes it. kind: the value's kind in expressions ("text",
    "number", "boolean", "date", "datetime", "duration", "list" or "id"). keys: declaration
    keys the type accepts besides the common ones. widget: the form widget as documented.
    control: the HTML control (input, textarea, checkbox, select, multiselect) and
    input_type its `type=` when it is an input. searchable: text search looks in it.
    sortable: lists may sort by it. bounded: `min` and `max` apply. textual: lengths and
    `pattern` apply.
    """

    name: str
    kind: str
    keys: frozenset[str]
    widget: str
    description: str
    control: str = "input"
    input_type: str = "text"
    searchable: bool = False
    sortable: bool = True
    bounded: bool = False
    textual: bool = False

    # ------------------------------------------------------------ storage

    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        """The SQLAlchemy column type storing the field."""
        raise NotImplementedError(self.name)

    def foreign_key(self, field: FieldSpec, user_table: str) -> str | None:
        """The `table.column` the column refers to (ids of records or users), or None."""
        return None

    def text_limit(self, field: FieldSpec) -> int | None:
        """The most characters a value may hold (None: unbounded or not text)."""
        return None

    # ------------------------------------------------------------ reading values

    def coerce(self, field: FieldSpec, value: Any) -> Any:
        """The canonical value of a JSON value, a Python value or a text (None when
        empty); `FieldValueError` when it cannot be read."""
        raise NotImplementedError(self.name)

    def parse_text(self, field: FieldSpec, text: str) -> Any:
        """The value a form field or a CSV cell holds."""
        return self.coerce(field, text)

    def computed(self, field: FieldSpec, value: Any) -> Any:
        """A non-empty value an expression produced for the field (a computed field or
        a transition's `set`), in canonical form."""
        return self.coerce(field, value)

    def bounds(self, field: FieldSpec) -> tuple[Any, Any]:
        """The declared (min, max) as written in the YAML; (None, None) when unbounded."""
        return (field.min, field.max) if self.bounded else (None, None)

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        """`careful` with a short path for the inputs callers usually send. `careful`
        reads and checks exactly (raising `Invalid`); `low` and `high` are the bounds as
        read values. A short path only returns what `careful` would have returned."""
        return guard_none(careful)

    # ------------------------------------------------------------ writing values

    def to_json(self, field: FieldSpec, value: Any) -> Any:
        """A canonical value as the API sends it."""
        return api_json(value)

    def to_text(self, field: FieldSpec, value: Any) -> str:
        """A canonical value as a CSV cell: exact, read back by `parse_text`."""
        return str(value)

    def form_text(self, field: FieldSpec, value: Any) -> str:
        """A canonical value as a form input shows it, read back by `parse_text`."""
        return self.to_text(field, value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        """A canonical value as people read it."""
        return str(value)

    def link(self, field: FieldSpec, value: Any) -> str:
        """Where a value points (a web or mail address), or ""."""
        return ""

    # ------------------------------------------------------------ the API

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        """The JSON Schema of a non-empty value; `for_input` for request bodies. The
        registry's `json_schema` adds the title, help, readOnly and null."""
        raise NotImplementedError(self.name)

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        """The schema of a `field=value` query filter; None when the API has none."""
        return None

    def parse_filter(self, text: str) -> Any:
        """A query-string filter's value as the Store takes it: "" finds records without
        a value; `FieldValueError` when the text cannot be one."""
        return text

    # ------------------------------------------------------------ forms

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        """HTML attributes of the control, from the same declarations the Store checks."""
        return {}

    def options(self, field: FieldSpec, language: str) -> list[tuple[str, str]] | None:
        """(value, label) pairs of a select; None when the caller supplies them."""
        return None

    def form_value(self, field: FieldSpec, posted: Posted) -> Any:
        """What a form posted, as input for the Store (which parses and checks it); an
        empty text box means no value."""
        if posted is None or (isinstance(posted, str) and posted.strip() == ""):
            return None
        return posted
