"""The project checker: every problem in a project, each located, with a hint.

Checks run on the merged, located YAML (so every problem points at what was written)
and on the built spec (so expressions are checked against the fields the compiler will
see). A project without errors compiles and runs; the checks here cover everything the
compiler relies on. Topic modules: checker_schema (structure), checker_entities (fields,
rules, access, roles), checker_workflows, checker_expr (expressions).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from guanxi.diagnostics import Diagnostic, diag
from guanxi.language.project import RawProject, Removal
from guanxi.language.yamlload import LocDict, LocList
from guanxi.spec import Loc, ProjectSpec

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


def check_project(raw: RawProject, spec: ProjectSpec) -> list[Diagnostic]:
    """Every problem of the project that reading it did not already report."""
    from guanxi.checks import entities as checker_entities
    from guanxi.checks import expressions as checker_expr
    from guanxi.checks import schema as checker_schema
    from guanxi.checks import workflows as checker_workflows

    ctx = Context(raw, spec)
    for source in raw.files:
        if source.kind == "project" and isinstance(source.document.data, LocDict):
            ctx.found.extend(checker_schema.validate("project", source.document.data,
                                                     "guanxi.yaml"))
    ctx.found.extend(checker_schema.validate("entities", raw.entities, "the entities"))
    ctx.found.extend(checker_schema.validate("workflows", raw.workflows, "the workflows"))
    checker_entities.check_project_file(ctx)
    checker_entities.check_roles(ctx)
    checker_entities.check_entities(ctx)
    checker_workflows.check_workflows(ctx)
    checker_expr.check_expressions(ctx)
    checker_entities.check_unused_roles(ctx)
    return ctx.found
