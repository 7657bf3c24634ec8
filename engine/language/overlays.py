"""Merging located YAML: an overlay onto its base, a workflow onto the one it extends.

Mappings merge key by key (recursively) and keep the location of whichever layer wrote
each key; anything else is replaced. Nothing here changes its inputs.
"""

from __future__ import annotations

from typing import Any

from guanxi.language.yamlload import LocDict, LocList


def merge(base: Any, over: Any) -> Any:
    """`over` merged onto `base`: mappings key by key (recursively), anything else
    replaced. Neither input is changed."""
    if not (isinstance(base, LocDict) and isinstance(over, LocDict)):
        return over
    out = copy_dict(base)
    for key, value in over.items():
        if key in out and isinstance(out[key], LocDict) and isinstance(value, LocDict):
            out.put(key, merge(out[key], value), out.key_loc(key), out.value_loc(key))
        else:
            out.put(key, value, over.key_loc(key), over.value_loc(key))
    return out


def copy_dict(data: LocDict) -> LocDict:
    out = LocDict(data.loc)
    for key, value in data.items():
        out.put(key, value, data.key_loc(key), data.value_loc(key))
    return out


def merge_workflow(base: Any, over: Any) -> Any:
    """Like `merge`, with states given as lists made mappings first and timers merged by
    name."""
    base, over = normalize_workflow(base), normalize_workflow(over)
    merged = merge(base, over)
    if isinstance(merged, LocDict) and isinstance(base, LocDict) and \
            isinstance(over, LocDict) and isinstance(base.get("timers"), LocList) and \
            isinstance(over.get("timers"), LocList):
        merged.put("timers", _merge_timers(base["timers"], over["timers"]),
                       over.key_loc("timers"), over.value_loc("timers"))
    return merged


def normalize_workflow(data: Any) -> Any:
    """The workflow with `states: [a, b]` written as `states: {a: {}, b: {}}` and empty
    state definitions as empty mappings."""
    if not isinstance(data, LocDict):
        return data
    states = data.get("states")
    if isinstance(states, LocList) and all(isinstance(s, str) for s in states):
        mapping = LocDict(states.loc)
        for index, item in enumerate(states):
            if isinstance(item, str) and item not in mapping:
                loc = states.item_loc(index)
                mapping.put(item, LocDict(loc), loc, loc)
        data = copy_dict(data)
        data.put("states", mapping, data.key_loc("states"), data.value_loc("states"))
    elif isinstance(states, LocDict) and any(v is None for v in states.values()):
        mapping = copy_dict(states)
        for name, value in states.items():
            if value is None:
                loc = states.value_loc(name)
                mapping.put(name, LocDict(loc), states.key_loc(name), loc)
        data = copy_dict(data)
        data.put("states", mapping, data.key_loc("states"), data.value_loc("states"))
    return data


def timer_name(timer: Any, index: int) -> str:
    """A timer's name: as given, else `<state>_after_<after>`, else `timer_<n>`."""
    if isinstance(timer, LocDict):
        name = timer.get("name")
        if isinstance(name, str):
            return name
        state, after = timer.get("in"), timer.get("after")
        if isinstance(state, str) and isinstance(after, str | int) and \
                not isinstance(after, bool):
            return f"{state}_after_{after}"
    return f"timer_{index + 1}"


def _merge_timers(base: LocList, over: LocList) -> LocList:
    out = LocList(over.loc)
    names = [timer_name(t, i) for i, t in enumerate(base)]
    items = list(zip(names, base, base.item_locs))
    for index, timer in enumerate(over):
        name = timer_name(timer, index)
        loc = over.item_loc(index)
        for position, (existing, value, _) in enumerate(items):
            if existing == name:
                items[position] = (name, merge(value, timer), loc)
                break
        else:
            items.append((name, timer, loc))
    for _, value, loc in items:
        out.add(value, loc)
    return out
