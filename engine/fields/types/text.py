"""`text`: several lines, kept as typed; the column is unbounded TEXT, and values are
limited to `DEFAULT_TEXT_LENGTH` characters unless the field declares `max_length` (the
limit keeps one value from costing every reader)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.fields.base import Attrs
from guanxi.fields.types.textual import TEXT_KEYS, Textual
from guanxi.spec import FieldSpec
from sqlalchemy.types import TypeEngine

DEFAULT_TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class Text(Textual):
    def column_type(self, field: FieldSpec) -> TypeEngine[Any]:
        return sa.Text()

    def widget_attrs(self, field: FieldSpec) -> Attrs:
        return {"rows": "4", **super().widget_attrs(field)}


TYPE = Text("text", "text", TEXT_KEYS, "textarea", "several lines of text",
            control="textarea", searchable=True, sortable=False, textual=True,
            width=DEFAULT_TEXT_LENGTH, keep_spaces=True)
