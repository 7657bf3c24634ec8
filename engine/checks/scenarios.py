"""Checks of acceptance scenarios (`scenarios/*.yaml`): their shape, and every entity,
field, transition, record, user and role they name. Warnings: a scenario that cannot run
fails `guanxi test`, and does not stop the project."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guanxi.acceptance.scenario import Action, Scenario, read_scenarios
from guanxi.checks.registry import Context, register, suggest
from guanxi.language.tree import LocDict
from guanxi.spec import Loc, ProjectSpec, WorkflowSpec

# Names a scenario may give or expect besides declared fields.
SYSTEM_NAMES = frozenset({"owner", "state", "id"})


@register(90)
def check_scenarios(ctx: Context) -> None:
    root = Path(ctx.spec.root)
    if not (root / "scenarios").is_dir():
        return
    scenarios, problems = read_scenarios(root)
    for problem in problems:
        ctx.add("GX851", problem.loc, None, scenario="?", detail=problem.message)
    for scenario in scenarios:
        _Scenario(ctx, scenario).check()


class _Scenario:
    def __init__(self, ctx: Context, scenario: Scenario) -> None:
        self.ctx = ctx
        self.spec: ProjectSpec = ctx.spec
        self.scenario = scenario
        self.records: dict[str, str] = {}

    def add(self, problem_id: str, loc: Loc, hint: str | None, **params: Any) -> None:
        self.ctx.add(problem_id, loc, hint, scenario=self.scenario.name, **params)

    def check(self) -> None:
        scenario = self.scenario
        for problem in scenario.problems:
            self.add("GX851", problem.loc, None, detail=problem.message)
        roles = [r.name for r in self.spec.roles]
        for given in scenario.users.values():
            for role in given:
                if self.spec.role(role) is None:
                    self.add("GX856", scenario.loc, suggest(role, roles, "roles"),
                             what="role", name=role)
        self.user(scenario.user, scenario.loc)
        for record in scenario.given:
            if self.entity(record.entity, record.loc):
                self.fields(record.entity, record.values, record.loc)
            self.records[record.name] = record.entity
        for step in scenario.steps:
            if step.user is not None:
                self.user(step.user, step.loc)
            if step.action is not None:
                self.action(step.action, step.loc)
            for expected in step.expect:
                if expected.kind == "count":
                    self.entity(expected.record, expected.loc)
                elif expected.kind in ("value", "hidden", "sees", "cannot_see"):
                    entity = self.record(expected.record, expected.loc)
                    if entity and expected.kind in ("value", "hidden"):
                        self.field(entity, expected.name, expected.loc)

    def user(self, name: str | None, loc: Loc) -> None:
        if name is None or name in self.scenario.users or self.spec.role(name) is not None:
            return
        known = [*self.scenario.users, *(r.name for r in self.spec.roles)]
        self.add("GX856", loc, suggest(name, known, "users and roles"), what="user",
                 name=name)

    def entity(self, name: str, loc: Loc) -> bool:
        if self.spec.entity(name) is not None:
            return True
        self.add("GX852", loc, suggest(name, [e.name for e in self.spec.entities],
                                       "entities"), name=name)
        return False

    def record(self, name: str, loc: Loc) -> str | None:
        if name in self.records:
            return self.records[name]
        self.add("GX855", loc, suggest(name, self.records, "records so far"), name=name)
        return None

    def field(self, entity: str, name: str, loc: Loc) -> None:
        spec = self.spec.entity(entity)
        if spec is None or name in SYSTEM_NAMES or spec.field(name) is not None:
            return
        self.add("GX853", loc, suggest(name, [f.name for f in spec.fields], "fields"),
                 name=name, entity=entity)

    def fields(self, entity: str, values: Mapping[str, Any], loc: Loc) -> None:
        for name in values:
            at = values.key_loc(name) if isinstance(values, LocDict) else loc
            self.field(entity, str(name), at)

    def action(self, action: Action, loc: Loc) -> None:
        if action.kind == "create":
            if self.entity(action.entity, loc):
                self.fields(action.entity, action.values, loc)
            self.records[action.target] = action.entity
        elif action.kind == "import":
            self.entity(action.target, loc)
        elif action.kind in ("update", "fire", "delete"):
            entity = self.record(action.target, loc)
            if entity is None:
                return
            self.fields(entity, action.values, loc)
            if action.kind == "fire":
                self.transition(entity, action.transition, loc)

    def transition(self, entity: str, name: str, loc: Loc) -> None:
        spec = self.spec.entity(entity)
        workflow: WorkflowSpec | None = self.spec.workflow(spec.workflow) \
            if spec is not None and spec.workflow else None
        names = [t.name for t in workflow.transitions] if workflow else []
        if name not in names:
            self.add("GX854", loc, suggest(name, names, "transitions"), name=name,
                     entity=entity)
