"""`email`: an e-mail address, stored with its domain in lower case."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guanxi.fields.base import Schema
from guanxi.fields.patterns import NOT_WS, optional_text
from guanxi.fields.readers import Bound, Reader, guard_none
from guanxi.fields.types.textual import TEXT_KEYS, Textual
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# An address whose domain is already lower-case ASCII: a subset of the general shape
# that needs no normalising.
_PLAIN_EMAIL = re.compile(r"[^@\s]+@[a-z0-9\-.]+\.[a-z0-9\-]+").fullmatch
SHAPE = rf"[^@{NOT_WS}\x00]+@[^@{NOT_WS}\x00]+\.[^@.{NOT_WS}\x00]+"


@dataclass(frozen=True)
class Email(Textual):
    def shaped(self, text: str) -> str:
        if not _EMAIL.fullmatch(text):
            raise FieldValueError("not_email", value=show(text))
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        if field.min_length or field.pattern:
            return guard_none(careful)
        return shaped_reader(careful, self.text_limit(field), _PLAIN_EMAIL)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {**super().json_schema(field, for_input), "format": "email"}

    def filter_schema(self, field: FieldSpec) -> Schema | None:
        return {"type": "string", "pattern": optional_text(SHAPE)}

    def link(self, field: FieldSpec, value: Any) -> str:
        return f"mailto:{value}"


def shaped_reader(careful: Reader, limit: int | None,
                  accepts: Callable[[str], object]) -> Reader:
    """A reader for text of one shape (e-mail, URL): trimmed, within the length, and
    accepted by `accepts`; anything else takes the careful path."""
    longest = limit or 10 ** 40

    def read(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and "\x00" not in value:
            text = value.strip()
            if len(text) <= longest and accepts(text):
                return text
        return careful(value)

    return read


TYPE = Email("email", "text", TEXT_KEYS, "email", "an e-mail address", input_type="email",
             searchable=True, textual=True, width=254, shape=SHAPE, autocomplete="email")
