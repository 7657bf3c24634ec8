"""Expressions YAML cut at commas: `{compute: days_between(a, today())}` is, to YAML, the
mapping {compute: "days_between(a", "today())": null}. One error says to quote the
expression, and the problems that follow from the cut (the broken expression, the
unknown key `today())`) are not reported."""

from __future__ import annotations

from typing import Any

from guanxi.checks.registry import Context, register
from guanxi.language.tree import LocDict, LocList


def depth(text: str) -> int:
    """How many more '(' and '[' than ')' and ']' the text has, outside quotes."""
    level, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            level += 1
        elif ch in ")]":
            level -= 1
    return level


@register(5)
def check_cut_expressions(ctx: Context) -> None:
    """Report each expression cut at a comma once, and quiet what follows from it."""
    todo: list[Any] = [ctx.raw.entities, ctx.raw.workflows]
    if ctx.raw.project is not None:
        todo.append(ctx.raw.project)
    while todo:
        data = todo.pop()
        if isinstance(data, LocList):
            todo.extend(data)
        elif isinstance(data, LocDict):
            todo.extend(data.values())
            _cuts_in(ctx, data)


def _cuts_in(ctx: Context, data: LocDict) -> None:
    keys = list(data)
    for index, key in enumerate(keys):
        value = data[key]
        if not isinstance(value, str) or depth(value) <= 0:
            continue
        level, pieces = depth(value), []
        for later in keys[index + 1:]:
            if data[later] is not None or not isinstance(later, str):
                break
            pieces.append(later)
            level += depth(later)
            if level <= 0:
                break
        if not pieces or level != 0:
            continue
        text = ", ".join([value, *pieces])
        start, last = data.value_loc(key), data.key_loc(pieces[-1])
        ctx.add("GX403", start, f'write {key}: "{text}"', text=text)
        ctx.quiet.append((start.file, (start.line, start.col),
                          (last.line, last.col + len(pieces[-1])), "GX403"))
