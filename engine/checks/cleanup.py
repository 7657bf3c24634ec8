"""Scheduled duplicate clean-up (`do: duplicates` in a schedule, `safe: true` on a
duplicate rule): a safe rule compares exact keys only; the action is a schedule's only
action, on an entity with duplicate rules; `merge` is `safe` or `never`, and `safe`
needs a rule marked safe and a system actor that may read, update and delete the
entity's records; `to:` names roles (a clean-up is about the entity, not one record)."""

from __future__ import annotations

from typing import Any

from guanxi.checks.registry import Context, register, suggest
from guanxi.language.tree import LocDict, loc_at
from guanxi.spec import ActionSpec, EntitySpec, Loc, ScheduleSpec

DUPLICATES = "duplicates"
MERGES = ("safe", "never")


def _loc(data: Any, *keys: str) -> Loc | None:
    return loc_at(data, *keys) if isinstance(data, LocDict) else None


@register(87)
def check_safe_rules(ctx: Context) -> None:
    """A rule marked safe has no fuzzy fields."""
    for entity in ctx.spec.entities:
        data = ctx.raw.entities.get(entity.name)
        for index, rule in enumerate(entity.duplicates):
            if rule.safe and rule.fuzzy:
                ctx.add("GX813", loc_at(data, "duplicates", index, "safe") or rule.loc,
                        "remove 'safe: true', or the rule's 'fuzzy:'",
                        entity=entity.name, name=rule.fuzzy[0][0])


def _elsewhere(entity: EntitySpec) -> list[tuple[str, tuple[ActionSpec, ...]]]:
    """The actions of an entity's SLA steps and reminders, with where they are."""
    out: list[tuple[str, tuple[ActionSpec, ...]]] = []
    for sla in entity.sla:
        out.append((f"sla '{sla.name}' of {entity.name}", sla.warn))
        out.extend((f"sla '{sla.name}' of {entity.name}", step.actions)
                   for step in sla.breach)
    out.extend((f"reminder '{r.name}' of {entity.name}", r.actions)
               for r in entity.reminders)
    return out


@register(88)
def check_duplicates_actions(ctx: Context) -> None:
    spec = ctx.spec
    for entity in spec.entities:
        for where, actions in _elsewhere(entity):
            for action in actions:
                if action.do == DUPLICATES:
                    ctx.add("GX814", action.loc, "run the clean-up from a schedule of its own",
                            where=where)
    for schedule in spec.schedules:
        if any(a.do == DUPLICATES for a in schedule.actions):
            _check_schedule(ctx, schedule)


def _check_schedule(ctx: Context, schedule: ScheduleSpec) -> None:
    spec = ctx.spec
    raw = ctx.raw.automation
    where = f"rule '{schedule.name}'"
    action = next(a for a in schedule.actions if a.do == DUPLICATES)
    at = _loc(raw, schedule.name) or schedule.loc
    if len(schedule.actions) > 1:
        ctx.add("GX814", action.loc, "move the other actions to a schedule of their own",
                where=where)
    entity = spec.entity(schedule.entity)
    if entity is None:
        return  # reported with the schedule (GX823)
    if not entity.duplicates:
        ctx.add("GX815", _loc(raw, schedule.name, "entity") or at,
                "add 'duplicates:' rules to the entity", where=where, entity=entity.name)
        return
    for name in action.to:
        if spec.role(name) is None:
            ctx.add("GX819", _loc(raw, schedule.name, "to") or at,
                    suggest(name, [r.name for r in spec.roles], "roles"), where=where,
                    name=name)
    merge = action.merge or "never"
    merge_at = _loc(raw, schedule.name, "merge") or _loc(raw, schedule.name, "do") or at
    if merge not in MERGES:
        ctx.add("GX816", merge_at, "write merge: safe, or leave it out to only report",
                where=where, value=merge)
        return
    if merge != "safe":
        return
    if not any(rule.safe for rule in entity.duplicates):
        ctx.add("GX817", merge_at, "mark an exact rule 'safe: true'", where=where,
                entity=entity.name)
    if not _system_may_merge(ctx, entity.name):
        ctx.add("GX818", merge_at,
                f"grant the system actor {{{entity.name}: "
                "{read: all, update: all, delete: all}}",
                where=where, entity=entity.name)


def _system_may_merge(ctx: Context, entity: str) -> bool:
    system = ctx.project.get("system")
    grants = system.get("grants") if isinstance(system, dict) else None
    granted = grants.get(entity) if isinstance(grants, dict) else None
    if not isinstance(granted, dict):
        return False
    return all(granted.get(op) not in (None, "none", False) for op in ("read", "update", "delete"))

