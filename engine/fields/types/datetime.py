"""`datetime`: a moment in time, stored as UTC and read back as aware UTC."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.types.date import bound_attrs
from guanxi.fields.types.integer import NUMBER_KEYS
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

UTC = dt.UTC


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A moment stored as naive UTC on every database and read back as aware UTC."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None,
                           dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | str | None,
                             dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite expressions may hand back text
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True)
class DateTime(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return UTCDateTime()

    def coerce(self, field: FieldSpec, value: Any) -> dt.datetime | None:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                raise FieldValueError("not_datetime", value=show(text)) from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value.astimezone(UTC)
        raise FieldValueError("not_datetime", value=show(value))

    def to_text(self, field: FieldSpec, value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.datetime) else str(value)

    def form_text(self, field: FieldSpec, value: Any) -> str:
        # What a datetime-local input takes: minutes, no zone (values are UTC).
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return self.to_text(field, value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        if not isinstance(value, dt.datetime):
            return self.to_text(field, value)
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "string", "format": "date-time"}

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return bound_attrs(self, field)


TYPE = DateTime("datetime", "datetime", NUMBER_KEYS, "datetime-local", "a moment in time (UTC)",
                input_type="datetime-local", bounded=True)
