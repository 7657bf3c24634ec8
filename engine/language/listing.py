"""Reading an entity's list and board keys: shared views (`views:`) and the board's
cards (`board:`). The checker (`checks/listing.py`) reports what cannot be used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guanxi.language.tree import LocDict
from guanxi.spec import BoardSpec, Text, ViewSpec

TextOf = Callable[..., Text]


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(x for x in value if isinstance(x, str))
    return ()


def filter_text(value: Any) -> str:
    """A view's filter value as a query string carries it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def views(value: Any, text: TextOf) -> tuple[ViewSpec, ...]:
    """`views: {name: {label, roles, filters, columns, sort}}`."""
    if not isinstance(value, LocDict):
        return ()
    out = []
    for name, item in value.items():
        data = item if isinstance(item, LocDict) else LocDict(value.key_loc(name))
        filters = data.get("filters")
        sort = data.get("sort")
        out.append(ViewSpec(
            name=str(name), loc=value.key_loc(name),
            label=text(data.get("label"), str(name)),
            roles=_names(data.get("roles")),
            filters=tuple((str(k), filter_text(v)) for k, v in filters.items())
            if isinstance(filters, LocDict) else (),
            columns=_names(data.get("columns")),
            sort=sort if isinstance(sort, str) else None,
        ))
    return tuple(out)


def board(value: Any) -> BoardSpec:
    """`board: {card: [fields], sum: field}`."""
    if not isinstance(value, LocDict):
        return BoardSpec()
    total = value.get("sum")
    return BoardSpec(card=_names(value.get("card")),
                     sum=total if isinstance(total, str) else None)
