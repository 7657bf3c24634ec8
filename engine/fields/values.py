"""What the field types share about values: the error a value raises, emptiness, numbers
and text as outside callers send them, and values as JSON.

Canonical values: str (text types, choice), int (integer, duration in seconds, reference,
user), Decimal quantized to the field's scale (decimal, money, percent), bool, date,
datetime (aware, UTC), list[str] (tags). `None` is the empty value.

Input may be the canonical value, a JSON value (an API body) or a string (a form field or
a CSV cell); a value that cannot be read raises `FieldValueError`, a `ValueError` whose
code and parameters the validator renders in the user's language. Reading one type's
values is that type's business (`guanxi.fields.types`).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from guanxi.errors import GuanxiError
from guanxi.fields.integers import MAX_DIGITS, is_integer_text
from guanxi.messages import render, show
from guanxi.spec import FieldSpec

UTC = dt.UTC

# What the columns hold: integers and durations are 64-bit; ids and references are the
# databases' INTEGER primary keys (32-bit on PostgreSQL).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
ID_MAX = 2**31 - 1


class FieldValueError(GuanxiError, ValueError):
    """A value a field cannot hold. `str()` is the English message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(render(code, params, "en"))

    def message(self, language: str) -> str:
        return render(self.code, self.params, language)


def is_empty(value: Any) -> bool:
    """None, a blank string and an empty list are all "no value"."""
    return value is None or value == "" or value == [] or (
        isinstance(value, str) and not value.strip()
    )


def default_scale(field: FieldSpec) -> int:
    """Digits after the point of a number field (decimal declares them; 2 otherwise)."""
    return field.scale if field.scale is not None else 2


def option_values(field: FieldSpec) -> list[str]:
    return [o.value for o in field.options]


# ---------------------------------------------------------------- text


def read_text(value: Any, keep_spaces: bool = False) -> str | None:
    """A text value: a string (or a whole number written as one), trimmed unless
    `keep_spaces`; None when blank; `not_text` for anything else or a NUL character."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldValueError("not_text", value=show(value))
    text = str(value)
    if "\x00" in text:
        raise FieldValueError("not_text", value=show(text.replace("\x00", "\\0")))
    if not keep_spaces:
        text = text.strip()
    return text if text.strip() else None


# ---------------------------------------------------------------- whole numbers


def in_int64(number: int, value: Any) -> int:
    """`number` when a 64-bit column holds it; `out_of_range` naming `value` otherwise."""
    if not INT64_MIN <= number <= INT64_MAX:
        raise FieldValueError("out_of_range", value=show(value))
    return number


def read_whole(value: Any) -> int | None:
    """A whole number from an int, an integral float or Decimal, or ASCII digits."""
    if isinstance(value, bool):
        raise FieldValueError("not_integer", value=show(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value == value and value not in (float("inf"), float("-inf")) and value == int(value):
            return int(value)
        raise FieldValueError("not_integer", value=show(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if is_integer_text(text, signed=True):
            return ascii_whole(text, value)
    raise FieldValueError("not_integer", value=show(value))


def ascii_whole(text: str, value: Any) -> int:
    """ASCII digits as an int; more digits than any 64-bit number has are out of range."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise FieldValueError("out_of_range", value=show(value))
    return int(text)


# ---------------------------------------------------------------- decimals


def to_decimal(value: Any) -> Decimal:
    """A Decimal from an int, float, Decimal or numeric string; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        if not value.isascii():  # Decimal() also reads digits such as "٣"
            raise ValueError(value)
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(value) from None
    else:
        raise ValueError(value)
    if not number.is_finite():
        raise ValueError(value)
    return number


def round_decimal(field: FieldSpec, value: Any) -> Decimal | None:
    """A computed number, rounded half-even to the field's scale."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-default_scale(field))
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN)


# ---------------------------------------------------------------- JSON


def to_json(value: Any) -> Any:
    """A canonical value as stored JSON (history): Decimal and times as strings."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def api_json(value: Any) -> Any:
    """A value as the API sends it: dates in ISO 8601, decimals as numbers."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        whole = value == value.to_integral_value() and isinstance(exponent, int) \
            and exponent >= 0
        return int(value) if whole else float(value)
    if isinstance(value, list | tuple):
        return [api_json(v) for v in value]
    return value
