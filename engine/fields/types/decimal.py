"""`decimal`: a decimal number with `scale` digits after the point (2 unless declared)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.types.integer import NUMBER_KEYS
from guanxi.fields.types.numeric import Numeric
from guanxi.fields.values import default_scale
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True)
class DecimalType(Numeric):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Numeric(30, default_scale(field))


TYPE = DecimalType("decimal", "number", NUMBER_KEYS | {"scale"}, "number", "a decimal number",
                   input_type="number", bounded=True)
