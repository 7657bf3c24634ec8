"""Sizes in bytes as people write them: `1048576`, `512KiB`, `1MiB`, `2 MB` (units are
powers of 1024). Read by the server's body limits and by `attachments: max_size`."""

from __future__ import annotations

UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
         "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


def parse_size(text: str) -> int:
    """Bytes from `1048576`, `512KiB`, `1MiB`, `2 MB` (units are powers of 1024);
    ValueError with what was wrong otherwise."""
    stripped = text.strip().lower()
    digits = stripped.rstrip("abcdefghijklmnopqrstuvwxyz ").strip()
    unit = stripped[len(digits):].strip()
    if not digits.isascii() or not digits.isdigit() or unit not in UNITS:
        raise ValueError(f"{text!r} is not a size; write e.g. 1048576, 512KiB or 2MiB")
    size = int(digits) * UNITS[unit]
    if size < 1:
        raise ValueError(f"{text!r}: the size must be at least 1 byte")
    return size
