"""One function per field that reads a value and checks it in a single call.

This is the innermost loop of imports and API writes, so each reader is a closure with
its field's limits (bounds, lengths, options, pattern) bound in, and handles the values
callers usually send (a JSON string, number or null; a CSV cell) in a few comparisons.
Anything out of the ordinary, including every invalid value, goes to the field's
`careful` reader: the general coercion followed by each declared check, which is the one
place messages come from. A fast path therefore only ever returns what the careful path
would have returned for the same input without a problem.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from guanxi.errors import GuanxiError
from guanxi.fields.registry import text_limit
from guanxi.fields.values import (
    _FALSE,
    _TRUE,
    _URL,
    ID_MAX,
    INT64_MAX,
    INT64_MIN,
    default_scale,
    option_values,
)
from guanxi.spec import FieldSpec

Reader = Callable[[Any], Any]
# A bound value as the reader compares it; None when the field declares none.
Bound = Any


class NoValue:
    """Marks an `Invalid` value that could not be read at all."""


class Invalid(GuanxiError):
    """A value a field refuses: its problems as (code, parameters), and the value read
    when it could be read but broke a check (it is kept in the record, as the user's)."""

    def __init__(self, problems: tuple[tuple[str, dict[str, Any]], ...],
                 value: Any = NoValue) -> None:
        super().__init__(str(problems))
        self.problems = problems
        self.value = value


# An e-mail address whose domain is already lower-case ASCII: a subset of the general
# shape (fieldvalues._EMAIL) that needs no normalising.
_PLAIN_EMAIL = re.compile(r"[^@\s]+@[a-z0-9\-.]+\.[a-z0-9\-]+").fullmatch
_PHONE_CHARS = b"0123456789 +-()."
_PHONE_PUNCTUATION = b" +-()."


def _text(field: FieldSpec, careful: Reader) -> Reader:
    longest = text_limit(field)
    longest = _HUGE if longest is None else longest
    shortest = field.min_length or 0
    pattern = re.compile(field.pattern).fullmatch if field.pattern else None
    keep_spaces = field.type == "text"

    if pattern is None and not shortest and not keep_spaces:
        def read_line(value: Any) -> Any:
            if type(value) is str and "\x00" not in value:
                text = value.strip()
                if text and len(text) <= longest:
                    return text
            return None if value is None else careful(value)

        return read_line

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and "\x00" not in value:
            text = value if keep_spaces else value.strip()
            if (text and not text.isspace() and shortest <= len(text) <= longest
                    and (pattern is None or pattern(text))):
                return text
        return careful(value)

    return read


def _shaped(accepts: Callable[[str], Any]) -> Callable[[FieldSpec, Reader], Reader]:
    """A reader for text of one shape (e-mail, URL): trimmed, within the length, and
    accepted by `accepts`; anything else takes the careful path."""

    def make(field: FieldSpec, careful: Reader) -> Reader:
        longest = text_limit(field) or _HUGE

        def read(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is str and "\x00" not in value:
                text = value.strip()
                if len(text) <= longest and accepts(text):
                    return text
            return careful(value)

        return read

    return make


_email = _shaped(_PLAIN_EMAIL)
_url = _shaped(_URL.fullmatch)


def _phone(field: FieldSpec, careful: Reader) -> Reader:
    longest = text_limit(field) or _HUGE

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            text = value.strip()
            if text and len(text) <= longest:
                # Only phone characters (deleting them all leaves nothing), five digits.
                raw = text.encode()
                if (not raw.translate(None, _PHONE_CHARS)
                        and len(raw.translate(None, _PHONE_PUNCTUATION)) >= 5):
                    return text
        return careful(value)

    return read




def _choice(field: FieldSpec, careful: Reader) -> Reader:
    allowed = frozenset(option_values(field))
    # Options as they are given need no cleaning (none has spaces around it or a NUL).
    exact = frozenset(o for o in allowed if o == o.strip() and "\x00" not in o)

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            if value in exact:
                return value
            text = value.strip()
            if text in allowed and "\x00" not in text:
                return text
        return careful(value)

    return read


def _whole(field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
    # Values outside what the column holds take the careful path, which refuses them.
    floor, ceiling = (1, ID_MAX) if field.type in ("reference", "user") else (
        INT64_MIN, INT64_MAX)
    low = floor if low is None else max(low, floor)
    high = ceiling if high is None else min(high, ceiling)

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is int:
            if low <= value <= high:
                return value
        elif type(value) is str and value.isdigit() and value.isascii() and len(value) < 19:
            number = int(value)
            if low <= number <= high:
                return number
        return careful(value)

    return read


# Beyond any bound a field may declare; an int, since ints compare fastest with ints.
_HUGE = 10 ** 40

# Decimals of the whole numbers 0-100 at each scale, shared (percentages, small amounts).
_SMALL: dict[int, tuple[Decimal, ...]] = {}


def _decimal(field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
    scale = default_scale(field)
    factor = 10 ** scale
    quantum = Decimal(1).scaleb(-scale)
    small = _SMALL.get(scale)
    if small is None:
        small = _SMALL[scale] = tuple(Decimal(i).quantize(quantum) for i in range(101))
    # Bounds in units of the last decimal place (exact: bounds are read at this scale).
    low_units = -_HUGE if low is None else int(low * factor)
    high_units = _HUGE if high is None else int(high * factor)
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


def _date(field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
    low = dt.date.min if low is None else low
    high = dt.date.max if high is None else high
    # Imports repeat the same few hundred dates; dates are immutable, so they are shared.
    seen: dict[str, dt.date] = {}

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            day = seen.get(value)
            if day is not None:
                return day
            # YYYY-MM-DD only: fromisoformat also reads ISO week dates, which are refused.
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    return careful(value)
                if low <= day <= high:
                    if len(seen) < _SEEN_DATES:
                        seen[value] = day
                    return day
        elif type(value) is dt.date and low <= value <= high:
            return value
        return careful(value)

    return read


_SEEN_DATES = 2048


def _boolean(field: FieldSpec, careful: Reader) -> Reader:
    words = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}

    def read(value: Any) -> Any:
        if value is None or type(value) is bool:
            return value
        if type(value) is str:
            found = words.get(value.strip().lower())
            if found is not None:
                return found
        return careful(value)

    return read


_UNBOUNDED: dict[str, Callable[[FieldSpec, Reader], Reader]] = {
    "string": _text, "text": _text, "email": _email, "phone": _phone, "url": _url,
    "choice": _choice, "boolean": _boolean,
}
_BOUNDED: dict[str, Callable[[FieldSpec, Reader, Bound, Bound], Reader]] = {
    "integer": _whole, "duration": _whole, "reference": _whole, "user": _whole,
    "decimal": _decimal, "money": _decimal, "percent": _decimal, "date": _date,
}


def fast_reader(field: FieldSpec, careful: Reader, low: Bound = None,
                high: Bound = None) -> Reader:
    """`careful` with a short path for the common inputs of `field`'s type.

    `careful(value)` reads and checks a value exactly (raising `Invalid`); `low` and
    `high` are the field's bounds as read values (numbers, dates), None when open.
    E-mail, phone and web address fields with a minimum length or a pattern, and types
    without a short path (datetime, tags), always read carefully."""
    kind = field.type
    if kind in _BOUNDED:
        return _BOUNDED[kind](field, careful, low, high)
    if kind in ("email", "phone", "url") and (field.min_length or field.pattern):
        return _guard_none(careful)
    if kind in _UNBOUNDED:
        return _UNBOUNDED[kind](field, careful)
    return _guard_none(careful)


def _guard_none(careful: Reader) -> Reader:
    def read(value: Any) -> Any:
        return None if value is None else careful(value)

    return read
