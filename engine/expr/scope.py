"""What names mean on one entity (`Scope`), built once per project, with the project's
expressions parsed and type-checked once.

`Scope.for_entity(project, entity)` gives every caller (the checker, the validators, the
access policies, the transitions) the same Scope for as long as the project lives, so
`scope.checked(text)` parses each text once per project and type-checks it once per
entity. Only the project's own expressions go through `checked`; text from outside (a
`where` filter of a request) is parsed and checked each time, and not kept.
"""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

from guanxi.expr.checked import Checked
from guanxi.expr.lexer import ExprSyntaxError
from guanxi.expr.nodes import Node
from guanxi.expr.parser import parse
from guanxi.expr.types import CURRENT_USER, ExprProblem, FieldInfo
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.spec import EntitySpec, ProjectSpec

# A parsed text, or why it does not parse.
Tree = Node | ExprSyntaxError


def _fields_of(entity: EntitySpec) -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = {}
    for name, type_name in SYSTEM_FIELDS.items():
        fields[name] = FieldInfo(name, type_name, FIELD_TYPES[type_name].kind)
    for spec in entity.fields:
        row = FIELD_TYPES.get(spec.type)
        if row is None or spec.name in SYSTEM_FIELDS:
            continue  # reported by the project checker
        ref = spec.ref if spec.type == "reference" else None
        fields[spec.name] = FieldInfo(spec.name, spec.type, row.kind, ref)
    return fields


@dataclass(frozen=True)
class Scope:
    """The names an expression on one entity may use.

    `fields` are the entity's own (declared and system) fields; `entities` holds every
    entity's fields, so that paths through references (`account.sector`) resolve.
    """

    entity: str
    fields: Mapping[str, FieldInfo]
    entities: Mapping[str, Mapping[str, FieldInfo]] = field(default_factory=dict)
    # Texts parsed, shared by the scopes of one project.
    trees: dict[str, Tree] = field(default_factory=dict, compare=False, repr=False)
    # Texts type-checked on this scope.
    checks: dict[str, Checked] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_entity(cls, project: ProjectSpec, entity: EntitySpec) -> Scope:
        """The scope of `entity`: the project's own (shared, see the module) when the
        entity is the project's; else one of its own, seeing the project's entities."""
        scopes = _scopes_of(project)
        own = scopes.get(entity.name)
        if own is not None and project.entity(entity.name) is entity:
            return own
        tables = {name: scope.fields for name, scope in scopes.items()}
        tables[entity.name] = _fields_of(entity)
        return cls(entity.name, tables[entity.name], tables)

    def checked(self, text: str) -> Checked:
        """`text` parsed and type-checked on this scope, once: later calls give the same."""
        known = self.checks.get(text)
        if known is None:
            known = self.checks[text] = Checked.of(text, self.tree(text), self)
        return known

    def tree(self, text: str) -> Tree:
        """`text` parsed once (shared by the project's scopes), or its syntax error."""
        tree = self.trees.get(text)
        if tree is None:
            try:
                tree = parse(text)
            except ExprSyntaxError as error:
                tree = error
            self.trees[text] = tree
        return tree

    def resolve(self, parts: tuple[str, ...]) -> tuple[FieldInfo, ...] | ExprProblem:
        """The field read at each step of a path, or the problem with it (its offset is
        counted from the start of the path)."""
        chain: list[FieldInfo] = []
        fields, where = self.fields, self.entity
        for index, part in enumerate(parts):
            info = fields.get(part)
            if info is None:
                problem = _unknown(part, fields, where if index else None)
                offset = sum(len(p) + 1 for p in parts[:index])
                return ExprProblem(problem.message, offset, problem.hint)
            chain.append(info)
            if index + 1 < len(parts):
                if info.type != "reference" or info.ref is None:
                    return ExprProblem(
                        f"'{'.'.join(parts[: index + 1])}' is not a reference, so "
                        f"'.{parts[index + 1]}' cannot follow it",
                        0,
                        "paths go through reference fields only, e.g. account.sector",
                    )
                target = self.entities.get(info.ref)
                if target is None:
                    return ExprProblem(f"unknown entity '{info.ref}'", 0)
                fields, where = target, info.ref
        return tuple(chain)


# The scopes of each living project, by identity; a project's entry goes with it.
_PROJECTS: dict[int, dict[str, Scope]] = {}


def _scopes_of(project: ProjectSpec) -> dict[str, Scope]:
    """Every entity's scope, built once per project: the field tables and the parsed
    texts are shared by all of them."""
    scopes = _PROJECTS.get(id(project))
    if scopes is None:
        tables = {e.name: _fields_of(e) for e in project.entities}
        trees: dict[str, Tree] = {}
        scopes = {name: Scope(name, fields, tables, trees) for name, fields in tables.items()}
        _PROJECTS[id(project)] = scopes
        weakref.finalize(project, _PROJECTS.pop, id(project), None)
    return scopes


def _unknown(name: str, fields: Mapping[str, FieldInfo], entity: str | None) -> ExprProblem:
    names = list(fields) + ([] if entity else [CURRENT_USER])
    close = difflib.get_close_matches(name, names, n=1)
    where = f" of '{entity}'" if entity else ""
    message = f"unknown field '{name}'{where}"
    if close:
        return ExprProblem(f"{message} — did you mean '{close[0]}'?", 0)
    return ExprProblem(message, 0, "the fields are: " + ", ".join(sorted(fields)))

