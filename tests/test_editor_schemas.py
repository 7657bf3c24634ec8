"""Editors validate each YAML file alone against the shipped JSON Schemas: every example
and standard workflow fits (extending workflows included), scenarios have a schema, and
`guanxi schemas --write` puts them where VS Code's YAML language server finds them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guanxi.cli.main import main
from guanxi.language.project import load_project
from guanxi.language.yamlload import load_text
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parent.parent
ANALYST = (REPO / "docs" / "analyst.md").read_text(encoding="utf-8")


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    return loaded


def kind_of(path: Path) -> str:
    return "project" if path.name == "guanxi.yaml" else path.parent.name


FILES = sorted([*REPO.glob("examples/*/guanxi.yaml"), *REPO.glob("examples/*/*/*.yaml"),
                *REPO.glob("workflows/*.yaml")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_each_shipped_file_fits_its_schema_alone(path: Path) -> None:
    # Read as Guanxi (and editors) read YAML: the 1.2 core schema, where `on:` is a string.
    data = load_text(path.read_text(encoding="utf-8"), str(path)).data
    errors = [e.message for e in Draft202012Validator(schema(kind_of(path))).iter_errors(data)]
    assert errors == []


def test_the_scenarios_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(schema("scenarios"))


def test_the_analyst_guide_mentions_every_key_of_the_scenarios_schema() -> None:
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema("scenarios"))
    assert sorted(k for k in keys if f"`{k}`" not in ANALYST) == []


def test_a_transition_without_to_is_still_reported_once_merged(write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\nroles: {r: {}}\n",
        "entities/thing.yaml": "thing:\n  workflow: flow\n  fields: {name: {type: string}}\n"
                               "  access: {r: {read: all}}\n",
        "workflows/flow.yaml": "flow:\n  states: [open, done]\n  transitions:\n"
                               "    finish: {from: open}\n",
    })
    found = [(d.id, d.message) for d in load_project(root).diagnostics]
    assert ("GX203", "flow.transitions.finish needs 'to'") in found


def test_schemas_write_puts_every_schema_in_the_folder(tmp_path: Path) -> None:
    assert main(["schemas", "--write", str(tmp_path / "schemas")]) == 0
    names = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert {"entities.schema.json", "project.schema.json", "scenarios.schema.json",
            "workflows.schema.json"} <= set(names)


def test_schemas_settings_keep_the_other_vscode_settings(tmp_path: Path) -> None:
    settings = tmp_path / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"editor.tabSize": 2}', encoding="utf-8")
    assert main(["schemas", "--write", str(tmp_path / ".schemas"),
                 "--settings", str(settings)]) == 0
    written = json.loads(settings.read_text(encoding="utf-8"))
    assert written["editor.tabSize"] == 2
    assert written["yaml.schemas"][".schemas/scenarios.schema.json"] == "**/scenarios/*.yaml"
    assert written["yaml.schemas"][".schemas/project.schema.json"] == "**/guanxi.yaml"
