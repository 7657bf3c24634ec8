"""The password policy: what every new password must pass, whichever way it is set.

A password needs at least `MIN_LENGTH` characters (and at most `MAX_LENGTH`), must not
contain the username, and must not be a commonly used password: the shipped list
`common-passwords.txt` is looked up with the password in lower case, as typed and
with the digits and symbols at either end removed (so `Sunshine2024!` counts as
`sunshine`). There are no composition rules (a digit, a capital …): length and
uncommonness are what make a password hard to guess.
"""

from __future__ import annotations

import functools
from importlib import resources

MIN_LENGTH = 10
MAX_LENGTH = 1024
# Usernames shorter than this are only refused as the whole password, not inside it.
USERNAME_INSIDE_FROM = 3
_LIST = "common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, in lower case."""
    text = resources.files("guanxi.accounts").joinpath(_LIST).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _core(text: str) -> str:
    """`text` without the digits and symbols at its ends."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def is_common(password: str) -> bool:
    lowered = password.lower()
    listed = common_passwords()
    return lowered in listed or _core(lowered) in listed


def problem(password: str, username: str = "") -> tuple[str, dict[str, object]] | None:
    """Why `password` may not be used (a message code of `guanxi.messages` and its
    parameters), or None when it passes the policy."""
    length = len(password)
    if not length:
        return "password_empty", {}
    if length < MIN_LENGTH:
        return "password_too_short", {"length": length, "min_length": MIN_LENGTH}
    if length > MAX_LENGTH:
        return "password_too_long", {"length": length, "max_length": MAX_LENGTH}
    name = username.strip().lower()
    lowered = password.lower()
    if name and (lowered == name or (len(name) >= USERNAME_INSIDE_FROM and name in lowered)):
        return "password_has_username", {}
    if is_common(password):
        return "password_common", {}
    return None
