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
        checks: list[Predicate] = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            check = self.keyword(keyword, argument, schema)
            if check is not None:
                checks.append(check)
        return _all(checks)

    def keyword(self, keyword: str, argument: Any, schema: Mapping[str, Any]) -> Predicate | None:
        if keyword == "type":
            names = [argument] if isinstance(argument, str) else list(argument)
            if not set(names) <= _TYPES.keys():
                raise Unsupported(f"type {argument!r}")
            tests = tuple(_TYPES[name] for name in names)
            return lambda value: any(test(value) for test in tests)
        if keyword == "properties":
            return self.properties(argument)
        if keyword == "additionalProperties":
            return self.additional(argument, frozenset(schema.get("properties", ())),
                                   "patternProperties" in schema)
        if keyword == "propertyNames":
            names = self.schema(argument)
            return lambda value: not isinstance(value, dict) or all(map(names, value))
        if keyword == "required":
            wanted = tuple(argument)
            return lambda value: not isinstance(value, dict) or all(k in value for k in wanted)
        if keyword == "items":
            if "prefixItems" in schema:
                raise Unsupported("prefixItems")
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

    def properties(self, properties: Mapping[str, Any]) -> Predicate:
        compiled = tuple((name, self.schema(sub)) for name, sub in properties.items())

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, sub in compiled:
                if name in value and not sub(value[name]):
                    return False
            return True

        return check

    def additional(self, argument: Any, declared: frozenset[str], patterns: bool) -> Predicate:
        if patterns:
            raise Unsupported("patternProperties")
        if argument is False:
            return lambda value: not isinstance(value, dict) or all(
                key in declared for key in value)
        sub = self.schema(argument)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                if key not in declared and not sub(item):
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
        return lambda value: cell[0](value)


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
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
