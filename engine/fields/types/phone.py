"""`phone`: a telephone number: digits, spaces and + - ( ) ., at least five digits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guanxi.fields.readers import HUGE, Bound, Reader, guard_none
from guanxi.fields.types.textual import TEXT_KEYS, Textual
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec

_PHONE = re.compile(r"[0-9 +\-().]+")
_PHONE_CHARS = b"0123456789 +-()."
_PHONE_PUNCTUATION = b" +-()."
SHAPE = r"(?=(?:[^0-9]*[0-9]){5})[0-9 +\-().]+"


@dataclass(frozen=True)
class Phone(Textual):
    def shaped(self, text: str) -> str:
        if not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 5:
            raise FieldValueError("not_phone", value=show(text))
        return text

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        if field.min_length or field.pattern:
            return guard_none(careful)
        longest = self.text_limit(field) or HUGE

        def read(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is str:
                text = value.strip()
                if text and len(text) <= longest:
                    # Only phone characters (deleting them all leaves nothing), five digits.
                    raw = text.encode()
                    if (not raw.translate(None, _PHONE_CHARS)
                            and len(raw.translate(None, _PHONE_PUNCTUATION)) >= 5):
                        return text
            return careful(value)

        return read


TYPE = Phone("phone", "text", TEXT_KEYS, "tel", "a telephone number", input_type="tel",
             searchable=True, textual=True, width=50, shape=SHAPE, autocomplete="tel")
