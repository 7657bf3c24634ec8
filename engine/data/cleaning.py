"""Cleaning one cell on its way in: trimming, a value map, letter case, numbers written
with thousands and decimal marks (`1,100.04`, `1.100,04`, `1 100,04`) or in Chinese
units (`3.5万`, `1.2亿`), dates in a given format, and choices and states written as
their labels in any of the project's languages.

Each function takes text and gives the value the Store reads (text in canonical form),
or raises `CellError` with a message for the row's report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from guanxi.spec import Option, Text

# Chinese units of large numbers.
_UNITS = {"万": Decimal(10_000), "萬": Decimal(10_000), "亿": Decimal(100_000_000),
          "億": Decimal(100_000_000)}
# Thousands and decimal marks per number style.
STYLES = {"1,234.56": (",", "."), "1.234,56": (".", ","), "1 234,56": (" ", ","),
          "1234.56": ("", ".")}
_CURRENCY = re.compile(r"^[¥￥$€£]|[¥￥$€£元]$|^(CNY|RMB|USD|EUR)\s*|\s*(CNY|RMB|USD|EUR)$")


class CellError(ValueError):
    """A cell that cannot be cleaned into a value; its text is the reason."""


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def trimmed(text: str) -> str:
    """The text without surrounding spaces (including full-width ones)."""
    return text.strip()  # str.strip takes the full-width space (U+3000) too


def cased(text: str, case: str | None) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "title":
        return text.title()
    return text


def mapped(text: str, values: Mapping[str, Any]) -> Any:
    """The value map's value for `text` (exactly, else ignoring case), or the text."""
    if not values:
        return text
    if text in values:
        return values[text]
    folded = text.casefold()
    for written, value in values.items():
        if str(written).casefold() == folded:
            return value
    return text


def number(text: str, style: str | None = None) -> str:
    """A number written by people as its plain decimal text. Without a `style`, commas
    are thousands marks unless the text looks like `1.234,56`."""
    if style is None and _PLAIN_NUMBER.fullmatch(text):
        return text
    cleaned = _CURRENCY.sub("", text.strip()).strip().replace("\u00a0", " ")
    factor = Decimal(1)
    if cleaned and cleaned[-1] in _UNITS:
        factor, cleaned = _UNITS[cleaned[-1]], cleaned[:-1].strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    if style is None:
        style = "1.234,56" if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d{1,2}",
                                           cleaned) else "1,234.56"
    thousands, decimal = STYLES[style]
    if thousands:
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(" ", "").replace(decimal, ".")
    try:
        value = Decimal(cleaned) * factor
    except InvalidOperation:
        raise CellError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CellError(f"{text!r} is not a number")
    return format(value.normalize(), "f")


def date(text: str, fmt: str, with_time: bool = False) -> str:
    """A date (or date-time) written in format `fmt` as ISO text."""
    try:
        moment = dt.datetime.strptime(text.strip(), fmt)
    except ValueError:
        raise CellError(f"{text!r} is not a date in the format {fmt}") from None
    return moment.isoformat() if with_time else moment.date().isoformat()


def _labels(label: Text | str | None) -> Iterable[str]:
    if isinstance(label, str):
        yield label
    elif isinstance(label, Mapping):
        yield from (str(v) for v in label.values())


def choice(text: str, options: Iterable[tuple[str, Text | str | None]]) -> str:
    """The option key for `text`: a key, or a label in any language, ignoring case and
    surrounding spaces; the text itself when none matches (the Store then says why)."""
    folded = text.strip().casefold()
    pairs = list(options)
    for key, _ in pairs:
        if key == text or key.casefold() == folded:
            return key
    for key, label in pairs:
        if any(name.strip().casefold() == folded for name in _labels(label)):
            return key
    return text


def chooser(options: Iterable[tuple[str, Text | str | None]]) -> Callable[[str], str]:
    """`choice` over fixed options, with the keys and labels looked up in a table."""
    table: dict[str, str] = {}
    pairs = list(options)
    for key, label in reversed(pairs):
        for name in _labels(label):
            table[name.strip().casefold()] = key
    for key, _ in reversed(pairs):
        table[key.casefold()] = key
    exact = {key for key, _ in pairs}

    def pick(text: str) -> str:
        if text in exact:
            return text
        return table.get(text.strip().casefold(), text)

    return pick


def option_pairs(options: Iterable[Option]) -> list[tuple[str, Text | str | None]]:
    return [(o.value, o.label) for o in options]
