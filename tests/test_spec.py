"""The spec finds an entity, a workflow or a role by name."""

from __future__ import annotations

import dataclasses
import pickle

from guanxi.spec import EntitySpec, Loc, ProjectSpec, RoleSpec, WorkflowSpec

HERE, THERE = Loc("a.yaml", 1, 1), Loc("b.yaml", 2, 1)


def test_the_first_of_two_entities_with_one_name_is_found() -> None:
    spec = ProjectSpec("p", ".", HERE, entities=(EntitySpec("lead", HERE),
                                                 EntitySpec("lead", THERE)))
    found = spec.entity("lead")
    assert found is not None and found.loc == HERE


def test_an_unknown_name_finds_nothing() -> None:
    spec = ProjectSpec("p", ".", HERE, entities=(EntitySpec("lead", HERE),))
    assert spec.entity("deal") is None and spec.workflow("lead") is None
    assert spec.role("lead") is None


def test_workflows_and_roles_are_found_by_name() -> None:
    flow, role = WorkflowSpec("sales", HERE, "new"), RoleSpec("rep", HERE)
    spec = ProjectSpec("p", ".", HERE, roles=(role,), workflows=(flow,))
    assert spec.workflow("sales") is flow and spec.role("rep") is role


def test_a_replaced_spec_finds_its_own_entities() -> None:
    spec = ProjectSpec("p", ".", HERE, entities=(EntitySpec("lead", HERE),))
    other = dataclasses.replace(spec, entities=(EntitySpec("deal", HERE),))
    assert other.entity("lead") is None and other.entity("deal") is not None


def test_a_spec_survives_pickling_and_equals_itself() -> None:
    spec = ProjectSpec("p", ".", HERE, entities=(EntitySpec("lead", HERE),))
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and copy.entity("lead") == spec.entity("lead")
