"""`reference`: a record of another entity (`to:`), stored as its id."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.fields.types.identifier import Identifier
from guanxi.spec import FieldSpec


@dataclass(frozen=True)
class Reference(Identifier):
    def foreign_key(self, field: FieldSpec, user_table: str) -> str | None:
        return f"{field.ref}.id" if field.ref else None

    def describe(self, field: FieldSpec) -> str:
        return f"id of a {field.ref}"


TYPE = Reference("reference", "id", frozenset({"to", "related_label"}), "reference",
                 "a record of another entity", control="select")
