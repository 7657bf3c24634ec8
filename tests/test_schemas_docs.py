"""The JSON Schemas and the language reference agree with each other and with the code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO
from guanxi.fields.registry import COMMON_KEYS, FIELD_TYPES
from jsonschema import Draft202012Validator

SCHEMAS = ("project", "entities", "workflows", "automation", "insight")
LANGUAGE = (REPO / "docs" / "language.md").read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    return json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def keys_of(node: Any) -> Iterator[str]:
    """Every property name declared anywhere in a schema."""
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from keys_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from keys_of(value)


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemas_are_valid_json_schema_2020_12(name: str) -> None:
    schema = load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_language_reference_mentions_every_key_of_the_schemas(name: str) -> None:
    missing = sorted({k for k in keys_of(load(name)) if f"`{k}`" not in LANGUAGE})
    assert missing == []


def test_the_language_reference_mentions_every_field_type() -> None:
    missing = sorted(t for t in FIELD_TYPES if f"| `{t}` |" not in LANGUAGE)
    assert missing == []


def test_the_field_type_enum_is_the_field_type_registry() -> None:
    field = load("entities")["$defs"]["field"]
    assert sorted(field["properties"]["type"]["enum"]) == sorted(FIELD_TYPES)


def test_the_field_schema_has_every_key_a_type_accepts() -> None:
    declared = set(load("entities")["$defs"]["field"]["properties"])
    accepted = set(COMMON_KEYS).union(*(t.keys for t in FIELD_TYPES.values()))
    assert declared == accepted


def test_the_editor_settings_in_the_docs_name_the_schema_files() -> None:
    section = LANGUAGE.split("## Editor support", 1)[1]
    for name in SCHEMAS:
        assert f"schemas/{name}.schema.json" in section
        assert (REPO / "schemas" / f"{name}.schema.json").is_file()
