"""`integer`: a whole number, stored in 64 bits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.integers import parse_int
from guanxi.fields.patterns import html_number, json_number
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.values import INT64_MAX, INT64_MIN, FieldValueError, in_int64, read_whole
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

NUMBER_KEYS = frozenset({"min", "max"})


@dataclass(frozen=True)
class Integer(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.BigInteger()

    def coerce(self, field: FieldSpec, value: Any) -> int | None:
        number = read_whole(value)
        return None if number is None else in_int64(number, value)

    def computed(self, field: FieldSpec, value: Any) -> Any:
        # Arithmetic on whole numbers may give a float or Decimal: truncated, as int().
        if isinstance(value, float | Decimal):
            return int(value)
        return self.coerce(field, value)

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        return whole_reader(careful, low, high, INT64_MIN, INT64_MAX)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        schema: Schema = {"type": "integer"}
        for key, bound in zip(("minimum", "maximum"), self.bounds(field)):
            number = json_number(bound)
            if number is not None:
                schema[key] = number
        schema.setdefault("minimum", INT64_MIN)
        schema.setdefault("maximum", INT64_MAX)
        return schema

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return whole_filter(INT64_MIN, INT64_MAX)

    def parse_filter(self, text: str) -> Any:
        if text == "":
            return text
        number = parse_int(text, signed=True, low=INT64_MIN, high=INT64_MAX)
        if number is None:
            raise FieldValueError("not_integer", value=show(text))
        return number

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return number_attrs("1", self.bounds(field))

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return str(int(value)) if isinstance(value, int) else str(value)


def whole_reader(careful: Reader, low: Bound, high: Bound, floor: int, ceiling: int) -> Reader:
    """The fast reader of whole numbers between `floor` and `ceiling` (what the column
    holds) and the field's bounds; values outside take the careful path, which refuses
    them."""
    low = floor if low is None else max(low, floor)
    high = ceiling if high is None else min(high, ceiling)

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is int:
            if low <= value <= high:
                return value
        elif type(value) is str and value.isdigit() and value.isascii() and len(value) < 19:
            number = int(value)
            if low <= number <= high:
                return number
        return careful(value)

    return read


def whole_filter(low: int, high: int) -> Schema:
    """A whole-number query filter; an empty value finds the records without one."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": high},
                      {"type": "string", "maxLength": 0}]}


def number_attrs(step: str, bounds: tuple[Any, Any]) -> Attrs:
    """`step`, `min` and `max` of a number input."""
    attrs: Attrs = {"step": step}
    low, high = bounds
    if low is not None:
        attrs["min"] = html_number(low)
    if high is not None:
        attrs["max"] = html_number(high)
    return attrs


TYPE = Integer("integer", "number", NUMBER_KEYS, "number", "a whole number",
               input_type="number", bounded=True)
