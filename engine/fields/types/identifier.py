"""What `reference` and `user` share: the id of a record or a user, picked from a list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import FieldType, Schema
from guanxi.fields.integers import parse_int
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.types.integer import whole_filter, whole_reader
from guanxi.fields.values import ID_MAX, INT64_MAX, FieldValueError, in_int64, read_whole
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True)
class Identifier(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Integer()

    def coerce(self, field: FieldSpec, value: Any) -> int | None:
        try:
            number = read_whole(value)
            number = None if number is None else in_int64(number, value)
        except FieldValueError:
            raise FieldValueError("not_id", value=show(value)) from None
        if number is not None and not 0 < number <= ID_MAX:
            raise FieldValueError("not_id", value=show(value))
        return number

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        return whole_reader(careful, low, high, 1, ID_MAX)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "integer", "minimum": 1, "maximum": INT64_MAX,
                "description": self.describe(field)}

    def describe(self, field: FieldSpec) -> str:
        """What the id is the id of."""
        raise NotImplementedError(self.name)

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return whole_filter(1, INT64_MAX)

    def parse_filter(self, text: str) -> Any:
        if text == "":
            return text
        number = parse_int(text, signed=True, low=1, high=ID_MAX)
        if number is None:
            raise FieldValueError("not_id", value=show(text))
        return number
