"""Conformance: whether a document fits a JSON Schema, answered by the schema compiled once.

`jsonschema` explains every violation (the checker turns each into a located message),
but it walks a big project's 50,000 YAML nodes slowly, since it interprets the schema at
each node. Most projects are valid, so the checker first asks the question this module
answers, yes or no, with the schema compiled into nested closures: ~20× faster. Only a
document that does not fit is handed to `jsonschema` for the explanations.

The answer must be exactly `jsonschema`'s (Draft 2020-12), so only the keywords the
shipped schemas use are compiled, with its semantics (`bool` is no number, `1.0` is an
integer, `pattern` searches, keywords apply only to instances of their type); a schema
with any other keyword is refused (`Unsupported`) and the caller validates with
`jsonschema` alone. Tests compare both on valid and broken projects.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Any], bool]

# Keywords that only describe (jsonschema ignores them when validating).
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
})


class Unsupported(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


# The keywords about a mapping's keys and values, compiled together into one pass.
_OBJECT_KEYWORDS = ("properties", "additionalProperties", "propertyNames", "required",
                    "minProperties")


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        # Compiled $ref targets by pointer; a cell so that recursive schemas compile.
        self.refs: dict[str, list[Predicate]] = {}

    def schema(self, schema: Any) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise Unsupported(f"a schema must be a mapping or a boolean, not {schema!r}")
        if "patternProperties" in schema or "prefixItems" in schema:
            raise Unsupported("patternProperties and prefixItems")
        checks: list[Predicate] = []
        if any(keyword in schema for keyword in _OBJECT_KEYWORDS):
            checks.append(self.mapping(schema))
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-") or \
                    keyword in _OBJECT_KEYWORDS:
                continue
            checks.append(self.keyword(keyword, argument))
        return _all(checks)

    def keyword(self, keyword: str, argument: Any) -> Predicate:
        if keyword == "type":
            return _type(argument)
        if keyword == "items":
            item = self.schema(argument)
            return lambda value: not isinstance(value, list) or all(map(item, value))
        if keyword in ("oneOf", "anyOf"):
            branches = tuple(self.schema(branch) for branch in argument)
            if keyword == "anyOf":
                return lambda value: any(branch(value) for branch in branches)
            return lambda value: sum(1 for branch in branches if branch(value)) == 1
        if keyword == "enum":
            return _enum(argument)
        if keyword == "$ref":
            return self.ref(argument)
        return _bound(keyword, argument)

    def mapping(self, schema: Mapping[str, Any]) -> Predicate:
        """properties, additionalProperties, propertyNames, required and minProperties,
        checked in one pass over the mapping (each applies to mappings only)."""
        declared = {name: self.schema(sub)
                    for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        others = None if extra is False else self.schema(extra)
        names = self.schema(schema["propertyNames"]) if "propertyNames" in schema else None
        required = tuple(schema.get("required", ()))
        least = schema.get("minProperties", 0)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if len(value) < least:
                return False
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                if names is not None and not names(key):
                    return False
                sub = declared.get(key, others)
                if sub is None or not sub(item):
                    return False
            return True

        return check

    def ref(self, pointer: str) -> Predicate:
        if not pointer.startswith("#/"):
            raise Unsupported(f"$ref {pointer!r}: only references inside the schema")
        cell = self.refs.get(pointer)
        if cell is None:
            cell = self.refs[pointer] = []
            cell.append(self.schema(_resolve(self.root, pointer)))
        if cell:
            return cell[0]
        return lambda value: cell[0](value)  # a reference inside its own target


def _type(argument: Any) -> Predicate:
    names = [argument] if isinstance(argument, str) else list(argument)
    if not set(names) <= _TYPES.keys():
        raise Unsupported(f"type {argument!r}")
    tests = tuple(_TYPES[name] for name in names)
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    every = tuple(checks)
    return lambda value: all(check(value) for check in every)


def _enum(options: list[Any]) -> Predicate:
    if not all(isinstance(option, str) for option in options):
        raise Unsupported("enum of values other than text")
    allowed = frozenset(options)
    return lambda value: isinstance(value, str) and value in allowed


def _bound(keyword: str, limit: Any) -> Predicate:
    if keyword == "pattern":
        search = re.compile(limit).search
        return lambda value: not isinstance(value, str) or search(value) is not None
    if keyword == "minimum":
        return lambda value: not _is_number(value) or value >= limit
    if keyword == "maximum":
        return lambda value: not _is_number(value) or value <= limit
    if keyword == "minItems":
        return lambda value: not isinstance(value, list) or len(value) >= limit
    if keyword == "minProperties":
        return lambda value: not isinstance(value, dict) or len(value) >= limit
    raise Unsupported(f"keyword {keyword!r}")


def _resolve(root: Mapping[str, Any], pointer: str) -> Any:
    target: Any = root
    for step in pointer[2:].split("/"):
        step = step.replace("~1", "/").replace("~0", "~")
        target = target[int(step)] if isinstance(target, list) else target[step]
    return target


def compile_schema(schema: Mapping[str, Any]) -> Predicate:
    """`fits(document) -> bool`, exactly jsonschema's Draft 2020-12 `is_valid` for `schema`;
    Unsupported when the schema uses a keyword not compiled here."""
    return _Compiler(schema).schema(schema)
