"""The field-type registry: one row per type a field may declare.

Each row says what kind of value the type holds in expressions, which declaration keys
apply to it, and (filled in by the runtime) how it is stored, validated, parsed from a
form string or CSV cell, shown in a form and displayed.
"""

from __future__ import annotations

from dataclasses import dataclass

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
