"""Located YAML data: mappings and sequences that remember where each key, value and item
was written, and the helpers that find a place inside them (a path, or a character offset
inside a scalar) so every problem can point at what was written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guanxi.spec import Loc


class LocDict(dict[Any, Any]):
    """A mapping from YAML with the location of itself, each key and each value."""

    loc: Loc
    key_locs: dict[Any, Loc]
    value_locs: dict[Any, Loc]

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs = {}
        self.value_locs = {}

    def put(self, key: Any, value: Any, key_loc: Loc, value_loc: Loc) -> None:
        """Set `key` and remember where it and its value were written."""
        self[key] = value
        self.key_locs[key] = key_loc
        self.value_locs[key] = value_loc

    def drop(self, key: Any) -> None:
        """Remove `key` and its locations."""
        self.pop(key, None)
        self.key_locs.pop(key, None)
        self.value_locs.pop(key, None)

    def key_loc(self, key: Any) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key: Any) -> Loc:
        return self.value_locs.get(key, self.key_loc(key))


class LocList(list[Any]):
    """A sequence from YAML with the location of itself and each item."""

    loc: Loc
    item_locs: list[Loc]

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs = []

    def add(self, value: Any, loc: Loc) -> None:
        self.append(value)
        self.item_locs.append(loc)

    def item_loc(self, index: int) -> Loc:
        if 0 <= index < len(self.item_locs):
            return self.item_locs[index]
        return self.loc


def locate_offset(text: str, loc: Loc, offset: int) -> Loc:
    """The location of character `offset` of the scalar value written at `loc`.

    Exact for plain and quoted values on one line and for block (`|`, `>`) values;
    other multi-line values are mapped line by line as YAML folds them.
    """
    lines = text.splitlines()
    if not (1 <= loc.line <= len(lines)) or offset < 0:
        return loc
    line = lines[loc.line - 1]
    start = loc.col - 1
    lead = line[start:start + 1]
    if lead in ("|", ">"):
        return _locate_in_block(lines, loc, offset)
    if lead in ("'", '"'):
        start += 1
    return _locate_folded(lines, loc.file, loc.line - 1, start, offset)


def _locate_in_block(lines: list[str], loc: Loc, offset: int) -> Loc:
    body = [(n, text) for n, text in enumerate(lines[loc.line:], start=loc.line)]
    indent = None
    for _, text in body:
        if text.strip():
            indent = len(text) - len(text.lstrip(" "))
            break
    if indent is None:
        return loc
    remaining = offset
    for n, text in body:
        content = text[indent:]
        if remaining <= len(content):
            return Loc(loc.file, n + 1, indent + remaining + 1)
        remaining -= len(content) + 1
    return loc


def _locate_folded(lines: list[str], file: str, index: int, start: int, offset: int) -> Loc:
    remaining = offset
    first = True
    for n in range(index, len(lines)):
        text = lines[n]
        begin = start if first else len(text) - len(text.lstrip(" "))
        content = text[begin:]
        if remaining <= len(content) or n == len(lines) - 1:
            return Loc(file, n + 1, begin + remaining + 1)
        remaining -= len(content.rstrip()) + 1
        first = False
    return Loc(file, index + 1, start + 1)


def walk(data: Any, *path: Any) -> Iterator[tuple[Any, Loc]]:
    """Yield (value, location) along `path` inside located data, as far as it goes."""
    node = data
    for step in path:
        if isinstance(node, LocDict) and step in node:
            loc = node.value_loc(step)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            loc = node.item_loc(step)
            node = node[step]
        else:
            return
        yield node, loc


def loc_at(data: Any, *path: Any, key: bool = False) -> Loc | None:
    """The location of the value at `path` (or of its key, with `key=True`); when the path
    runs out early, the deepest location found."""
    found: Loc | None = getattr(data, "loc", None)
    node = data
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, LocDict) and step in node:
            found = node.key_loc(step) if (key and last) else node.value_loc(step)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            found = node.item_loc(step)
            node = node[step]
        else:
            break
    return found
