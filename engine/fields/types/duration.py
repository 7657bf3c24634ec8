"""`duration`: a length of time, stored as whole seconds and written 90m, 12h, 3d, 1w."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.integers import is_integer_text
from guanxi.fields.readers import Bound, Reader
from guanxi.fields.types.integer import NUMBER_KEYS, whole_reader
from guanxi.fields.values import INT64_MAX, INT64_MIN, FieldValueError, ascii_whole, in_int64
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

# ASCII digits, few enough that int() is quick; a sum beyond 64 bits is out of range.
_DURATION = re.compile(r"(?:([0-9]{1,19})w)?\s*(?:([0-9]{1,19})d)?\s*(?:([0-9]{1,19})h)?"
                       r"\s*(?:([0-9]{1,19})m)?\s*(?:([0-9]{1,19})s)?", re.ASCII)
_UNITS = (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


@dataclass(frozen=True)
class Duration(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.BigInteger()

    def coerce(self, field: FieldSpec, value: Any) -> int | None:
        seconds = _seconds(value)
        return None if seconds is None else in_int64(seconds, value)

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        return whole_reader(careful, low, high, INT64_MIN, INT64_MAX)

    def form_text(self, field: FieldSpec, value: Any) -> str:
        # The largest unit that divides the value, else seconds as a bare number.
        if isinstance(value, int):
            for unit, seconds in _UNITS[:-1]:
                if value and value % seconds == 0:
                    return f"{value // seconds}{unit}"
        return str(value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return format_duration(value) if isinstance(value, int) else str(value)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        if for_input:
            return {"type": ["integer", "string"],
                    "description": "seconds, or text such as 90m, 12h, 3d, 1w"}
        return {"type": "integer", "description": "seconds"}

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return {"pattern": r"\s*\d+\s*[mhdw]?\s*", "placeholder": "3d"}


def _seconds(value: Any) -> int | None:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if is_integer_text(text, signed=True):
            return ascii_whole(text, value)
        match = _DURATION.fullmatch(text)
        if match and any(match.groups()):
            return sum(int(g or 0) * s for g, (_, s) in zip(match.groups(), _UNITS))
    raise FieldValueError("not_duration", value=show(value))


def format_duration(seconds: int) -> str:
    """Seconds as people write durations: 3d, 12h, 90m, 1w 2d."""
    if seconds == 0:
        return "0m"
    parts = []
    rest = abs(seconds)
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return ("-" if seconds < 0 else "") + " ".join(parts)


TYPE = Duration("duration", "duration", NUMBER_KEYS, "duration", "a length of time",
                bounded=True)
