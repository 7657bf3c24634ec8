"""Building the automation keys: actions (`do:`), business calendars (`calendars:` in
guanxi.yaml), SLA clocks (`sla:` in an entity), assignment rules and scheduled actions
(automation/*.yaml). Like the rest of building, it never fails: wrong shapes are skipped
and reported by `guanxi check` (`guanxi.checks.automation`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from guanxi.language.durations import parse_duration
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import (
    ActionSpec,
    AssignmentSpec,
    CalendarSpec,
    Loc,
    ReminderSpec,
    ScheduleSpec,
    SlaSpec,
    SlaStep,
    TeamSpec,
    Text,
)

ACTIONS = ("notify", "fire", "set", "create", "assign", "duplicates")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"([0-2]?[0-9]):([0-5][0-9])\s*-\s*([0-2]?[0-9]):([0-5][0-9])")

TextOf = Callable[[Any], Text]


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(x) for x in value if isinstance(x, str))
    return ()


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((str(k), str(v)) for k, v in value.items()
                 if isinstance(v, str | int | float) and not isinstance(v, bool))


def _text_value(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def action(value: Any, loc: Loc, text: TextOf) -> ActionSpec | None:
    """One action: `{do: notify, to: assignee, message: …}`, `{do: fire, transition: x}`,
    `{do: set, set: {f: expr}}`, `{do: create, entity: e, values: {f: expr}}`,
    `{do: assign, field: assignee, to: account.owner | round_robin: role}`; `do:` may
    also be a mapping (`do: {create: activity, values: …}`)."""
    if not isinstance(value, dict):
        return None
    data = dict(value)
    do = data.get("do")
    if isinstance(do, dict):
        data.update(do)
        do = next((name for name in ACTIONS if name in do), None)
        if do is not None:
            target = do_value = data.get(do)
            key = {"create": "entity", "fire": "transition", "notify": "to",
                   "assign": "field", "set": "set", "duplicates": "merge"}[do]
            data[key] = target if do != "set" else do_value
    if do not in ACTIONS:
        return None
    values = data.get("values") if do == "create" else data.get("set")
    return ActionSpec(
        do=str(do), loc=loc,
        to=_names(data.get("to")),
        message=text(data.get("message")),
        transition=_text_value(data.get("transition")),
        values=_pairs(values),
        entity=_text_value(data.get("entity")),
        field=_text_value(data.get("field")) or ("assignee" if do == "assign" else None),
        round_robin=_text_value(data.get("round_robin")),
        merge=_text_value(data.get("merge")) if do == "duplicates" else None,
    )


def actions(value: Any, loc: Loc, text: TextOf) -> tuple[ActionSpec, ...]:
    """An action, or a list of them (`do:` lists)."""
    if isinstance(value, LocList):
        found = (action(item, value.item_loc(i), text) for i, item in enumerate(value))
        return tuple(a for a in found if a is not None)
    one = action(value, loc, text)
    return (one,) if one is not None else ()


def periods(value: Any) -> tuple[tuple[int, int], ...] | None:
    """"09:00-12:00, 13:00-18:00" → ((540, 720), (780, 1080)); None if malformed."""
    if not isinstance(value, str):
        return None
    out = []
    for part in value.split(","):
        match = _PERIOD.fullmatch(part.strip())
        if match is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not 0 <= start < end <= 24 * 60:
            return None
        out.append((start, end))
    return tuple(sorted(out))


def days(key: Any) -> tuple[int, ...] | None:
    """"mon-fri" → (0, 1, 2, 3, 4); "sat" → (5,); None if not days."""
    if not isinstance(key, str):
        return None
    first, _, last = key.strip().lower().partition("-")
    if first not in DAYS or (last and last not in DAYS):
        return None
    a, b = DAYS.index(first), DAYS.index(last or first)
    return tuple(range(a, b + 1)) if a <= b else None


def calendars(data: Any, time_zone: str) -> tuple[CalendarSpec, ...]:
    if not isinstance(data, LocDict):
        return ()
    out = []
    for name, value in data.items():
        body = value if isinstance(value, LocDict) else LocDict(data.key_loc(name))
        week: dict[int, tuple[tuple[int, int], ...]] = {}
        given = body.get("week")
        if isinstance(given, dict):
            for key, hours in given.items():
                for day in days(key) or ():
                    week[day] = periods(hours) or ()
        holidays = body.get("holidays")
        out.append(CalendarSpec(
            name=str(name), loc=data.key_loc(name),
            time_zone=str(body.get("time_zone") or time_zone),
            week=tuple(sorted(week.items())),
            holidays=str(holidays) if isinstance(holidays, str) else None,
            extra_holidays=tuple(str(d) for d in body.get("extra_holidays") or ()
                                 if not isinstance(d, dict | list)),
            extra_workdays=tuple(str(d) for d in body.get("extra_workdays") or ()
                                 if not isinstance(d, dict | list)),
        ))
    return tuple(out)


def teams(data: Any, text: TextOf) -> tuple[TeamSpec, ...]:
    """`teams:` in guanxi.yaml: name → {label, manager, members}."""
    if not isinstance(data, LocDict):
        return ()
    out = []
    for name, value in data.items():
        body = value if isinstance(value, LocDict) else LocDict(data.key_loc(name))
        out.append(TeamSpec(name=str(name), loc=data.key_loc(name),
                            label=text(body.get("label")) or {"en": str(name)},
                            manager=_text_value(body.get("manager")),
                            members=_names(body.get("members"))))
    return tuple(out)


def _share(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if 0 < value < 1 else None
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            return None
        return share if 0 < share < 1 else None
    return None


def _targets(value: Any) -> tuple[tuple[str, int], ...]:
    if isinstance(value, dict):
        found = ((str(k), parse_duration(v)) for k, v in value.items())
        return tuple((k, s) for k, s in found if s is not None)
    seconds = parse_duration(value)
    return (("default", seconds),) if seconds is not None else ()


def slas(data: Any, text: TextOf) -> tuple[SlaSpec, ...]:
    """An entity's `sla:`: name → policy."""
    if not isinstance(data, LocDict):
        return ()
    out = []
    for name, value in data.items():
        if not isinstance(value, LocDict):
            continue
        loc = data.key_loc(name)
        steps = []
        breach = value.get("breach")
        items = breach if isinstance(breach, LocList) else ()
        for index, step in enumerate(items):
            if not isinstance(step, LocDict):
                continue
            at = items.item_loc(index)  # type: ignore[union-attr]
            steps.append(SlaStep(at, parse_duration(step.get("after", 0)) or 0,
                                 actions(step, at, text)))
        warn = value.get("warn")
        out.append(SlaSpec(
            name=str(name), loc=loc,
            targets=_targets(value.get("target")),
            by=str(value.get("by") or "priority"),
            when=_text_value(value.get("when")),
            pause_when=_text_value(value.get("pause_when")),
            stop_when=_text_value(value.get("stop_when")),
            calendar=_text_value(value.get("calendar")),
            warn_at=_share(value.get("warn_at")),
            warn=actions(warn, value.value_loc("warn") if "warn" in value else loc, text),
            breach=tuple(steps),
        ))
    return tuple(out)


def reminders(data: Any, text: TextOf) -> tuple[ReminderSpec, ...]:
    """An entity's `reminders:`: name → {field, before, when, do …}."""
    if not isinstance(data, LocDict):
        return ()
    out = []
    for name, value in data.items():
        if not isinstance(value, LocDict):
            continue
        loc = data.key_loc(name)
        out.append(ReminderSpec(
            name=str(name), loc=loc, field=str(value.get("field") or ""),
            before_seconds=parse_duration(value.get("before", 0)) or 0,
            actions=actions(value.get("do") if isinstance(value.get("do"), LocList)
                            else value, loc, text),
            when=_text_value(value.get("when")),
        ))
    return tuple(out)


def assignments(data: LocDict) -> tuple[AssignmentSpec, ...]:
    """The rules of automation/*.yaml with `on:` (assignment)."""
    out = []
    for name, value in data.items():
        if not isinstance(value, LocDict) or "on" not in value:
            continue
        to = value.get("to")
        to = to if isinstance(to, dict) else {}
        method = "least_open" if "least_open" in to else "round_robin"
        out.append(AssignmentSpec(
            name=str(name), loc=data.key_loc(name),
            entity=str(value.get("entity") or ""),
            on=_names(value.get("on")),
            role=str(to.get(method) or ""),
            field=str(value.get("field") or "assignee"),
            method=method,
            when=_text_value(value.get("when")),
            team=_text_value(to.get("team")),
        ))
    return tuple(out)


def schedules(data: LocDict, text: TextOf) -> tuple[ScheduleSpec, ...]:
    """The rules of automation/*.yaml with `every:` (scheduled actions)."""
    out = []
    for name, value in data.items():
        if not isinstance(value, LocDict) or "every" not in value:
            continue
        every = value.get("every")
        loc = data.key_loc(name)
        out.append(ScheduleSpec(
            name=str(name), loc=loc, every=str(every),
            entity=str(value.get("entity") or ""),
            actions=actions(value.get("do") if isinstance(value.get("do"), LocList)
                            else value, value.value_loc("do") if "do" in value else loc,
                            text),
            when=_text_value(value.get("when")),
            every_seconds=parse_duration(every),
        ))
    return tuple(out)
