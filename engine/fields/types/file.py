"""`file`: a file attached to the record, stored as the id of its attachment
(`gx_attachment`). It is set by uploading a file for the field (the detail page, the
API's attachments route), never typed: its bytes are checked like every attachment's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.fields.base import Attrs, Schema
from guanxi.fields.types.identifier import Identifier
from guanxi.spec import FieldSpec


@dataclass(frozen=True)
class File(Identifier):
    def describe(self, field: FieldSpec) -> str:
        return "id of an attachment of the record (upload it to set it)"

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        return f"📎 {value}"

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return None

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return {"readonly": True}


TYPE = File("file", "id", frozenset(), "file",
            "a file attached to the record (upload it on the record's page or the API)",
            input_type="number")
