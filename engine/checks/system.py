"""Checks of the system actor (`system:` in guanxi.yaml): its name is its own, and its
grants are checked like a role's access entries."""

from __future__ import annotations

from guanxi.checks.entities import check_grants
from guanxi.checks.registry import Context, register, suggest
from guanxi.language.tree import LocDict
from guanxi.spec import SYSTEM_ROLE


@register(35)
def check_system(ctx: Context) -> None:
    system = ctx.project.get("system")
    if not isinstance(system, LocDict):
        return
    roles = ctx.project.get("roles")
    if isinstance(roles, LocDict) and SYSTEM_ROLE in roles:
        ctx.add("GX607", roles.key_loc(SYSTEM_ROLE),
                "rename the role; automation acts as the system actor")
    check_entity_grants(ctx, system.get("grants"), SYSTEM_ROLE, "GX608")


def check_entity_grants(ctx: Context, grants: object, role: str, unknown_id: str) -> None:
    """Grants written per entity for an actor that is not a declared role (the system,
    the portal): each names an entity (`unknown_id` otherwise) and is checked like an
    access entry of `role`."""
    if not isinstance(grants, LocDict):
        return
    entities = [str(name) for name in ctx.raw.entities]
    for name, granted in grants.items():
        entity = ctx.spec.entity(str(name))
        if entity is None:
            ctx.unknown("entity", None, str(name), grants.key_loc(name), unknown_id,
                        suggest(str(name), entities, "entities"), name=name)
        elif isinstance(granted, LocDict):
            check_grants(ctx, entity.name, role, granted, entity.workflow)
