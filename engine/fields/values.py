"""Values of each field type: turning input into the canonical Python value, and back
into text for people.

Canonical values: str (text types, choice), int (integer, duration in seconds, reference,
user), Decimal quantized to the field's scale (decimal, money, percent), bool, date,
datetime (aware, UTC), list[str] (tags). `None` is the empty value.

Input may be the canonical value, a JSON value (an API body) or a string (a form field or
a CSV cell); a value that cannot be read raises `FieldValueError`, a `ValueError` whose
code and parameters the validator renders in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from guanxi.errors import GuanxiError
from guanxi.fields.integers import MAX_DIGITS, is_integer_text
from guanxi.messages import render, show
from guanxi.spec import FieldSpec, text_in

UTC = dt.UTC


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
    return field.scale if field.type == "decimal" and field.scale is not None else 2


# ---------------------------------------------------------------- text types

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"[0-9 +\-().]+")
_PUNCTUATION = str.maketrans("", "", " +-().")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


def _text(field: FieldSpec, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldValueError("not_text", value=show(value))
    text = str(value)
    if "\x00" in text:
        raise FieldValueError("not_text", value=show(text.replace("\x00", "\\0")))
    if field.type != "text":
        text = text.strip()
    return text if text.strip() else None


def _email(field: FieldSpec, value: Any) -> str | None:
    text = _text(field, value)
    if text is None:
        return None
    if not _EMAIL.fullmatch(text):
        raise FieldValueError("not_email", value=show(text))
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(field: FieldSpec, value: Any) -> str | None:
    text = _text(field, value)
    if text is None:
        return None
    if not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 5:
        raise FieldValueError("not_phone", value=show(text))
    return text


def _url(field: FieldSpec, value: Any) -> str | None:
    text = _text(field, value)
    if text is None:
        return None
    if not _URL.fullmatch(text):
        raise FieldValueError("not_url", value=show(text))
    return text


def option_values(field: FieldSpec) -> list[str]:
    return [o.value for o in field.options]


def _choice(field: FieldSpec, value: Any) -> str | None:
    text = _text(field, value)
    if text is None:
        return None
    if text not in option_values(field):
        raise FieldValueError("not_choice", value=show(text), allowed=option_values(field))
    return text


def _tags(field: FieldSpec, value: Any) -> list[str] | None:
    if isinstance(value, str):
        items: list[Any] = [p.strip() for p in re.split(r"[,;]", value) if p.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise FieldValueError("not_list", value=show(value), allowed=option_values(field))
    allowed = option_values(field)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or item not in allowed:
            raise FieldValueError("not_choice", value=show(item), allowed=allowed)
        if item not in out:
            out.append(item)
    return out or None


# ---------------------------------------------------------------- numbers



# What the columns hold: integers and durations are 64-bit; ids and references are the
# databases' INTEGER primary keys (32-bit on PostgreSQL).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
ID_MAX = 2**31 - 1


def _in_int64(number: int, value: Any) -> int:
    if not INT64_MIN <= number <= INT64_MAX:
        raise FieldValueError("out_of_range", value=show(value))
    return number


def _integer(field: FieldSpec, value: Any) -> int | None:
    number = _whole(value)
    return None if number is None else _in_int64(number, value)


def _whole(value: Any) -> int | None:
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
            return _ascii_whole(text, value)
    raise FieldValueError("not_integer", value=show(value))


def _ascii_whole(text: str, value: Any) -> int:
    """ASCII digits as an int; more digits than any 64-bit number has are out of range."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise FieldValueError("out_of_range", value=show(value))
    return int(text)


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


def _decimal(field: FieldSpec, value: Any) -> Decimal | None:
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


# ---------------------------------------------------------------- booleans, times

_TRUE = {"true", "yes", "y", "1", "on", "是", "t"}
_FALSE = {"false", "no", "n", "0", "off", "否", "f"}


def _boolean(field: FieldSpec, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise FieldValueError("not_boolean", value=show(value))


_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})", re.ASCII)


def _date(field: FieldSpec, value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        raise FieldValueError("not_date", value=show(value))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        match = _DATE.fullmatch(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                pass
    raise FieldValueError("not_date", value=show(value))


def _datetime(field: FieldSpec, value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise FieldValueError("not_datetime", value=show(text)) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    raise FieldValueError("not_datetime", value=show(value))


# ASCII digits, few enough that int() is quick; a sum beyond 64 bits is out of range.
_DURATION = re.compile(r"(?:([0-9]{1,19})w)?\s*(?:([0-9]{1,19})d)?\s*(?:([0-9]{1,19})h)?"
                       r"\s*(?:([0-9]{1,19})m)?\s*(?:([0-9]{1,19})s)?", re.ASCII)
_UNIT_SECONDS = (7 * 86400, 86400, 3600, 60, 1)


def _duration(field: FieldSpec, value: Any) -> int | None:
    seconds = _seconds(value)
    return None if seconds is None else _in_int64(seconds, value)


def _seconds(value: Any) -> int | None:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if is_integer_text(text, signed=True):
            return _ascii_whole(text, value)
        match = _DURATION.fullmatch(text)
        if match and any(match.groups()):
            return sum(int(g or 0) * s for g, s in zip(match.groups(), _UNIT_SECONDS))
    raise FieldValueError("not_duration", value=show(value))


def _identifier(field: FieldSpec, value: Any) -> int | None:
    try:
        number = _integer(field, value)
    except FieldValueError:
        raise FieldValueError("not_id", value=show(value)) from None
    if number is not None and not 0 < number <= ID_MAX:
        raise FieldValueError("not_id", value=show(value))
    return number


COERCERS: dict[str, Callable[[FieldSpec, Any], Any]] = {
    "string": _text,
    "text": _text,
    "email": _email,
    "phone": _phone,
    "url": _url,
    "integer": _integer,
    "decimal": _decimal,
    "money": _decimal,
    "percent": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "duration": _duration,
    "choice": _choice,
    "tags": _tags,
    "reference": _identifier,
    "user": _identifier,
}


def coerce(field: FieldSpec, value: Any) -> Any:
    """The canonical value of `value` for `field` (None when empty); FieldValueError if
    it cannot be read."""
    if value is None:
        return None
    return COERCERS[field.type](field, value)


def parse_text(field: FieldSpec, text: str) -> Any:
    """The value a form field or CSV cell holds; raises ValueError (FieldValueError) with
    a message naming the text and what is expected."""
    return coerce(field, text)


# ---------------------------------------------------------------- display

_YES_NO = {"en": ("Yes", "No"), "zh": ("是", "否")}


def format_duration(seconds: int) -> str:
    """Seconds as the language writes durations: 3d, 12h, 90m, 1w 2d."""
    if seconds == 0:
        return "0m"
    parts = []
    rest = abs(seconds)
    for unit, size in zip("wdhms", _UNIT_SECONDS):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return ("-" if seconds < 0 else "") + " ".join(parts)


def display(field: FieldSpec, value: Any, language: str = "en") -> str:
    """A value as pages and exports show it to people."""
    if value is None:
        return ""
    kind = field.type
    if kind == "boolean":
        yes, no = _YES_NO.get(language, _YES_NO["en"])
        return yes if value else no
    if kind in ("money", "decimal", "percent"):
        text = f"{to_decimal(value):,.{default_scale(field)}f}"
        return text + "%" if kind == "percent" else text
    if kind == "datetime":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if kind == "date":
        return value.isoformat()
    if kind == "duration":
        return format_duration(int(value))
    if kind in ("choice", "tags"):
        labels = {o.value: text_in(o.label, language, o.value) for o in field.options}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in items)
    return str(value)


def to_json(value: Any) -> Any:
    """A canonical value as JSON: Decimal and times as strings, the rest as is."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
