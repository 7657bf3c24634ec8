"""`choice`: one of the field's `options`, a select in forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import FieldType, Schema
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.values import FieldValueError, option_values, read_text
from guanxi.messages import show
from guanxi.spec import FieldSpec, text_in
from sqlalchemy.types import TypeEngine

OPTION_KEYS = frozenset({"options"})


@dataclass(frozen=True)
class Choice(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.String(max([64, *(len(o.value) for o in field.options)]))

    def coerce(self, field: FieldSpec, value: Any) -> str | None:
        text = read_text(value)
        if text is None:
            return None
        if text not in option_values(field):
            raise FieldValueError("not_choice", value=show(text), allowed=option_values(field))
        return text

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        allowed = frozenset(option_values(field))
        # Options as they are given need no cleaning (none has spaces around it or a NUL).
        exact = frozenset(o for o in allowed if o == o.strip() and "\x00" not in o)

        def read(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is str:
                if value in exact:
                    return value
                text = value.strip()
                if text in allowed and "\x00" not in text:
                    return text
            return careful(value)

        return read

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return option_labels(field, value, language)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "string", "enum": option_values(field)}

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return {"type": "string", "enum": [*option_values(field), ""]}

    def options(self, field: FieldSpec, language: str) -> list[tuple[str, str]] | None:
        return option_pairs(field, language)


def option_pairs(field: FieldSpec, language: str) -> list[tuple[str, str]]:
    """(value, label) of each option, in `language`."""
    return [(o.value, text_in(o.label, language, o.value)) for o in field.options]


def option_labels(field: FieldSpec, value: Any, language: str) -> str:
    """The labels of one option or a list of them, in `language`."""
    labels = {o.value: text_in(o.label, language, o.value) for o in field.options}
    values = value if isinstance(value, list | tuple) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in values)


TYPE = Choice("choice", "text", OPTION_KEYS, "select", "one of a list of options",
              control="select", searchable=True)
