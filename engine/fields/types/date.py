"""`date`: a calendar date, ISO 2026-11-22 (CSV also 2026/11/22)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.types.integer import NUMBER_KEYS
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})", re.ASCII)
_ISO_START = re.compile(r"^\d{4}-\d\d-\d\d")
# Imports repeat the same few hundred dates; a reader remembers this many.
_SEEN_DATES = 2048


@dataclass(frozen=True)
class Date(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Date()

    def coerce(self, field: FieldSpec, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            raise FieldValueError("not_date", value=show(value))
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            match = _DATE.fullmatch(text)
            if match:
                try:
                    return dt.date(*(int(g) for g in match.groups()))
                except ValueError:
                    pass
        raise FieldValueError("not_date", value=show(value))

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        low = dt.date.min if low is None else low
        high = dt.date.max if high is None else high
        # Dates are immutable, so the ones read are shared.
        seen: dict[str, dt.date] = {}

        def read(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is str:
                day = seen.get(value)
                if day is not None:
                    return day
                # YYYY-MM-DD only: fromisoformat also reads ISO week dates, refused here.
                if len(value) == 10 and value[4] == "-" and value[7] == "-":
                    try:
                        day = dt.date.fromisoformat(value)
                    except ValueError:
                        return careful(value)
                    if low <= day <= high:
                        if len(seen) < _SEEN_DATES:
                            seen[value] = day
                        return day
            elif type(value) is dt.date and low <= value <= high:
                return value
            return careful(value)

        return read

    def to_text(self, field: FieldSpec, value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return self.to_text(field, value)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "string", "format": "date"}

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return bound_attrs(self, field)


def bound_attrs(field_type: FieldType, field: FieldSpec) -> Attrs:
    """`min` and `max` of a date or datetime input, as the input writes them."""
    attrs: Attrs = {}
    for key, bound in zip(("min", "max"), (field.min, field.max)):
        if isinstance(bound, dt.date):
            attrs[key] = field_type.form_text(field, bound)
        elif isinstance(bound, str) and _ISO_START.match(bound):
            attrs[key] = bound
    return attrs


TYPE = Date("date", "date", NUMBER_KEYS, "date", "a calendar date", input_type="date",
            bounded=True)
