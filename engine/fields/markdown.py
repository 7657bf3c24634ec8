"""Markdown as safe HTML: the one renderer of `markdown` fields.

The text is read as CommonMark with raw HTML turned off (tags typed into the text come
out as text), then the HTML is cleaned by nh3 with an allow-list of tags, attributes and
URL schemes (http, https, mailto), so no script, handler or `javascript:` link survives.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = frozenset({
    "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "img",
})
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
SCHEMES = frozenset({"http", "https", "mailto"})


def to_html(text: str) -> str:
    """`text` (Markdown) as HTML safe to put in a page."""
    return nh3.clean(_PARSER.render(text), tags=set(TAGS), attributes=ATTRIBUTES,
                     url_schemes=set(SCHEMES), link_rel="noopener noreferrer nofollow")
