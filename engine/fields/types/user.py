"""`user`: a user of the system, stored as the user's id."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.fields.types.identifier import Identifier
from guanxi.spec import FieldSpec


@dataclass(frozen=True)
class User(Identifier):
    def foreign_key(self, field: FieldSpec, user_table: str) -> str | None:
        return f"{user_table}.id"

    def describe(self, field: FieldSpec) -> str:
        return "id of a user"


TYPE = User("user", "id", frozenset(), "user", "a user of the system", control="select")
