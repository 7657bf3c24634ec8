"""`string`: one line of text."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.fields.base import Schema
from guanxi.fields.types.textual import TEXT_KEYS, Textual
from guanxi.spec import FieldSpec


@dataclass(frozen=True)
class String(Textual):
    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return {"type": "string"}


TYPE = String("string", "text", TEXT_KEYS, "text", "one line of text", input_type="text",
              searchable=True, textual=True, width=255)
