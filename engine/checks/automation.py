"""Checks of automation: calendars, workflow timers' recipients and calendars, SLA
policies, actions, assignment rules and schedules. Every name must resolve (calendar,
entity, field, role, transition), every expression type-check on its entity, and every
`every:` be a cron expression or a duration; problems are located, with a hint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guanxi.automation.calendar import known_country
from guanxi.automation.cron import valid_cron
from guanxi.automation.recipients import MANAGER_OF
from guanxi.checks.expressions import check_expression
from guanxi.checks.registry import Context, register, suggest
from guanxi.expr import Scope
from guanxi.language.automation import periods
from guanxi.language.tree import LocDict
from guanxi.spec import (
    ActionSpec,
    AssignmentSpec,
    EntitySpec,
    Loc,
    ProjectSpec,
    ScheduleSpec,
)

USER_KINDS = ("user",)


def _raw(data: Any, *keys: str) -> LocDict | None:
    for key in keys:
        if not isinstance(data, LocDict) or key not in data:
            return None
        data = data[key]
    return data if isinstance(data, LocDict) else None


def _at(data: LocDict | None, key: str, default: Loc) -> Loc:
    return data.value_loc(key) if data is not None and key in data else default


def user_path(spec: ProjectSpec, entity: EntitySpec, path: str) -> str | None:
    """None when `path` (owner, assignee, account.owner) leads to a user from `entity`;
    else the name that does not resolve."""
    current: EntitySpec | None = entity
    hops = path.split(".")
    for index, hop in enumerate(hops):
        if current is None:
            return hop
        last = index == len(hops) - 1
        if hop in ("owner", "created_by") and last:
            return None
        field = current.field(hop)
        if field is None:
            return hop
        if last:
            return None if field.type in USER_KINDS else hop
        if field.ref is None:
            return hop
        current = spec.entity(field.ref)
    return hops[-1]


def _user_fields(entity: EntitySpec) -> list[str]:
    return ["owner", *(f.name for f in entity.fields if f.type in USER_KINDS)]


@register(70)
def check_calendars(ctx: Context) -> None:
    spec = ctx.spec
    # The project's own time_zone is checked by guanxi.checks.zones (GX334).
    zones: list[tuple[str, str, Loc]] = []
    raw = _raw(ctx.project, "calendars")
    for calendar in spec.calendars:
        body = _raw(raw, calendar.name)
        zones.append((calendar.name, calendar.time_zone,
                      _at(body, "time_zone", calendar.loc)))
        if calendar.holidays is not None and not known_country(calendar.holidays):
            ctx.add("GX827", _at(body, "holidays", calendar.loc),
                    "give a country code of the holidays library, such as CN, US or DE",
                    calendar=calendar.name,
                    detail=f"unknown holiday country '{calendar.holidays}'")
        for date in (*calendar.extra_holidays, *calendar.extra_workdays):
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                ctx.add("GX827", calendar.loc, "write dates as \"YYYY-MM-DD\"",
                        calendar=calendar.name, detail=f"'{date}' is not a date")
        week = _raw(body, "week")
        if week is not None:
            for key, hours in week.items():
                if not isinstance(hours, str) or _bad_hours(hours):
                    ctx.add("GX827", week.value_loc(key),
                            "write hours as \"09:00-18:00\" or \"09:00-12:00, 13:00-18:00\"",
                            calendar=calendar.name, detail=f"cannot read the hours '{hours}'")
    for owner, zone, loc in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.add("GX827", loc, "give an IANA time zone such as Asia/Shanghai or UTC",
                    calendar=owner, detail=f"unknown time zone '{zone}'")


def _bad_hours(text: str) -> bool:
    return periods(text) is None


@register(71)
def check_timers(ctx: Context) -> None:
    """Workflow timers: `calendar:` exists; `to:` is a role, owner or a user field of
    every entity using the workflow; `when:` type-checks on each."""
    spec = ctx.spec
    calendars = [c.name for c in spec.calendars]
    roles = [r.name for r in spec.roles]
    for workflow in spec.workflows:
        users = [e for e in spec.entities if e.workflow == workflow.name]
        for timer in workflow.timers:
            where = f"timer '{timer.name}'"
            if timer.calendar is not None and spec.calendar(timer.calendar) is None:
                ctx.add("GX821", timer.loc, suggest(timer.calendar, calendars, "calendars"),
                        where=where, name=timer.calendar)
            for entity in users:
                scope = Scope.for_entity(spec, entity)
                check_expression(ctx, timer.when, timer.when_loc, scope, "boolean",
                                 f"for entity '{entity.name}': ")
                target = timer.target.removeprefix(MANAGER_OF).strip()
                if timer.action == "notify" and timer.target and \
                        spec.role(timer.target) is None and spec.team(timer.target) is None \
                        and user_path(spec, entity, target) is not None:
                    ctx.add("GX508", timer.loc,
                            suggest(timer.target, [*roles, *_user_fields(entity)],
                                    "roles and user fields"),
                            timer=timer.name, name=timer.target)


def check_actions(ctx: Context, entity: EntitySpec, actions: tuple[ActionSpec, ...],
                  where: str) -> None:
    """Each action's names resolve on `entity`, its expressions type-check."""
    spec = ctx.spec
    scope = Scope.for_entity(spec, entity)
    for action in actions:
        if action.do == "notify" or (action.do == "assign" and not action.round_robin):
            if not action.to:
                ctx.add("GX830", action.loc, "add 'to: <role or user field>'", where=where,
                        detail=f"do: {action.do} needs 'to'")
            for name in action.to:
                if action.do == "notify" and (spec.role(name) is not None
                                              or spec.team(name) is not None):
                    continue
                if action.do == "notify" and name.startswith(MANAGER_OF):
                    name = name[len(MANAGER_OF):].strip()
                if user_path(spec, entity, name) is not None:
                    ctx.add("GX822", action.loc, suggest(
                        name, [r.name for r in spec.roles] + _user_fields(entity),
                        "roles and user fields"), where=where, name=name)
        if action.do == "assign":
            if action.field and user_path(spec, entity, action.field) is not None:
                ctx.add("GX824", action.loc, suggest(action.field, _user_fields(entity),
                                                     "user fields"),
                        where=where, name=action.field, entity=entity.name)
            if action.round_robin and spec.role(action.round_robin) is None:
                ctx.add("GX829", action.loc, suggest(action.round_robin,
                                                     [r.name for r in spec.roles], "roles"),
                        where=where, name=action.round_robin)
        if action.do == "fire":
            workflow = spec.workflow(entity.workflow or "")
            names = [t.name for t in workflow.transitions] if workflow else []
            if not action.transition or action.transition not in names:
                ctx.add("GX825", action.loc, suggest(action.transition, names, "transitions"),
                        where=where, name=action.transition or "")
        target = entity
        if action.do == "create":
            made = spec.entity(action.entity or "")
            if made is None:
                ctx.add("GX823", action.loc, suggest(action.entity,
                                                     [e.name for e in spec.entities],
                                                     "entities"),
                        where=where, name=action.entity or "")
                continue
            target = made
        for name, text in action.values:
            field = target.field(name)
            if field is None and name != "owner":
                ctx.add("GX824", action.loc, suggest(name, [f.name for f in target.fields],
                                                     "fields"),
                        where=where, name=name, entity=target.name)
            check_expression(ctx, text, action.loc, scope, None,
                             f"{where}, {name}: ")


@register(72)
def check_slas(ctx: Context) -> None:
    spec = ctx.spec
    calendars = [c.name for c in spec.calendars]
    for entity in spec.entities:
        scope = Scope.for_entity(spec, entity)
        for sla in entity.sla:
            raw = _raw(ctx.raw.entities, entity.name, "sla", sla.name)
            where = f"SLA '{sla.name}' of {entity.name}"
            if not sla.targets:
                ctx.add("GX828", _at(raw, "target", sla.loc),
                        "give a duration (12h) or one per value: {high: 4h, default: 1d}",
                        where=where)
            if sla.calendar is not None and spec.calendar(sla.calendar) is None:
                ctx.add("GX821", _at(raw, "calendar", sla.loc),
                        suggest(sla.calendar, calendars, "calendars"),
                        where=where, name=sla.calendar)
            if entity.field(sla.by) is None and len(sla.targets) > 1:
                ctx.add("GX824", _at(raw, "by", sla.loc),
                        suggest(sla.by, [f.name for f in entity.fields], "fields"),
                        where=where, name=sla.by, entity=entity.name)
            for key, text in (("when", sla.when), ("pause_when", sla.pause_when),
                              ("stop_when", sla.stop_when)):
                check_expression(ctx, text, _at(raw, key, sla.loc), scope, "boolean")
            check_actions(ctx, entity, sla.warn, where)
            for step in sla.breach:
                check_actions(ctx, entity, step.actions, where)


@register(74)
def check_reminders(ctx: Context) -> None:
    spec = ctx.spec
    for entity in spec.entities:
        scope = Scope.for_entity(spec, entity)
        for reminder in entity.reminders:
            raw = _raw(ctx.raw.entities, entity.name, "reminders", reminder.name)
            where = f"reminder '{reminder.name}' of {entity.name}"
            field = entity.field(reminder.field)
            if field is None or field.type not in ("date", "datetime"):
                ctx.add("GX832", _at(raw, "field", reminder.loc), suggest(
                    reminder.field, [f.name for f in entity.fields
                                     if f.type in ("date", "datetime")], "date fields"),
                        where=where, name=reminder.field, entity=entity.name)
            check_expression(ctx, reminder.when, _at(raw, "when", reminder.loc), scope,
                             "boolean")
            check_actions(ctx, entity, reminder.actions, where)


@register(73)
def check_rules(ctx: Context) -> None:
    spec = ctx.spec
    entities = [e.name for e in spec.entities]
    rules: list[AssignmentSpec | ScheduleSpec] = [*spec.assignments, *spec.schedules]
    for rule in rules:
        raw = _raw(ctx.raw.automation, rule.name)
        where = f"rule '{rule.name}'"
        entity = spec.entity(rule.entity)
        if entity is None:
            ctx.add("GX823", _at(raw, "entity", rule.loc),
                    suggest(rule.entity, entities, "entities"), where=where, name=rule.entity)
            continue
        scope = Scope.for_entity(spec, entity)
        check_expression(ctx, rule.when, _at(raw, "when", rule.loc), scope, "boolean")
        if isinstance(rule, AssignmentSpec):
            _check_assignment(ctx, rule, entity, raw, where)
        else:
            _check_schedule(ctx, rule, entity, raw, where)


def _check_assignment(ctx: Context, rule: AssignmentSpec, entity: EntitySpec, raw: LocDict | None,
                      where: str) -> None:
    spec = ctx.spec
    if spec.role(rule.role) is None:
        ctx.add("GX829", _at(raw, "to", rule.loc),
                suggest(rule.role, [r.name for r in spec.roles], "roles"),
                where=where, name=rule.role)
    if rule.team is not None and spec.team(rule.team) is None:
        ctx.add("GX831", _at(raw, "to", rule.loc),
                suggest(rule.team, [t.name for t in spec.teams], "teams"),
                where=where, name=rule.team)
    if user_path(spec, entity, rule.field) is not None or "." in rule.field:
        ctx.add("GX824", _at(raw, "field", rule.loc),
                suggest(rule.field, _user_fields(entity), "user fields"),
                where=where, name=rule.field, entity=entity.name)
    workflow = spec.workflow(entity.workflow or "")
    names = {t.name for t in workflow.transitions} if workflow else set()
    for on in rule.on:
        if on != "create" and on not in names:
            ctx.add("GX825", _at(raw, "on", rule.loc),
                    suggest(on, ["create", *names], "events"), where=where, name=on)


def _check_schedule(ctx: Context, rule: ScheduleSpec, entity: EntitySpec, raw: LocDict | None,
                    where: str) -> None:
    if rule.every_seconds is None:
        problem = valid_cron(rule.every)
        if problem is not None:
            ctx.add("GX826", _at(raw, "every", rule.loc),
                    "write five cron fields, e.g. \"0 9 * * MON\", or a duration such as 1d",
                    where=where, value=rule.every, detail=problem)
    if not rule.actions:
        ctx.add("GX830", _at(raw, "do", rule.loc), "add 'do:' with the actions",
                where=where, detail="a schedule needs actions")
    check_actions(ctx, entity, rule.actions, where)
