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


# Approval reminders (`remind:` of an `approval:`): `remind: 1d` reminds once;
# `remind: {every: 1d, after: 4h, times: 3}` reminds `after` (default: `every`) after the
# approvers were asked, then every `every`, `times` reminders in all.
REMIND_KEYS = ("after", "every", "times")
REMIND_TIMES = 3
REMIND_MAX_TIMES = 20


def remind_times(value: Any) -> int | None:
    """`times:` of a `remind:` mapping, or None when it is not a whole number from 1 to
    REMIND_MAX_TIMES."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= REMIND_MAX_TIMES else None


def remind_of(value: Any) -> dict[str, int]:
    """The `remind:` of an approval as ApprovalSpec's remind_seconds,
    remind_every_seconds and remind_times (a value that is not valid reminds of
    nothing; `guanxi check` says why)."""
    if isinstance(value, dict):
        every = parse_duration(value.get("every")) or 0
        first = parse_duration(value["after"]) if "after" in value else every
        times = remind_times(value.get("times", REMIND_TIMES))
        if not every or first is None or times is None:
            return {"remind_seconds": 0, "remind_every_seconds": 0, "remind_times": 1}
        return {"remind_seconds": first or every, "remind_every_seconds": every,
                "remind_times": times}
    return {"remind_seconds": parse_duration(value) or 0, "remind_every_seconds": 0,
            "remind_times": 1}
