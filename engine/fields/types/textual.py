"""What the text types (string, text, email, phone, url) share: a trimmed string within a
length, shaped by the type or the field's `pattern`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.patterns import text_pattern
from guanxi.fields.readers import HUGE, Bound, Reader
from guanxi.fields.values import read_text
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

TEXT_KEYS = frozenset({"min_length", "max_length", "pattern"})


@dataclass(frozen=True)
class Textual(FieldType):
    """A text type. width: the column's width unless `max_length` says otherwise (None:
    unbounded). keep_spaces: the value is kept as typed, not trimmed. shape: the
    ECMA-262 pattern of the values the type takes (None: any text). autocomplete: the
    form's hint for browsers."""

    width: int | None = None
    keep_spaces: bool = False
    shape: str | None = None
    autocomplete: str = ""

    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.String(self.text_limit(field))

    def text_limit(self, field: FieldSpec) -> int | None:
        return field.max_length if field.max_length is not None else self.width

    def coerce(self, field: FieldSpec, value: Any) -> str | None:
        text = read_text(value, self.keep_spaces)
        return None if text is None else self.shaped(text)

    def shaped(self, text: str) -> str:
        """A non-blank text in the type's canonical form; FieldValueError if misshapen."""
        return text

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        return line_reader(field, careful, self.text_limit(field), self.keep_spaces)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        schema: Schema = {"type": "string"}
        longest = self.text_limit(field)
        if longest:
            schema["maxLength"] = longest
        if field.min_length or field.required:
            schema["minLength"] = max(field.min_length or 0, 1)
        schema["pattern"] = text_pattern(field, self.shape)
        return schema

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        attrs: Attrs = {}
        longest = self.text_limit(field)
        if longest:
            attrs["maxlength"] = str(longest)
        if field.min_length:
            attrs["minlength"] = str(field.min_length)
        if field.pattern and not self.keep_spaces:
            attrs["pattern"] = field.pattern
        if self.autocomplete:
            attrs["autocomplete"] = self.autocomplete
        return attrs


def line_reader(field: FieldSpec, careful: Reader, limit: int | None,
                keep_spaces: bool) -> Reader:
    """The fast reader of plain text: a string within the lengths and pattern."""
    longest = HUGE if limit is None else limit
    shortest = field.min_length or 0
    pattern = re.compile(field.pattern).fullmatch if field.pattern else None

    if pattern is None and not shortest and not keep_spaces:
        def read_line(value: Any) -> Any:
            if type(value) is str and "\x00" not in value:
                text = value.strip()
                if text and len(text) <= longest:
                    return text
            return None if value is None else careful(value)

        return read_line

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and "\x00" not in value:
            text = value if keep_spaces else value.strip()
            if (text and not text.isspace() and shortest <= len(text) <= longest
                    and (pattern is None or pattern(text))):
                return text
        return careful(value)

    return read
