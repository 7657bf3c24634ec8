"""`boolean`: yes or no, a checkbox in forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import FieldType, Posted, Schema
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

TRUE = frozenset({"true", "yes", "y", "1", "on", "是", "t"})
FALSE = frozenset({"false", "no", "n", "0", "off", "否", "f"})
_YES_NO = {"en": ("Yes", "No"), "zh": ("是", "否")}
# What a ticked checkbox posts.
_TICKED = ("on", "true", "1")


@dataclass(frozen=True)
class Boolean(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Boolean()

    def coerce(self, field: FieldSpec, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if not text:
                return None
            if text in TRUE:
                return True
            if text in FALSE:
                return False
        raise FieldValueError("not_boolean", value=show(value))

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        words = {**dict.fromkeys(TRUE, True), **dict.fromkeys(FALSE, False)}

        def read(value: Any) -> Any:
            if value is None or type(value) is bool:
                return value
            if type(value) is str:
                found = words.get(value.strip().lower())
                if found is not None:
                    return found
            return careful(value)

        return read

    def to_text(self, field: FieldSpec, value: Any) -> str:
        return "true" if value else "false"

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        yes, no = _YES_NO.get(language, _YES_NO["en"])
        return yes if value else no

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "boolean"}

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "maxLength": 0}]}

    def parse_filter(self, text: str) -> Any:
        return text == "true" if text in ("true", "false") else text

    def form_value(self, field: FieldSpec, posted: Posted) -> Any:
        # An unticked checkbox sends nothing.
        return posted in _TICKED


TYPE = Boolean("boolean", "boolean", frozenset(), "checkbox", "yes or no", control="checkbox")
