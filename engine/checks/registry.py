"""The registry of project checks, and the Context they share.

A check is a function of the Context that adds located diagnostics to it. Each topic
module registers its checks with `@register(order)` (as `django.core.checks` does), and
`guanxi.checks.run` imports the topic modules and runs every registered check, in order:
schema (structure), entities (fields, rules, access, roles), workflows, expressions.

To add a check: write `def check_x(ctx: Context) -> None` in the topic module it belongs
to (or a new one, imported by `guanxi.checks.run`), decorate it with `@register(order)`,
and give its problem an id in `guanxi.diagnostics`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from guanxi.diagnostics import Diagnostic, diag
from guanxi.language.raw import RawProject, Removal
from guanxi.language.tree import LocDict, LocList
from guanxi.spec import Loc, ProjectSpec

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME = 63


def suggest(name: object, known: Iterable[str], what: str) -> str:
    """"did you mean 'x'?" when a known name is close, else the known names."""
    names = sorted(set(known))
    close = difflib.get_close_matches(str(name), names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if not names:
        return f"there are no {what}"
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    return f"the {what} are: {shown}"


@dataclass
class Context:
    """What the checks share: the data, the spec and the problems found so far."""

    raw: RawProject
    spec: ProjectSpec
    found: list[Diagnostic] = field(default_factory=list)
    # Places whose problems are consequences of one already reported there:
    # (file, first (line, col), last (line, col)), and the id that explains them.
    quiet: list[tuple[str, tuple[int, int], tuple[int, int], str]] = field(
        default_factory=list)

    @property
    def project(self) -> LocDict:
        """The merged guanxi.yaml (checks run only on a project that has one)."""
        assert self.raw.project is not None, "a project is checked only once read"
        return self.raw.project

    def add(self, problem_id: str, loc: Loc, hint: str | None = None, **params: Any) -> None:
        self.found.append(diag(problem_id, loc, hint, **params))

    def removal(self, what: str, owner: str | None, name: str) -> Removal | None:
        for removal in self.raw.removals:
            if (removal.what, removal.owner, removal.name) == (what, owner, name):
                return removal
        return None

    def unknown(self, what: str, owner: str | None, used: str, loc: Loc,
                problem_id: str, hint: str | None, **params: Any) -> None:
        """Report a use of a name that does not exist; when an overlay removed it, say so
        at both places."""
        removal = self.removal(what, owner, used)
        if removal is None:
            self.add(problem_id, loc, hint, **params)
            return
        shown = f"{owner}.{used}" if owner else used
        for place in (loc, removal.loc):
            self.add("GX704", place, "keep it, or change what still uses it", what=what,
                     name=shown, removed=removal.loc, used=loc)

    def check_name(self, name: object, loc: Loc, what: str) -> bool:
        """Report a name that is not a lowercase identifier; True when it is one."""
        text = str(name)
        if isinstance(name, str) and NAME_RE.fullmatch(text) and len(text) <= MAX_NAME:
            return True
        if len(text) > MAX_NAME:
            hint = f"use at most {MAX_NAME} characters"
        else:
            fixed = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
            if fixed and not fixed[0].isalpha():
                fixed = "x_" + fixed
            hint = f"use lowercase letters, digits and _, starting with a letter, " \
                   f"e.g. '{fixed or 'name'}'"
        self.add("GX301", loc, hint, name=text, what=what)
        return False

    def names_in(self, data: LocDict, key: str) -> list[tuple[str, Loc]]:
        """The names listed under `key` (a name or a list of names) with their places."""
        value = data.get(key)
        if isinstance(value, str):
            return [(value, data.value_loc(key))]
        if isinstance(value, LocList):
            return [(item, value.item_loc(i)) for i, item in enumerate(value)
                    if isinstance(item, str)]
        return []

    def text_of(self, file: str) -> str:
        return self.raw.text_of(file)


Check = Callable[[Context], None]


@dataclass(frozen=True, slots=True)
class Registered:
    """A check and where it runs among the others (lower first; equal: as registered)."""

    order: int
    check: Check


CHECKS: list[Registered] = []


def register(order: int) -> Callable[[Check], Check]:
    """Register the decorated function as a check run at `order`."""

    def decorate(check: Check) -> Check:
        CHECKS.append(Registered(order, check))
        return check

    return decorate


def run_checks(ctx: Context) -> list[Diagnostic]:
    """Run every registered check on `ctx`, in order; the problems found."""
    for registered in sorted(CHECKS, key=lambda r: r.order):
        registered.check(ctx)
    return [d for d in ctx.found if not _quieted(ctx, d)]


def _quieted(ctx: Context, found: Diagnostic) -> bool:
    at = (found.loc.line, found.loc.col)
    return any(file == found.loc.file and first <= at <= last and found.id != explained
               for file, first, last, explained in ctx.quiet)


# What a dependency graph's nodes may be: field names, or (entity, field) pairs.
NodeT = TypeVar("NodeT", bound="SupportsRichComparison")


def find_cycle(edges: Mapping[NodeT, set[NodeT]], start: NodeT) -> list[NodeT] | None:
    """A path from `start` back to itself along `edges` (node → the nodes it uses),
    `[start, …, start]`, or None; nodes without edges of their own are leaves."""
    todo: list[tuple[NodeT, list[NodeT]]] = [(start, [start])]
    seen: set[NodeT] = set()
    while todo:
        node, chain = todo.pop()
        for used in sorted(edges.get(node, ())):
            if used == start:
                return [*chain, start]
            if used in edges and used not in seen:
                seen.add(used)
                todo.append((used, [*chain, used]))
    return None
