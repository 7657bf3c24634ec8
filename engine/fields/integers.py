"""Whole numbers written by the outside world: query parameters, form fields, headers,
path segments, values in request bodies and files.

One rule everywhere: ASCII digits only (`str.isdigit()` and `int()` also take "¹" or "٣",
which are refused here), an optional sign only where a negative number means something,
and at most `MAX_DIGITS` digits, so `int()` never meets a text it refuses or one that
takes long to convert.
"""

from __future__ import annotations

import re

# Enough for every 64-bit integer (and so every id, version, limit and offset).
MAX_DIGITS = 19

_UNSIGNED = re.compile(r"[0-9]+", re.ASCII)
_SIGNED = re.compile(r"[+-]?[0-9]+", re.ASCII)


def is_integer_text(text: object, *, signed: bool = False) -> bool:
    """Whether `text` is ASCII digits (after one + or - when `signed`), of any length."""
    return isinstance(text, str) and (_SIGNED if signed else _UNSIGNED).fullmatch(text) is not None


def parse_int(text: object, *, signed: bool = False, low: int | None = None,
              high: int | None = None, max_digits: int = MAX_DIGITS) -> int | None:
    """The whole number `text` spells, or None when it spells none: characters other than
    ASCII digits (and one leading + or - when `signed`), more than `max_digits` digits,
    or a value below `low` or above `high`. Surrounding space is not skipped."""
    if not is_integer_text(text, signed=signed):
        return None
    assert isinstance(text, str)
    if len(text.lstrip("+-")) > max_digits:
        return None
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number
