"""Checks of approvals (`approval:` on a transition): it has steps; each step names its
approvers (`by:`) as roles, teams, user fields of every entity using the workflow (or
paths to one), `manager of requester` or `manager of <user field>`; each step's `when`
type-checks on those entities; `on_reject` names a state of the workflow that a
transition leads to from the transition's source states; `remind` is a duration or
`{after, every, times}` with durations and a bounded count (its types and keys are the
schema's). Located, with a hint."""

from __future__ import annotations

from guanxi.automation.asking import REQUESTER
from guanxi.automation.recipients import MANAGER_OF
from guanxi.checks.automation import user_path
from guanxi.checks.expressions import check_expression
from guanxi.checks.registry import Context, register, suggest
from guanxi.expr import Scope
from guanxi.language.durations import REMIND_MAX_TIMES, parse_duration, remind_times
from guanxi.language.tree import LocDict
from guanxi.spec import EntitySpec, ProjectSpec, TransitionSpec, WorkflowSpec


def _approver_known(spec: ProjectSpec, entity: EntitySpec, name: str) -> bool:
    if name == REQUESTER or spec.role(name) is not None or spec.team(name) is not None:
        return True
    path = name[len(MANAGER_OF):].strip() if name.startswith(MANAGER_OF) else name
    return user_path(spec, entity, path) is None


def _user_fields(entity: EntitySpec) -> list[str]:
    return ["owner", *(f.name for f in entity.fields if f.type == "user")]


DURATION_HINT = "write a duration such as 4h, 1d or 1w"


def _raw_approval(ctx: Context, workflow: str, transition: str) -> LocDict | None:
    """The transition's `approval:` as written (None when it comes from a workflow
    the project extends)."""
    found: object = ctx.raw.workflows.get(workflow)
    for key in ("transitions", transition, "approval"):
        found = found.get(key) if isinstance(found, LocDict) else None
    return found if isinstance(found, LocDict) else None


def _check_remind(ctx: Context, approval: LocDict, where: str) -> None:
    value = approval.get("remind")
    if isinstance(value, str | int) and not isinstance(value, bool):
        if parse_duration(value) is None:
            ctx.add("GX837", approval.value_loc("remind"), DURATION_HINT, where=where,
                    key="remind", value=value)
        return
    if not isinstance(value, LocDict):
        return
    for key in ("after", "every"):
        given = value.get(key)
        if isinstance(given, str | int) and not isinstance(given, bool) and \
                parse_duration(given) is None:
            ctx.add("GX837", value.value_loc(key), DURATION_HINT, where=where,
                    key=f"remind {key}", value=given)
    times = value.get("times")
    if isinstance(times, int) and not isinstance(times, bool) and remind_times(times) is None:
        ctx.add("GX838", value.value_loc("times"), "remind at most "
                f"{REMIND_MAX_TIMES} times; to remind once, write remind: <duration>",
                where=where, value=times, max=REMIND_MAX_TIMES)
    if "every" not in value:
        ctx.add("GX839", approval.value_loc("remind"), "add every: 1d (or write "
                "remind: 1d for one reminder)", where=where,
                detail="needs every: how often to remind again")


def _check_transition(ctx: Context, workflow: WorkflowSpec, transition: TransitionSpec,
                      entities: list[EntitySpec]) -> None:
    approval = transition.approval
    assert approval is not None
    spec = ctx.spec
    where = f"approval of transition '{transition.name}'"
    raw = _raw_approval(ctx, workflow.name, transition.name)
    if raw is not None:
        _check_remind(ctx, raw, where)
    if not approval.steps:
        ctx.add("GX836", approval.loc, "add steps: [{by: <role>}]", where=where)
    for index, step in enumerate(approval.steps):
        if not step.by:
            ctx.add("GX836", step.loc, "give by: a role, a user field or 'manager of "
                    "requester'", where=f"{where}, step {index + 1}")
        for entity in entities:
            scope = Scope.for_entity(spec, entity)
            check_expression(ctx, step.when, step.when_loc, scope, "boolean",
                             f"for entity '{entity.name}': ")
            for name in step.by:
                if not _approver_known(spec, entity, name):
                    known = [r.name for r in spec.roles] + [t.name for t in spec.teams] + \
                        _user_fields(entity) + [REQUESTER]
                    ctx.add("GX833", step.loc, suggest(name, known, "approvers"),
                            where=f"{where}, step {index + 1}", name=name,
                            entity=entity.name)
    target = approval.on_reject
    if target is None:
        return
    loc = approval.on_reject_loc or approval.loc
    states = [s.name for s in workflow.states]
    if target not in states:
        ctx.add("GX834", loc, suggest(target, states, "states"), where=where, name=target)
        return
    for source in transition.sources:
        if source == target:
            continue
        if not any(t.target == target and source in t.sources for t in workflow.transitions):
            ctx.add("GX835", loc, f"add a transition from '{source}' to '{target}'",
                    where=where, name=target, source=source)


@register(76)
def check_approvals(ctx: Context) -> None:
    """Every `approval:` of every workflow, on each entity that uses the workflow."""
    for workflow in ctx.spec.workflows:
        entities = [e for e in ctx.spec.entities if e.workflow == workflow.name]
        for transition in workflow.transitions:
            if transition.approval is not None:
                _check_transition(ctx, workflow, transition, entities)
