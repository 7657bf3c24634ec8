"""`renamed_from` and `state_map` are checked: a rename needs the old name gone, a
state_map moves records to a state the workflow has."""

from __future__ import annotations

from guanxi.language.project import load_project

PROJECT = "project: p\nroles: {r: {}}\n"
THING = """
thing:
  workflow: flow
  fields:
    name: {type: string}
    title: {type: string, renamed_from: name}
    kind: {type: choice, options: {a: A, b: {label: B, renamed_from: a}}}
  access: {r: {read: all}}
"""
FLOW = """
flow:
  initial: open
  states: {open: {}, done: {final: true, renamed_from: finished}}
  transitions:
    finish: {from: open, to: done}
  state_map: {closed: dnoe, open: done}
"""


def problems(write_project):
    root = write_project({"guanxi.yaml": PROJECT, "entities/thing.yaml": THING,
                          "workflows/flow.yaml": FLOW})
    return [d for d in load_project(root).diagnostics]


def test_a_field_renamed_from_a_field_still_declared_is_an_error(write_project):
    found = [d for d in problems(write_project) if d.id == "GX340"]
    assert "field 'title' is renamed_from 'name', which is still declared" in \
        [d.message for d in found]


def test_an_option_renamed_from_an_option_still_declared_is_an_error(write_project):
    found = [d.message for d in problems(write_project) if d.id == "GX340"]
    assert "option 'b' is renamed_from 'a', which is still declared" in found


def test_a_state_map_to_an_unknown_state_is_an_error_with_a_hint(write_project):
    [found] = [d for d in problems(write_project) if d.id == "GX540"]
    assert found.hint == "did you mean 'done'?"


def test_a_state_map_of_a_state_still_declared_is_a_warning(write_project):
    [found] = [d for d in problems(write_project) if d.id == "GX541"]
    assert "'open'" in found.message


def test_renames_that_fit_are_accepted(write_project):
    root = write_project({"guanxi.yaml": PROJECT, "workflows/flow.yaml": FLOW.replace(
        "state_map: {closed: dnoe, open: done}", "state_map: {closed: done}"),
        "entities/thing.yaml": THING.replace("renamed_from: name", "renamed_from: label")
        .replace("renamed_from: a}", "renamed_from: c}")})
    assert [d for d in load_project(root).diagnostics if d.severity == "error"] == []
