"""Checks of workflows: states, transitions, timers, and the fields and roles they use."""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.fields.registry import SYSTEM_FIELDS
from guanxi.language.build import parse_duration
from guanxi.language.overlays import timer_name
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import AccessSpec, EntitySpec, Loc, TransitionSpec, WorkflowSpec

# System fields a transition may assign.
SETTABLE_SYSTEM_FIELDS = frozenset({"owner"})


@register(50)
def check_workflows(ctx: Context) -> None:
    workflows = ctx.raw.workflows
    for name, data in workflows.items():
        loc = workflows.key_loc(name)
        ctx.check_name(name, loc, "workflow")
        if isinstance(data, LocDict):
            _check_workflow(ctx, str(name), data, loc)
    for entity in ctx.spec.entities:
        workflow = ctx.spec.workflow(entity.workflow) if entity.workflow else None
        data = ctx.raw.workflows.get(entity.workflow) if entity.workflow else None
        if workflow is not None and isinstance(data, LocDict):
            _check_fields_for(ctx, entity, workflow, data)
    used = {e.workflow for e in ctx.spec.entities} | ctx.raw.workflow_bases
    for name in workflows:
        if name not in used and name not in ctx.raw.standard_used:
            ctx.add("GX515", workflows.key_loc(name),
                    "name it in an entity's 'workflow:', or remove it", workflow=name)


def _states(data: LocDict) -> LocDict:
    states = data.get("states")
    return states if isinstance(states, LocDict) else LocDict(data.loc)


def _check_workflow(ctx: Context, name: str, data: LocDict, loc: Loc) -> None:
    states = _states(data)
    if not states and not isinstance(data.get("states"), LocList):
        ctx.add("GX514", loc, "add 'states: [first, second]'", workflow=name)
    for state in states:
        ctx.check_name(state, states.key_loc(state), "state")
    initial = data.get("initial")
    if isinstance(initial, str) and states and initial not in states:
        ctx.unknown("state", name, initial, data.value_loc("initial"), "GX501",
                    suggest(initial, states, "states"), name=initial, workflow=name)
    declared_roles = ctx.project.get("roles")
    roles = set(declared_roles) if isinstance(declared_roles, LocDict) else set()
    transitions = data.get("transitions")
    transitions = transitions if isinstance(transitions, LocDict) else LocDict(loc)
    for transition, spec in transitions.items():
        ctx.check_name(transition, transitions.key_loc(transition), "transition")
        if isinstance(spec, LocDict):
            _check_required(ctx, name, str(transition), spec, transitions.key_loc(transition))
            _check_transition(ctx, name, str(transition), spec, states, roles)
    _check_timers(ctx, name, data, states, transitions, roles)
    workflow = ctx.spec.workflow(name)
    if workflow is not None and states:
        _warn_unreachable(ctx, workflow, states)


# What a transition needs, once merged over the workflow it extends (the schema cannot
# ask for it: a file that extends a workflow may change a transition without repeating it).
_TRANSITION_NEEDS = {"from": "a state, a list of states, or \"*\" (every non-final state)",
                     "to": "the target state"}


def _check_required(ctx: Context, workflow: str, name: str, data: LocDict, loc: Loc) -> None:
    for key, description in _TRANSITION_NEEDS.items():
        if key not in data:
            ctx.add("GX203", loc, f"add '{key}:' ({description})",
                    where=f"{workflow}.transitions.{name}", key=key)


def _check_transition(ctx: Context, workflow: str, name: str, data: LocDict,
                      states: LocDict, roles: set[str]) -> None:
    for source, at in ctx.names_in(data, "from"):
        if source == "*":
            continue
        if source not in states:
            ctx.unknown("state", workflow, source, at, "GX502",
                        suggest(source, states, "states"), transition=name, name=source)
        elif isinstance(states[source], LocDict) and states[source].get("final") is True:
            ctx.add("GX504", at, f"remove '{source}' from 'from', or make '{source}' "
                    "not final", name=source, transition=name)
    target = data.get("to")
    if isinstance(target, str) and target not in states:
        ctx.unknown("state", workflow, target, data.value_loc("to"), "GX503",
                    suggest(target, states, "states"), transition=name, name=target)
    for role, at in ctx.names_in(data, "roles"):
        if role not in roles:
            ctx.unknown("role", None, role, at, "GX307", suggest(role, roles, "roles"),
                        name=role, where=f"roles of transition '{name}'")


def _check_timers(ctx: Context, workflow: str, data: LocDict, states: LocDict,
                  transitions: LocDict, roles: set[str]) -> None:
    timers = data.get("timers")
    if not isinstance(timers, LocList):
        return
    seen: set[str] = set()
    for index, timer in enumerate(timers):
        if not isinstance(timer, LocDict):
            continue
        name = timer_name(timer, index)
        at = timers.item_loc(index)
        if name in seen:
            ctx.add("GX518", timer.value_loc("name") if "name" in timer else at,
                    "give each timer its own name", name=name, workflow=workflow)
        seen.add(name)
        state = timer.get("in")
        if isinstance(state, str) and state not in states:
            ctx.unknown("state", workflow, state, timer.value_loc("in"), "GX506",
                        suggest(state, states, "states"), timer=name, name=state)
        after = timer.get("after")
        if isinstance(after, str | int) and not isinstance(after, bool) and \
                parse_duration(after) is None:
            ctx.add("GX509", timer.value_loc("after"),
                    "write a duration such as 90m, 12h, 3d, 1w or a number of seconds",
                    value=after)
        action = timer.get("do")
        if action == "fire":
            target = timer.get("transition")
            if target is None:
                ctx.add("GX516", at, "add 'transition: <name>'", timer=name, action=action,
                        key="transition")
            elif isinstance(target, str) and target not in transitions:
                ctx.unknown("transition", workflow, target, timer.value_loc("transition"),
                            "GX507", suggest(target, transitions, "transitions"),
                            timer=name, name=target)
        elif action == "notify":
            target = timer.get("to")
            if target is None:
                ctx.add("GX516", at, "add 'to: owner' or 'to: <role>'", timer=name,
                        action=action, key="to")
            elif isinstance(target, str) and target != "owner" and target not in roles \
                    and not _used(ctx, workflow):
                # A workflow that entities use: `to` may also be a user field of each
                # (checked per entity with the automation checks).
                ctx.unknown("role", None, target, timer.value_loc("to"), "GX508",
                            suggest(target, ["owner", *roles], "roles"),
                            timer=name, name=target)


def _used(ctx: Context, workflow: str) -> bool:
    return any(entity.workflow == workflow for entity in ctx.spec.entities)


def _warn_unreachable(ctx: Context, workflow: WorkflowSpec, states: LocDict) -> None:
    names = {s.name for s in workflow.states}
    if any(t.target not in names or not set(t.sources) <= names
           for t in workflow.transitions):
        return  # the unknown states are reported; guesses about the rest would mislead
    reached = {workflow.initial}
    todo = [workflow.initial]
    while todo:
        current = todo.pop()
        for transition in workflow.transitions:
            if current in transition.sources and transition.target not in reached:
                reached.add(transition.target)
                todo.append(transition.target)
    for state in workflow.states:
        if workflow.initial in states and state.name not in reached:
            ctx.add("GX510", state.loc, "add a transition into it, or remove it",
                    name=state.name, workflow=workflow.name, initial=workflow.initial)
        leaves = any(state.name in t.sources for t in workflow.transitions)
        if not state.final and not leaves:
            ctx.add("GX511", state.loc, "add a transition out of it, or mark it 'final: true'",
                    name=state.name, workflow=workflow.name)


def _check_fields_for(ctx: Context, entity: EntitySpec, workflow: WorkflowSpec,
                      data: LocDict) -> None:
    """The fields a workflow names must exist on every entity that uses it."""
    declared = [f.name for f in entity.fields]
    known = set(declared) | set(SYSTEM_FIELDS)

    def need(name: str, at: Loc, where: str) -> None:
        if name not in known:
            ctx.unknown("field", entity.name, name, at, "GX505",
                        f"declare '{name}' in entity '{entity.name}' ({entity.loc}); "
                        + suggest(name, declared, "fields"),
                        entity=entity.name, name=name, workflow=workflow.name, where=where)

    states = _states(data)
    for state, spec in states.items():
        if isinstance(spec, LocDict):
            for key in ("require", "editable"):
                for name, at in ctx.names_in(spec, key):
                    need(name, at, f"{key} of state '{state}'")
    transitions = data.get("transitions")
    for transition, spec in (transitions.items() if isinstance(transitions, LocDict) else ()):
        if not isinstance(spec, LocDict):
            continue
        fired = workflow.transition(str(transition))
        writers = _writers(ctx, entity, fired) if fired is not None else None
        for name, at in ctx.names_in(spec, "require"):
            need(name, at, f"require of transition '{transition}'")
            if writers is not None and fired is not None:
                _warn_unwritable(ctx, entity, fired, name, at, writers)
        assignments = spec.get("set")
        if not isinstance(assignments, LocDict):
            continue
        for name in assignments:
            at = assignments.key_loc(name)
            need(str(name), at, f"set of transition '{transition}'")
            field = entity.field(str(name))
            if name in SYSTEM_FIELDS and name not in SETTABLE_SYSTEM_FIELDS:
                ctx.add("GX517", at, "only 'owner' of the system fields may be set",
                        transition=transition, name=name, reason="it is a system field")
            elif field is not None and field.derived:
                ctx.add("GX517", at, "remove it from 'set'; it is computed on every save",
                        transition=transition, name=name, reason="it is computed")


def _writers(ctx: Context, entity: EntitySpec, transition: TransitionSpec,
             ) -> list[list[AccessSpec]]:
    """For each role that may fire the transition, the access grants it holds (its own
    and those of the roles it includes) that let it update the entity."""
    writers = []
    for role in ctx.spec.roles:
        held = ctx.spec.expand_roles({role.name})
        if transition.roles and not held & set(transition.roles):
            continue
        grants = [g for g in entity.access if g.role in held and g.update.granted]
        if any(g.transitions is None or transition.name in g.transitions for g in grants):
            writers.append(grants)
    return writers


def _warn_unwritable(ctx: Context, entity: EntitySpec, transition: TransitionSpec,
                     name: str, at: Loc, writers: list[list[AccessSpec]]) -> None:
    """GX519: a required field that no role able to fire the transition can write."""
    field = entity.field(name)
    if not writers or field is None or field.derived or \
            name in dict(transition.set):
        return
    if any(name not in g.readonly and name not in g.hide
           for grants in writers for g in grants):
        return
    ctx.add("GX519", at, f"let a role that fires '{transition.name}' edit '{name}', "
            f"or set it in the transition", transition=transition.name, name=name,
            entity=entity.name)
