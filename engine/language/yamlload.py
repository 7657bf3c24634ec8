"""Safe, located YAML: plain data that remembers where every key and value was written.

Only the core of YAML is accepted: mappings, sequences, strings, numbers, booleans and
null, resolved as YAML 1.2 does (so `no` stays the text "no" and `2026-11-22` stays a
text; the builder turns it into a date where a date is meant). Any other tag
(`!!python/object`, `!!binary`, `!custom` …) is refused, duplicate keys are refused with
both places, files over 1 MiB are refused, and alias expansion is bounded, so a
"billion laughs" file is refused at once instead of eating the memory. Only regular files
are read (a FIFO or a device such as /dev/zero is refused before a byte is read), never
more than the limit and one byte, and a link that leaves the project's directory is
refused.

Mappings load as `LocDict` and sequences as `LocList` (`guanxi.language.tree`): ordinary
dicts and lists that also carry `loc` (where they start) and the locations of their keys
and values. Files are read within bounds by `guanxi.language.reading`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from guanxi.errors import GuanxiError
from guanxi.language.reading import MAX_FILE_BYTES, FileRefused, read_bounded
from guanxi.language.tree import LocDict, LocList, loc_at, locate_offset, walk
from guanxi.spec import Loc
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

__all__ = [
    "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "FileRefused", "LocDict", "LocList",
    "YamlDocument", "YamlProblem", "YamlRefused", "load_bytes", "load_file", "load_text",
    "loc_at", "locate_offset", "read_bounded", "refused_document", "walk",
]

# Values built from one file, counting every expansion of an alias again.
MAX_NODES = 100_000
# Mappings and lists inside each other; real projects need fewer than ten.
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = _CORE + "seq", _CORE + "map"
ALLOWED_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, SEQ, MAP})

_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_RE = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a file could not be read: `kind` is one of "syntax", "tag", "duplicate",
    "too_big", "bomb", "key", "encoding", "not_regular", "outside", "unreadable";
    `other` is the second place, for duplicates."""

    kind: str
    message: str
    loc: Loc
    other: Loc | None = None


class YamlRefused(GuanxiError):
    """Raised inside the loader; `load_file` turns it into a YamlProblem."""

    code = "yaml_refused"

    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One file read: its text (for locating offsets inside values), its data (None when
    the file is empty or could not be read) and what went wrong."""

    file: str
    text: str
    data: Any
    problems: tuple[YamlProblem, ...] = ()


class _Resolver(BaseResolver):
    """YAML 1.2 core-schema resolution of untagged plain scalars; quoted ones are text."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                return _plain_tag(value)
            return STR
        if kind is SequenceNode:
            return SEQ
        return MAP


def _plain_tag(value: str) -> str:
    if _NULL_RE.match(value):
        return NULL
    if _BOOL_RE.match(value):
        return BOOL
    if _INT_RE.match(value):
        return INT
    if _FLOAT_RE.match(value):
        return FLOAT
    return STR


class _Composer(Reader, Scanner, Parser, Composer, _Resolver):
    """PyYAML's pure-Python front end producing a node graph (aliases stay shared)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


_FastComposer: type | None
try:
    from yaml._yaml import CParser as _CParser

    class _LibyamlComposer(_CParser, _Resolver):
        """The same, with libyaml's parser (several times faster)."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

    _FastComposer = _LibyamlComposer
except ImportError:  # PyYAML built without libyaml
    _FastComposer = None


def _loc(file: str, node: Node) -> Loc:
    mark = node.start_mark
    return Loc(file, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a node graph into LocDict / LocList / scalars, counting every value built."""

    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.count = 0
        self.first_alias: Loc | None = None
        self.depth = 0

    def build(self, node: Node) -> Any:
        self.depth += 1
        try:
            return self._build(node)
        finally:
            self.depth -= 1

    def _build(self, node: Node) -> Any:
        if self.depth > MAX_DEPTH:
            raise YamlRefused(YamlProblem(
                "bomb", f"values are nested more than {MAX_DEPTH} levels deep (or an alias "
                "refers to itself)", _loc(self.file, node),
            ))
        self.count += 1
        if self.count > self.limit:
            raise YamlRefused(YamlProblem(
                "bomb",
                f"the file expands to more than {self.limit} values (aliases repeated "
                "too many times); write the values out or use fewer aliases",
                self.first_alias or _loc(self.file, node),
            ))
        tag = node.tag
        if tag not in ALLOWED_TAGS:
            raise YamlRefused(YamlProblem(
                "tag",
                f"the tag {tag!r} is not allowed; only plain YAML (mappings, lists, text, "
                "numbers, true/false, null) is accepted",
                _loc(self.file, node),
            ))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            if tag != SEQ:
                raise self._wrong_tag(node, "a list")
            items = LocList(_loc(self.file, node))
            for child in node.value:
                items.add(self.build(child), _loc(self.file, child))
            return items
        if isinstance(node, MappingNode):
            if tag != MAP:
                raise self._wrong_tag(node, "a mapping")
            return self.mapping(node)
        raise YamlRefused(YamlProblem("syntax", "unexpected YAML node", _loc(self.file, node)))

    def _wrong_tag(self, node: Node, what: str) -> YamlRefused:
        return YamlRefused(YamlProblem(
            "tag", f"the tag {node.tag!r} cannot be put on {what}", _loc(self.file, node)
        ))

    def scalar(self, node: ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag
        try:
            if tag == STR:
                return value
            if tag == NULL:
                if _NULL_RE.match(value):
                    return None
            elif tag == BOOL:
                if _BOOL_RE.match(value):
                    return value.lower() == "true"
            elif tag == INT:
                if _INT_RE.match(value):
                    return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
            elif tag == FLOAT and _FLOAT_RE.match(value):
                return float(value.replace("inf", "Inf").replace("INF", "Inf"))
        except ValueError:
            pass
        raise YamlRefused(YamlProblem(
            "tag", f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", _loc(self.file, node)
        ))

    def mapping(self, node: MappingNode) -> LocDict:
        result = LocDict(_loc(self.file, node))
        merged: list[LocDict] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == STR and \
                    key_node.value == "<<" and not key_node.style:
                merged.extend(self._merge_sources(value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                raise YamlRefused(YamlProblem(
                    "key", "a key must be a plain name, not a list or mapping",
                    _loc(self.file, key_node),
                ))
            key = self.scalar(key_node)
            self.count += 1
            key_loc = _loc(self.file, key_node)
            if key in result:
                first = result.key_locs[key]
                raise YamlRefused(YamlProblem(
                    "duplicate",
                    f"the key {key!r} is given twice in one mapping (first at {first}); "
                    "remove one of them",
                    key_loc,
                    other=first,
                ))
            result.put(key, self.build(value_node), key_loc, _loc(self.file, value_node))
        for source in merged:
            for key, value in source.items():
                if key not in result:
                    result.put(key, value, source.key_loc(key), source.value_loc(key))
        return result

    def _merge_sources(self, node: Node) -> list[LocDict]:
        value = self.build(node)
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, LocDict) for s in sources):
            raise YamlRefused(YamlProblem(
                "key", "'<<' merges a mapping or a list of mappings", _loc(self.file, node)
            ))
        return sources


def _expanded_size(root: Node, limit: int) -> int:
    """How many values the node graph expands to (aliases counted again each time), up
    to just past `limit`; computed once per shared node, so a bomb costs nothing."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            return limit + 1  # an alias inside itself
        if depth > MAX_DEPTH:
            return 1  # the builder refuses such nesting with its own message
        in_progress.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
                if total > limit:
                    break
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
                if total > limit:
                    break
        in_progress.discard(key)
        sizes[key] = total
        return total

    return size(root, 0)


def _first_alias(text: str, file: str) -> Loc | None:
    """Where the first alias (`*name`) of the text is, read with the pure-Python parser."""
    parser = _Composer(text)
    try:
        while not parser.check_event(yaml.StreamEndEvent):
            event = parser.get_event()  # type: ignore[no-untyped-call]  # untyped in stubs
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                mark = event.start_mark
                return Loc(file, mark.line + 1, mark.column + 1)
    except yaml.YAMLError:
        return None
    return None


def _compose(text: str) -> Node | None:
    """The node graph of one YAML document, with libyaml when PyYAML has it."""
    if _FastComposer is None:
        return _Composer(text).get_single_node()
    composer = _FastComposer(text)
    try:
        node: Node | None = composer.get_single_node()
        return node
    finally:
        composer.dispose()


def load_text(text: str, file: str, limit: int = MAX_NODES) -> YamlDocument:
    """Parse YAML text; never raises for bad input, returns the problems instead."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        return YamlDocument(file, "", None, (YamlProblem(
            "too_big", f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; split it "
            "into several files", Loc(file, 1, 1)),))
    builder = _Builder(file, limit)
    try:
        node = _compose(text)
        if node is not None and _expanded_size(node, limit) > limit:
            builder.first_alias = _first_alias(text, file)
            builder.count = limit  # refuse before building anything
        data = None if node is None else builder.build(node)
    except YamlRefused as refused:
        return YamlDocument(file, text, None, (refused.problem,))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        loc = Loc(file, mark.line + 1, mark.column + 1) if mark else Loc(file, 1, 1)
        message = " ".join(p for p in (error.context, error.problem) if p)
        return YamlDocument(file, text, None, (YamlProblem(
            "syntax", f"YAML syntax error: {message}", loc),))
    except RecursionError:
        return YamlDocument(file, text, None, (YamlProblem(
            "bomb", f"values are nested more than {MAX_DEPTH} levels deep", Loc(file, 1, 1)),))
    except yaml.YAMLError as error:
        return YamlDocument(file, text, None, (YamlProblem(
            "syntax", f"YAML syntax error: {error}", Loc(file, 1, 1)),))
    return YamlDocument(file, text, data)


def load_file(path: Path | str, display: str | None = None,
              root: Path | str | None = None) -> YamlDocument:
    """Read (as `read_bounded` does) and parse one file. `display` is the name used in
    locations (default: path); `root`, when given, is the directory links may not leave."""
    name = display if display is not None else str(path)
    try:
        data = read_bounded(path, MAX_FILE_BYTES, root)
    except FileRefused as refused:
        return refused_document(name, refused)
    return load_bytes(data, name)


def refused_document(name: str, refused: FileRefused) -> YamlDocument:
    """The document of a file that was not read, located at its start."""
    return YamlDocument(name, "", None, (YamlProblem(refused.kind, refused.message,
                                                     Loc(name, 1, 1)),))


def load_bytes(data: bytes, name: str) -> YamlDocument:
    """Parse a file's bytes (UTF-8) as `load_text` does."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return YamlDocument(name, "", None, (YamlProblem(
            "encoding", f"the file is not UTF-8 text (byte {error.start})", Loc(name, 1, 1)),))
    return load_text(text, name)
