"""What the decimal types (decimal, money, percent) share: an exact Decimal with a fixed
number of digits after the point, sent in the API as a JSON number."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from guanxi.fields.base import Attrs, FieldType, Schema
from guanxi.fields.patterns import json_number
from guanxi.fields.readers import HUGE, Bound, Reader
from guanxi.fields.types.integer import number_attrs
from guanxi.fields.values import FieldValueError, default_scale, round_decimal, to_decimal
from guanxi.messages import show
from guanxi.spec import FieldSpec

# Decimal arithmetic carries 28 significant digits; a number needs them all below its point.
DECIMAL_DIGITS = 28

# Decimals of the whole numbers 0-100 at each scale, shared (percentages, small amounts).
_SMALL: dict[int, tuple[Decimal, ...]] = {}


@dataclass(frozen=True)
class Numeric(FieldType):
    """A decimal type; `suffix` follows the number where people read it."""

    suffix: str = ""

    def coerce(self, field: FieldSpec, value: Any) -> Decimal | None:
        if isinstance(value, str) and not value.strip():
            return None
        try:
            number = to_decimal(value)
        except ValueError:
            raise FieldValueError("not_number", value=show(value)) from None
        scale = default_scale(field)
        quantum = Decimal(1).scaleb(-scale)
        try:
            rounded = number.quantize(quantum, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # more digits than decimal arithmetic carries
            raise FieldValueError("too_large", value=show(value)) from None
        if rounded != number:
            raise FieldValueError("too_many_decimals", value=show(value), scale=scale)
        return rounded

    def computed(self, field: FieldSpec, value: Any) -> Any:
        # Rounded half-even to the field's scale, as arithmetic leaves more digits.
        return round_decimal(field, value)

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        return decimal_reader(default_scale(field), careful, low, high)

    def to_text(self, field: FieldSpec, value: Any) -> str:
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    def display(self, field: FieldSpec, value: Any, language: str) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return str(value)
        return f"{Decimal(str(value)):,.{default_scale(field)}f}{self.suffix}"

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        scale = default_scale(field)
        schema: Schema = {"type": "number",
                          "description": f"at most {scale} digits after the point"}
        if for_input:
            # What the Store enforces on input. Not on records read: validators that
            # divide binary floats (0.07 / 0.01) would refuse exact values there.
            schema["multipleOf"] = 1 if scale == 0 else float(f"1e-{scale}")
        for key, bound in zip(("minimum", "maximum"), self.bounds(field)):
            number = json_number(bound)
            if number is not None:
                schema[key] = number
        limit = 10 ** (DECIMAL_DIGITS - scale)
        if "minimum" not in schema:
            schema["exclusiveMinimum"] = -limit
        if "maximum" not in schema:
            schema["exclusiveMaximum"] = limit
        return schema

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        scale = default_scale(field)
        step = "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"
        return number_attrs(step, self.bounds(field))


def decimal_reader(scale: int, careful: Reader, low: Bound, high: Bound) -> Reader:
    """The fast reader of decimals at `scale`: JSON numbers and ASCII texts that need no
    rounding and lie within the bounds."""
    factor = 10 ** scale
    quantum = Decimal(1).scaleb(-scale)
    small = _SMALL.get(scale)
    if small is None:
        small = _SMALL[scale] = tuple(Decimal(i).quantize(quantum) for i in range(101))
    # Bounds in units of the last decimal place (exact: bounds are read at this scale).
    low_units = -HUGE if low is None else int(low * factor)
    high_units = HUGE if high is None else int(high * factor)
    low_value = Decimal("-Infinity") if low is None else low
    high_value = Decimal("Infinity") if high is None else high
    # Below this magnitude distinct multiples of 10**-scale are distinct floats, so a float
    # whose shortest repr has at most `scale` decimals is exactly round(x * factor) units.
    exact_float = 2.0 ** 50 / factor

    def read(value: Any) -> Any:
        kind = type(value)
        if kind is float:
            if 0.0 < abs(value) < exact_float:
                units = round(value * factor)
                if units / factor == value and low_units <= units <= high_units:
                    return Decimal(units) * quantum
        elif kind is int:
            if 0 <= value <= 100 and low_units <= value * factor <= high_units:
                return small[value]
            if -exact_float < value < exact_float and low_units <= value * factor <= high_units:
                return Decimal(value * factor) * quantum
        elif kind is str and value.isascii():  # Decimal() also reads digits like "٣"
            try:
                number = Decimal(value)
                rounded = number.quantize(quantum)
            except InvalidOperation:
                return careful(value)
            if rounded == number and low_value <= rounded <= high_value:
                return rounded
        elif value is None:
            return None
        return careful(value)

    return read
