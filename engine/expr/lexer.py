"""Splits expression text into tokens, refusing anything that is not the language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guanxi.errors import GuanxiError

MAX_LENGTH = 10_000
# Literals the databases can hold: 64-bit integers, and numerics of 28 digits.
MAX_INTEGER = 2**63 - 1
MAX_DIGITS = 28

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_SYMBOLS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]",
            ",", ".")
# Operators people bring from other languages, and what to write instead.
_FOREIGN = {
    "&&": "and", "||": "or", "<>": "!=", "**": None, "!": "not", "&": "and", "|": "or",
    "^": None, "=>": ">=", "=<": "<=",
}
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t"}


class ExprSyntaxError(GuanxiError):
    """The text is not a well-formed expression.

    `offset` is the 0-based index of the character at fault; `hint` says what to do.
    """

    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Token:
    """kind: "number", "duration", "string", "name", "keyword", "op" or "end"."""

    kind: str
    text: str
    offset: int
    value: object = None


def _is_name_start(ch: str) -> bool:
    return ch.isascii() and (ch.isalpha() or ch == "_")


def _is_name_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an "end" token."""
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(
            f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})",
            MAX_LENGTH,
            "split it into simpler rules or computed fields",
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch.isascii() and ch.isdigit():
            token, i = _number(text, i)
            tokens.append(token)
        elif _is_name_start(ch):
            start = i
            while i < n and _is_name_char(text[i]):
                i += 1
            word = text[start:i]
            kind = "keyword" if word in KEYWORDS else "name"
            tokens.append(Token(kind, word, start))
        elif ch in "\"'":
            token, i = _string(text, i)
            tokens.append(token)
        else:
            tokens.append(_operator(text, i))
            i += len(tokens[-1].text)
    tokens.append(Token("end", "", n))
    return tokens


def _operator(text: str, i: int) -> Token:
    two, ch = text[i : i + 2], text[i]
    if two in _SYMBOLS:
        return Token("op", two, i)
    for foreign in (two, ch):
        if foreign in _FOREIGN:
            instead = _FOREIGN[foreign]
            hint = f"use '{instead}'" if instead else None
            message = f"unknown operator '{foreign}'" + (f" — {hint}" if hint else "")
            raise ExprSyntaxError(message, i, hint)
    if ch == "=":
        raise ExprSyntaxError(
            "'=' is not an operator here — did you mean '=='?", i, "compare with '=='"
        )
    if ch in _SYMBOLS:
        return Token("op", ch, i)
    raise ExprSyntaxError(
        f"unexpected character '{ch}'",
        i,
        'text values are written in quotes: "like this"' if not ch.isascii() else None,
    )


def _number(text: str, i: int) -> tuple[Token, int]:
    start, n = i, len(text)
    while i < n and text[i].isascii() and text[i].isdigit():
        i += 1
    is_decimal = False
    if i < n and text[i] == "." and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit():
        is_decimal = True
        i += 1
        while i < n and text[i].isascii() and text[i].isdigit():
            i += 1
    if i < n and _is_name_start(text[i]):
        unit_start = i
        while i < n and _is_name_char(text[i]):
            i += 1
        unit = text[unit_start:i]
        source = text[start:i]
        if unit in DURATION_UNITS and not is_decimal:
            digits = text[start:unit_start]
            too_long = len(digits.lstrip("0")) > MAX_DIGITS
            seconds = 0 if too_long else int(digits) * DURATION_UNITS[unit]
            if seconds > MAX_INTEGER or too_long:
                raise ExprSyntaxError(f"the duration {source} is too long", start,
                                      f"durations go up to {MAX_INTEGER} seconds")
            return Token("duration", source, start, seconds), i
        if unit in DURATION_UNITS:
            raise ExprSyntaxError(
                f"'{source}': a duration is a whole number followed by m, h, d or w",
                start,
                "write 90m instead of 1.5h",
            )
        raise ExprSyntaxError(
            f"unknown unit '{unit}' after {text[start:unit_start]}",
            unit_start,
            "durations are written 90m, 12h, 3d or 2w (minutes, hours, days, weeks)",
        )
    source = text[start:i]
    if not is_decimal and len(source.lstrip("0")) > MAX_DIGITS:  # int() takes ≤ 4,300 digits
        raise ExprSyntaxError(f"the number {source[:30]}… is too large", start,
                              f"whole numbers go up to {MAX_INTEGER}")
    value: int | Decimal = Decimal(source) if is_decimal else int(source)
    if isinstance(value, int) and value > MAX_INTEGER:
        raise ExprSyntaxError(f"the number {source} is too large", start,
                              f"whole numbers go up to {MAX_INTEGER}")
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > MAX_DIGITS:
        raise ExprSyntaxError(f"the number {source} has too many digits", start,
                              f"decimal numbers have at most {MAX_DIGITS} digits")
    return Token("number", source, start, value), i


def _string(text: str, i: int) -> tuple[Token, int]:
    quote, start, n = text[i], i, len(text)
    i += 1
    chars: list[str] = []
    while i < n and text[i] != quote:
        ch = text[i]
        if ch == "\n":
            break
        if ch == "\x00":  # no database keeps it in text (PostgreSQL refuses it outright)
            raise ExprSyntaxError("a text value cannot contain the NUL character", i,
                                  "remove the NUL (\\x00) from the text")
        if ch == "\\":
            if i + 1 >= n:
                break
            escaped = text[i + 1]
            if escaped not in _ESCAPES:
                raise ExprSyntaxError(
                    f"unknown escape '\\{escaped}' in a string",
                    i,
                    "the escapes are \\\\, \\\", \\', \\n and \\t",
                )
            chars.append(_ESCAPES[escaped])
            i += 2
            continue
        chars.append(ch)
        i += 1
    if i >= n or text[i] != quote:
        raise ExprSyntaxError(
            "unclosed string", start, f"end the string with {quote} on the same line"
        )
    return Token("string", text[start : i + 1], start, "".join(chars)), i + 1
