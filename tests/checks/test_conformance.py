"""The compiled schemas answer "does it fit?" exactly as jsonschema does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import EXAMPLES
from guanxi.checks.conformance import Unsupported, compile_schema
from guanxi.checks.schema import schema
from guanxi.language.project import read_project
from jsonschema import Draft202012Validator

SCHEMAS = ("project", "entities", "workflows")

# Values put in place of each node of a valid document, one at a time.
SUBSTITUTES: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 1.0, 2.5, -0.5, 10**6, "", "x", "Not A Name", "3d",
    [], ["x"], [1], {}, {"en": "x"}, {"zz": 1}, {"Bad Key": "x"},
)


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def documents() -> Iterator[tuple[str, Any]]:
    """The examples' files, each entity and workflow as a document of its own."""
    for example in sorted(EXAMPLES.iterdir()):
        raw = read_project(example)
        yield "project", plain(raw.project)
        for name, data in (("entities", raw.entities), ("workflows", raw.workflows)):
            for key, value in data.items():
                yield name, {key: plain(value)}


def mutations(document: Any) -> Iterator[Any]:
    """`document` with one node replaced, or one unknown key added, at a time: each node
    gets one of the substitutes in turn, so every kind of value lands on every kind of
    node across the examples."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else ()
        for key, child in items:
            walk(child, (*path, key))

    walk(document, ())
    for index, path in enumerate(paths[1:]):
        yield _replaced(document, path, SUBSTITUTES[index % len(SUBSTITUTES)])
        if index % 5 == 0:
            yield _replaced(document, path, {"surprise": 1}, add=True)


def _replaced(document: Any, path: tuple[Any, ...], value: Any, add: bool = False) -> Any:
    copy = plain(document)
    node = copy
    for step in path[:-1]:
        node = node[step]
    target = node[path[-1]]
    if add:
        if isinstance(target, dict):
            target.update(value)
    else:
        node[path[-1]] = value
    return copy


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_shipped_schema_compiles(name: str) -> None:
    assert callable(compile_schema(schema(name)))


def test_the_examples_fit_their_schemas() -> None:
    for name, document in documents():
        assert compile_schema(schema(name))(document), name


def test_a_broken_document_is_judged_as_jsonschema_judges_it() -> None:
    verdicts: list[bool] = []
    for name, document in documents():
        fits = compile_schema(schema(name))
        reference = Draft202012Validator(schema(name))
        for mutated in mutations(document):
            verdicts.append(fits(mutated))
            assert verdicts[-1] == reference.is_valid(mutated), (name, mutated)
    assert verdicts.count(True) > 300 and verdicts.count(False) > 300


def test_a_keyword_that_is_not_compiled_is_refused() -> None:
    with pytest.raises(Unsupported):
        compile_schema({"type": "string", "maxLength": 3})


def test_annotations_do_not_constrain() -> None:
    fits = compile_schema({"description": "any", "x-expected": "anything", "title": "t"})
    assert fits(None) and fits({"a": 1})


@pytest.mark.parametrize(("value", "expected"), [
    (1, True), (1.0, True), (1.5, False), (True, False), ("1", False),
])
def test_integers_are_whole_numbers_and_never_booleans(value: Any, expected: bool) -> None:
    assert compile_schema({"type": "integer"})(value) is expected


def test_one_of_needs_exactly_one_branch() -> None:
    fits = compile_schema({"oneOf": [{"type": "number"}, {"type": "integer"}]})
    assert fits(1.5) and not fits(2)


def test_a_reference_may_be_recursive() -> None:
    tree = {"$defs": {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "$ref": "#/$defs/node"}
    fits = compile_schema(tree)
    assert fits([[], [[]]]) and not fits([[], [1]])
