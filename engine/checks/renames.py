"""Checks of what migrations read: `renamed_from` (entities, fields, states, options) and
workflows' `state_map`."""

from __future__ import annotations

from guanxi.checks.registry import Context, register, suggest
from guanxi.spec import WorkflowSpec


@register(55)
def check_renames(ctx: Context) -> None:
    spec = ctx.spec
    entities = {e.name for e in spec.entities}
    for entity in spec.entities:
        if entity.renamed_from in entities:
            ctx.add("GX340", entity.loc, f"remove entity '{entity.renamed_from}', or the "
                    "renamed_from", what="entity", name=entity.name,
                    former=entity.renamed_from)
        fields = {f.name for f in entity.fields}
        for field in entity.fields:
            if field.renamed_from in fields:
                ctx.add("GX340", field.loc, f"remove field '{field.renamed_from}', or the "
                        "renamed_from", what="field", name=field.name,
                        former=field.renamed_from)
            options = {o.value for o in field.options}
            for option in field.options:
                if option.renamed_from in options:
                    ctx.add("GX340", option.loc, f"remove option '{option.renamed_from}', "
                            "or the renamed_from", what="option", name=option.value,
                            former=option.renamed_from)
    for workflow in spec.workflows:
        _check_states(ctx, workflow)


def _check_states(ctx: Context, workflow: WorkflowSpec) -> None:
    states = {s.name for s in workflow.states}
    for state in workflow.states:
        if state.renamed_from in states:
            ctx.add("GX340", state.loc, f"remove state '{state.renamed_from}', or the "
                    "renamed_from", what="state", name=state.name, former=state.renamed_from)
    loc = workflow.state_map_loc or workflow.loc
    for old, new in workflow.state_map:
        if new not in states:
            ctx.add("GX540", loc, suggest(new, states, "states"), workflow=workflow.name,
                    name=old, target=new)
        if old in states:
            ctx.add("GX541", loc, f"remove '{old}' from state_map, or the state",
                    workflow=workflow.name, name=old)
