"""Durations as written in YAML: `90m`, `12h`, `3d`, `1w 2d` or a number of seconds."""

from __future__ import annotations

import re
from typing import Any

from guanxi.fields.integers import is_integer_text, parse_int

_DURATION = re.compile(r"(?:([0-9]{1,19})w)?\s*(?:([0-9]{1,19})d)?\s*(?:([0-9]{1,19})h)?"
                       r"\s*(?:([0-9]{1,19})m)?\s*(?:([0-9]{1,19})s)?", re.ASCII)
_UNIT_SECONDS = (7 * 86400, 86400, 3600, 60, 1)


def parse_duration(value: Any) -> int | None:
    """Seconds in a duration: a number of seconds, or `90m`, `12h`, `3d`, `1w`, `1w 2d` …;
    None when `value` is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if is_integer_text(text):
        return parse_int(text)
    match = _DURATION.fullmatch(text)
    if not text or not match or not any(match.groups()):
        return None
    return sum(int(g or 0) * s for g, s in zip(match.groups(), _UNIT_SECONDS))
