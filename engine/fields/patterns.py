"""The JSON Schema spellings of what the Store accepts: text patterns as ECMA-262 regular
expressions, and declared bounds as JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from guanxi.spec import FieldSpec

# Patterns are ECMA-262 regular expressions; the Store's are Python's, whose \s also
# takes the separators \x1c-\x1f and \x85, so they are spelled out.
WS = r"[\s\x1c-\x1f\x85]"
NOT_WS = r"\s\x1c-\x1f\x85"
# Text the Store takes has no NUL character; a required field's is not blank.
ANY_TEXT = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^{NOT_WS}\x00][^\x00]*$"


def text_pattern(field: FieldSpec, shape: str | None) -> str:
    """What text the Store takes: it strips the text, reads a blank one as no value, then
    matches the field's pattern (or its type's `shape`) against all of it."""
    core = field.pattern or shape
    if core is None:
        return NOT_BLANK if field.required else ANY_TEXT
    if field.required:
        return rf"^{WS}*(?:{core}){WS}*$"
    return rf"^{WS}*(?:(?:{core}){WS}*)?$"


def optional_text(shape: str) -> str:
    """Text of `shape` with space around it, or nothing."""
    return rf"^{WS}*(?:(?:{shape}){WS}*)?$"


def json_number(value: Any) -> int | float | None:
    """A declared bound as a JSON number; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def html_number(value: Any) -> str:
    """A bound as HTML wants it: `0`, `12.5`, never `0.00` or `1E+2`."""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except ArithmeticError:
        return str(value)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` that also takes null."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None], "type": [schema["type"], "null"]}
    kind = schema.get("type")
    if kind is None:
        return schema
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"]}
