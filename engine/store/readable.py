"""Which fields a path or an expression reads, on every hop, and whether a user may read
them all.

A path starts on one entity and may follow references: `annual_revenue` on an account,
`account.annual_revenue` on a contact, `opportunity.account.annual_revenue` on an
activity. Each step reads one field of one entity, an (entity, field) pair. A user may
use a path, in a `where` condition, a filter or a sort, only when they can see every one
of those fields: which rows match a condition is an answer about the values it reads,
so a condition on a hidden field, however many hops away, would reveal that value one
comparison at a time. Rows reached through a reference are limited separately, to those
the user may read (`store_query.readable_rows`).

A name that is not a field is refused with the same message as a hidden one, listing
only the fields the user can see, so a refusal tells nothing about hidden fields.

Everything that takes a path or an expression from a user (lists today; reports,
exports, segments and webhooks later) calls `require_readable` before compiling it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from guanxi.compile.app import App
from guanxi.errors import RequestInvalid
from guanxi.expr import Name, Node, Scope, names_in
from guanxi.expr.types import PRINCIPAL_NAMES
from guanxi.identity import User
from guanxi.messages import render

# (entity, field): one field of one entity.
FieldRef = tuple[str, str]
# A path: "account.annual_revenue", ("account", "annual_revenue"), or a parsed expression.
Source = Node | str | Sequence[str]


@dataclass(frozen=True, slots=True)
class PathRead:
    """One path and what it reads.

    parts: the steps as written. hops: the (entity, field) read at each step, as far as
    the steps are fields. unknown: the (entity, name) of the first step that is no field
    of its entity, if any. A path that continues past a field that is not a reference
    stops there without `unknown` (the type checker explains that mistake).
    """

    parts: tuple[str, ...]
    hops: tuple[FieldRef, ...]
    unknown: FieldRef | None = None

    @property
    def text(self) -> str:
        return ".".join(self.parts)


def path_read(scope: Scope, path: str | Sequence[str]) -> PathRead:
    """What `path` reads, starting on `scope.entity`."""
    parts = tuple(path.split(".")) if isinstance(path, str) else tuple(str(p) for p in path)
    hops: list[FieldRef] = []
    entity, fields = scope.entity, scope.fields
    for index, part in enumerate(parts):
        info = fields.get(part)
        if info is None:
            return PathRead(parts, tuple(hops), (entity, part))
        hops.append((entity, part))
        if index + 1 < len(parts):
            target = scope.entities.get(info.ref or "") if info.type == "reference" else None
            if target is None:
                break
            entity, fields = str(info.ref), target
    return PathRead(parts, tuple(hops))


def paths_read(scope: Scope, source: Source) -> tuple[PathRead, ...]:
    """Every path `source` reads (a path, or a parsed expression: each name in it, in the
    order written); `current_user` is no path."""
    if isinstance(source, str) or not isinstance(source, Node):
        return (path_read(scope, source),)
    names: list[Name] = sorted(names_in(source), key=lambda n: n.offset)
    return tuple(path_read(scope, n.parts) for n in names
                 if len(n.parts) > 1 or n.parts[0] not in PRINCIPAL_NAMES)


def fields_read(scope: Scope, source: Source) -> frozenset[FieldRef]:
    """The (entity, field) pairs `source` reads, every hop of every path included."""
    return frozenset(hop for path in paths_read(scope, source) for hop in path.hops)


def visible_names(app: App, user: User, entity: str) -> list[str]:
    """The fields of `entity` the user can see, sorted (none without a read grant)."""
    compiled = app.entity(entity)
    visible = compiled.policy.visible_fields(user)
    return sorted(n for n in compiled.types if n in visible)


def first_unreadable(app: App, user: User, entity: str,
                     source: Source) -> tuple[PathRead, FieldRef] | None:
    """The first path of `source` (on `entity`) with a step the user may not read, and
    that step's (entity, name): a hidden field, a field of an entity they may not read,
    or a name that is no field. None when every step of every path is readable."""
    for path in paths_read(app.entity(entity).scope, source):
        for owner, field in path.hops:
            if field not in app.entity(owner).policy.visible_fields(user):
                return path, (owner, field)
        if path.unknown is not None:
            return path, path.unknown
    return None


def require_readable(app: App, user: User, entity: str, source: Source,
                     what: str = "filter") -> None:
    """Refuse (RequestInvalid, a 400 at the API) a path or expression on `entity` that reads
    a field the user cannot see, on any hop. `what` names the use in the message
    ("filter", "sort", …)."""
    refused = first_unreadable(app, user, entity, source)
    if refused is None:
        return
    path, (owner, name) = refused
    language = user.language
    known = visible_names(app, user, owner)
    close = difflib.get_close_matches(name, known, n=1)
    hint = render("path_did_you_mean", {"name": repr(close[0])}, language) if close else ""
    about = {"what": what, "entity": entity, "path": repr(path.text)}
    if len(path.parts) == 1:
        reason = render("path_no_field", {}, language)
    elif not known:
        raise RequestInvalid(render("path_unreadable_entity", {**about, "owner": owner},
                                    language), code="path_unreadable")
    else:
        reason = render("path_no_field_of", {"owner": owner, "name": repr(name)}, language)
    of = "" if owner == entity else render("path_fields_of", {"owner": owner}, language)
    raise RequestInvalid(render("path_unreadable", {
        **about, "reason": reason, "hint": hint, "of": of, "allowed": known}, language),
        code="path_unreadable")
