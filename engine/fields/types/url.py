"""`url`: a web address (http or https)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guanxi.fields.base import Schema
from guanxi.fields.patterns import NOT_WS
from guanxi.fields.readers import Bound, Reader, guard_none
from guanxi.fields.types.email import shaped_reader
from guanxi.fields.types.textual import TEXT_KEYS, Textual
from guanxi.fields.values import FieldValueError
from guanxi.messages import show
from guanxi.spec import FieldSpec

URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
SHAPE = rf"[hH][tT][tT][pP][sS]?://[^/?#{NOT_WS}\x00]+[^{NOT_WS}\x00]*"


@dataclass(frozen=True)
class Url(Textual):
    def shaped(self, text: str) -> str:
        if not URL.fullmatch(text):
            raise FieldValueError("not_url", value=show(text))
        return text

    def fast_reader(self, field: FieldSpec, careful: Reader, low: Bound, high: Bound) -> Reader:
        if field.min_length or field.pattern:
            return guard_none(careful)
        return shaped_reader(careful, self.text_limit(field), URL.fullmatch)

    def json_schema(self, field: FieldSpec, for_input: bool) -> Schema:
        return {**super().json_schema(field, for_input), "format": "uri"}

    def link(self, field: FieldSpec, value: Any) -> str:
        text = str(value)
        return text if text.lower().startswith(("http://", "https://")) else ""


TYPE = Url("url", "text", TEXT_KEYS, "url", "a web address (http or https)", input_type="url",
           searchable=True, textual=True, width=2048, shape=SHAPE)
