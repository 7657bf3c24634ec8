"""`tags`: any of the field's `options`, stored as a JSON list, a multi-select in forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs, FieldType, Posted, Schema
from guanxi.fields.types.choice import OPTION_KEYS, option_labels, option_pairs
from guanxi.fields.values import FieldValueError, option_values
from guanxi.messages import show
from guanxi.spec import FieldSpec
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class Tags(FieldType):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

    def coerce(self, field: FieldSpec, value: Any) -> list[str] | None:
        if isinstance(value, str):
            items: list[Any] = [p.strip() for p in _SEPARATORS.split(value) if p.strip()]
        elif isinstance(value, list | tuple | set | frozenset):
            items = list(value)
        else:
            raise FieldValueError("not_list", value=show(value), allowed=option_values(field))
        allowed = option_values(field)
        out: list[str] = []
        for item in items:
            if not isinstance(item, str) or item not in allowed:
                raise FieldValueError("not_choice", value=show(item), allowed=allowed)
            if item not in out:
                out.append(item)
        return out or None

    def to_text(self, field: FieldSpec, value: Any) -> str:
        return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return option_labels(field, value, language)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {"type": "array", "items": {"type": "string", "enum": option_values(field)},
                "uniqueItems": True}

    def options(self, field: FieldSpec, language: str) -> list[tuple[str, str]] | None:
        return option_pairs(field, language)

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return {"multiple": True}

    def form_value(self, field: FieldSpec, posted: Posted) -> Any:
        values = posted if isinstance(posted, list) else ([posted] if posted else [])
        return [v for v in values if v] or None


TYPE = Tags("tags", "list", OPTION_KEYS, "multiselect", "any of a list of options",
            control="multiselect", sortable=False)
