"""Normalizing values for duplicate detection: e-mail addresses in lower case, phone
numbers in E.164 (through phonenumbers and a region's numbering plan), text without case
and runs of spaces; and the similarity of two texts (rapidfuzz), from 0 to 1."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from rapidfuzz import fuzz

_SPACES = re.compile(r"\s+")


def email(value: Any) -> str:
    return _SPACES.sub("", str(value)).casefold()


def text(value: Any) -> str:
    return _SPACES.sub(" ", str(value)).strip().casefold()


def digits(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def phone(value: Any, region: str | None = None) -> str:
    """The number in E.164 (`+8613900000002`) when it can be read (with `region` for
    national numbers), else its digits."""
    raw = str(value).strip()
    try:
        parsed = phonenumbers.parse(raw, region if not raw.startswith("+") else None)
    except phonenumbers.NumberParseException:
        return digits(raw)
    if not phonenumbers.is_possible_number(parsed):
        return digits(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalized(kind: str | None, value: Any, region: str | None = None) -> Any:
    """`value` as rule `kind` compares it (None stays None)."""
    if value is None:
        return None
    if kind == "email":
        return email(value)
    if kind == "phone":
        return phone(value, region)
    if kind == "text":
        return text(value)
    return value


def similarity(left: Any, right: Any) -> float:
    """How alike two texts are, from 0 (nothing alike) to 1 (equal, ignoring case)."""
    if left is None or right is None:
        return 0.0
    return float(fuzz.ratio(text(left), text(right))) / 100.0
