"""`markdown`: several lines written in Markdown, stored as typed (like `text`) and shown
on pages as HTML rendered and sanitized by `guanxi.fields.markdown`."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.fields.types.text import DEFAULT_TEXT_LENGTH, Text
from guanxi.fields.types.textual import TEXT_KEYS


@dataclass(frozen=True)
class Markdown(Text):
    """Text whose pages show it rendered (`server.display` asks `guanxi.fields.markdown`)."""


TYPE = Markdown("markdown", "text", TEXT_KEYS, "textarea", "several lines of Markdown",
                control="textarea", searchable=True, sortable=False, textual=True,
                width=DEFAULT_TEXT_LENGTH, keep_spaces=True)
