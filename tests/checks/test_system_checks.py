"""The system actor's grants (`system: grants:` in guanxi.yaml) are checked like a
role's access entries."""

from __future__ import annotations

from guanxi.language.project import load_project

PROJECT = """
project: p
roles: {r: {}}
system:
  grants:
    thing: {create: all, read: all, update: all, hide: [nme], transitions: [fnish]}
"""
THING = """
thing:
  fields:
    name: {type: string}
  workflow: flow
  access: {r: {read: all}}
"""
FLOW = """
flow:
  initial: open
  states: {open: {}, done: {final: true}}
  transitions:
    finish: {from: open, to: done}
"""


def problems(write_project, project=PROJECT, thing=THING):
    root = write_project({"guanxi.yaml": project, "entities/thing.yaml": thing,
                          "workflows/flow.yaml": FLOW})
    result = load_project(root)
    return {d.id: d for d in result.diagnostics}


def test_the_systems_grants_name_fields_the_entity_has(write_project):
    found = problems(write_project)
    assert found["GX602"].message == "unknown field 'nme' in hide of role 'system'"
    assert found["GX602"].hint == "did you mean 'name'?"


def test_the_systems_grants_name_transitions_of_the_entitys_workflow(write_project):
    found = problems(write_project)
    assert found["GX603"].hint == "did you mean 'finish'?"


def test_the_systems_grant_conditions_are_type_checked(write_project):
    project = PROJECT.replace("read: all, update: all, hide: [nme], transitions: [fnish]",
                              "read: 'nme == 1'")
    found = problems(write_project, project)
    assert found["GX402"].loc.file.endswith("guanxi.yaml") and found["GX402"].hint == (
        "did you mean 'name'?")


def test_valid_system_grants_pass(write_project):
    project = PROJECT.replace("hide: [nme], transitions: [fnish]",
                              "hide: [name], transitions: [finish]")
    assert [d for d in problems(write_project, project).values() if d.is_error] == []
