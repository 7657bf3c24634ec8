"""Structure: the JSON Schemas in schemas/, with each violation mapped to file:line:col.

The same schemas give editors autocomplete; here each error becomes a Diagnostic that
names the key or value, says what was expected and suggests a spelling when one is close.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from typing import Any

from guanxi.checks.conformance import Predicate, Unsupported, compile_schema
from guanxi.checks.registry import Context, register
from guanxi.diagnostics import Diagnostic, diag
from guanxi.fields.registry import COMMON_KEYS, FIELD_TYPES
from guanxi.language.tree import LocDict, loc_at
from guanxi.language.yamlload import YamlDocument
from guanxi.spec import Loc
from jsonschema import Draft202012Validator, ValidationError

_TYPE_WORDS = {
    "string": "a text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list", "object": "a mapping", "null": "empty",
}


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """One of the shipped schemas: "project", "entities", "workflows" or "automation"."""
    text = files("guanxi.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    """jsonschema's validator for schema `name`, built once per process: it explains."""
    return Draft202012Validator(schema(name))


@functools.cache
def _fits(name: str) -> Predicate | None:
    """Schema `name` compiled to a yes/no answer, built once per process; None when it
    uses a keyword the compiler lacks (then jsonschema answers alone)."""
    try:
        return compile_schema(schema(name))
    except Unsupported:
        return None


def describe_value(value: Any) -> str:
    """How a YAML value is named in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"the number {value}"


def where(root: str, path: Sequence[Any]) -> str:
    """A path as people read it: `lead.fields.source`, `lead.rules[1].when` (1-based);
    `root` names the whole document (the empty path)."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step + 1}]"
        else:
            text = f"{text}.{step}" if text else str(step)
    return text or root


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _branch_accepts(branch: dict[str, Any], value: Any) -> bool:
    if "$ref" in branch:
        ref = branch["$ref"]
        return ref.endswith("/text") and isinstance(value, str | dict)
    types = branch.get("type")
    if types is None:
        return True
    types = [types] if isinstance(types, str) else types
    kind = _json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


@register(10)
def check_structure(ctx: Context) -> None:
    """Each project file, and the merged entities and workflows, against their schemas."""
    raw = ctx.raw
    for source in raw.files:
        if source.kind == "project" and isinstance(source.document.data, LocDict):
            ctx.found.extend(validate("project", source.document.data, "guanxi.yaml"))
    ctx.found.extend(validate("entities", raw.entities, "the entities"))
    ctx.found.extend(validate("workflows", raw.workflows, "the workflows"))
    if raw.automation:
        ctx.found.extend(validate("automation", raw.automation, "the automation rules"))


def validate(name: str, data: Any, root: str) -> list[Diagnostic]:
    """Every structural problem of `data` under schema `name`, located; `root` names the
    whole document in messages."""
    fits = _fits(name)
    if fits is not None and fits(data):
        return []  # the common case: nothing to explain
    out: list[Diagnostic] = []
    for error in _validator(name).iter_errors(data):
        if "propertyNames" in error.absolute_schema_path:
            continue  # names are checked with their own messages
        out.extend(_explain(error, data, root))
    return out


# The ids of the problems met reading a YAML file, by their kind.
YAML_IDS = {"syntax": "GX101", "tag": "GX102", "duplicate": "GX103", "too_big": "GX104",
            "bomb": "GX105", "key": "GX106", "encoding": "GX107", "not_regular": "GX111",
            "outside": "GX112", "unreadable": "GX113"}


def check_documents(ctx: Context, documents: Iterable[YamlDocument], name: str) -> None:
    """Report what reading each document met, then its structure under schema `name`."""
    for document in documents:
        for problem in document.problems:
            ctx.add(YAML_IDS[problem.kind], problem.loc, None, detail=problem.message)
        if document.data is not None:
            ctx.found.extend(validate(name, document.data, document.file))


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    """The (sub)schema whose keyword failed."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _argument(error: ValidationError) -> Any:
    """The failed keyword's argument, as the schema gives it (any JSON value)."""
    return error.validator_value


def _explain(error: ValidationError, data: Any, root: str) -> Iterable[Diagnostic]:
    path = list(error.absolute_path)
    kind = error.validator
    value = error.instance
    here = where(root, path)
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(_schema_of(error).get("properties", {}))
        shown = _keys_for(path, value, allowed)
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), shown, n=1)
            hint = f"did you mean '{close[0]}'?" if close else (
                "the keys here are: " + ", ".join(shown) if shown else None)
            yield diag("GX201", _at(data, [*path, key], key=True), hint, key=key, where=here)
    elif kind == "required" and isinstance(value, dict):
        for key in _argument(error):
            if key not in value:
                description = _schema_of(error).get("properties", {}).get(key, {}).get(
                    "description", "")
                hint = f"add '{key}:' ({description})" if description else f"add '{key}:'"
                yield diag("GX203", _at(data, path, key=True), hint, key=key, where=here)
    elif kind == "type":
        expected = _argument(error)
        names: list[str] = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_TYPE_WORDS[n] for n in names if n != "null")
        yield diag("GX202", _at(data, path), _type_hint(names, value),
                   where=here, expected=words, got=describe_value(value))
    elif kind == "enum":
        if _is_field_type(path):
            return  # the field-type check explains it, with a suggestion
        options = [str(v) for v in _argument(error)]
        close = difflib.get_close_matches(str(value), options, n=1)
        yield diag("GX204", _at(data, path), f"did you mean '{close[0]}'?" if close else None,
                   where=here, allowed=", ".join(options), got=describe_value(value))
    elif kind in ("oneOf", "anyOf"):
        yield from _explain_choice(error, data, root)
    else:
        yield diag("GX205", _at(data, path), None, where=here, detail=_detail(error))


def _explain_choice(error: ValidationError, data: Any, root: str) -> Iterable[Diagnostic]:
    value = error.instance
    branches = _argument(error)
    fitting = [i for i, b in enumerate(branches) if _branch_accepts(b, value)]
    if len(fitting) == 1:
        inner = [e for e in error.context or () if e.relative_schema_path[0] == fitting[0]]
        if inner:
            for sub in inner:
                yield from _explain(sub, data, root)
            return
    path = list(error.absolute_path)
    expected = _schema_of(error).get("x-expected", "a valid value")
    yield diag("GX202", _at(data, path), None, where=where(root, path), expected=expected,
               got=describe_value(value))


def _keys_for(path: list[Any], value: dict[str, Any], allowed: list[str]) -> list[str]:
    """The keys that fit here: for a field of a known type, those of its type."""
    kind = value.get("type")
    row = FIELD_TYPES.get(kind) if isinstance(kind, str) else None
    if len(path) >= 2 and path[-2] == "fields" and row is not None:
        return sorted(COMMON_KEYS | row.keys)
    return allowed


def _is_field_type(path: list[Any]) -> bool:
    return len(path) >= 4 and path[-1] == "type" and path[-3] == "fields"


def _type_hint(names: list[str], value: Any) -> str | None:
    if "array" in names and isinstance(value, str):
        return f"write a list: [{value}]"
    if "boolean" in names and isinstance(value, str):
        return "write true or false without quotes"
    if "string" in names and isinstance(value, dict | list):
        return "write a single value here"
    return None


def _detail(error: ValidationError) -> str:
    kind, limit = error.validator, _argument(error)
    if kind in ("minItems", "minProperties") and limit == 1:
        return "must not be empty"
    if kind == "minimum":
        return f"must be at least {limit}"
    if kind == "maximum":
        return f"must be at most {limit}"
    if kind == "minItems":
        return f"needs at least {limit} items"
    return error.message


def _at(data: Any, path: list[Any], key: bool = False) -> Loc:
    loc = loc_at(data, *path, key=key) if path else getattr(data, "loc", None)
    if loc is None:
        loc = data.loc if isinstance(data, LocDict) else Loc("<unknown>", 1, 1)
    return loc
