"""What a file is, by its first bytes rather than its name: the content type the
limits of `attachments: types:` are checked against. A file that looks like HTML, SVG
or script text is never plain text, so it cannot pass as `text/plain`."""

from __future__ import annotations

# Leading bytes → content type.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)
# Text that a browser could take for markup.
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body",
           b"<iframe", b"<object", b"<embed", b"<meta", b"<a ", b"<img", b"<div", b"<!--")
_SNIFF_BYTES = 2048
OCTETS = "application/octet-stream"
# Every type `sniff` tells (what `attachments: types:` may list).
KNOWN_TYPES = tuple(sorted({kind for _, kind in _MAGIC} | {
    "image/webp", "text/html", "text/csv", "text/plain", OCTETS}))


def sniff(content: bytes, name: str = "") -> str:
    """The content type of `content`; `name` only tells CSV from other plain text."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    head = content[:_SNIFF_BYTES]
    if b"\x00" in head:
        return OCTETS
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return OCTETS
    lowered = text[:_SNIFF_BYTES].lstrip("\ufeff \t\r\n").lower().encode()
    if any(lowered.startswith(tag) for tag in _MARKUP) or b"<script" in lowered:
        return "text/html"
    if name.lower().endswith(".csv"):
        return "text/csv"
    return "text/plain"
