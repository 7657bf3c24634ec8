"""`money`: an amount with two decimals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.types.integer import NUMBER_KEYS
from guanxi.fields.types.numeric import Numeric
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True)
class Money(Numeric):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Numeric(18, 2)


TYPE = Money("money", "number", NUMBER_KEYS | {"currency"}, "number", "an amount with two decimals",
             input_type="number", bounded=True)
