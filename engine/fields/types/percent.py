"""`percent`: a percentage with two decimals, from 0 to 100 unless `min` or `max` say
otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.types.integer import NUMBER_KEYS
from guanxi.fields.types.numeric import Numeric
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True)
class Percent(Numeric):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        wide = any(v is not None and abs(float(v)) >= 100000 for v in (field.min, field.max))
        return sa.Numeric(18 if wide else 7, 2)

    def bounds(self, field: FieldSpec) -> tuple[Any, Any]:
        if field.min is None and field.max is None:
            return 0, 100
        return field.min, field.max

TYPE = Percent("percent", "number", NUMBER_KEYS, "number", "a percentage, 0-100",
               input_type="number", bounded=True, suffix=" %")
