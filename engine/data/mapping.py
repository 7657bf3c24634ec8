"""Import mappings (`mappings/*.yaml`): how the columns of a file become the fields of an
entity's records, read as located YAML and checked like the rest of the project.

A mapping names its `entity`, the `key` fields that identify a record (for upserts),
and per column: the field it fills (or `state: true`), how a reference is found
(`lookup:` a title or unique field of the target, `create:` when missing), a value
map (`values:`), and cleaning (`trim`, `case`, `format` for dates, `number` for the
thousands and decimal marks). `times:` names the columns with the original creation
and change times, `owner:` the column naming each record's owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as default
from pathlib import Path
from typing import Any

from guanxi.checks.registry import suggest
from guanxi.checks.schema import validate
from guanxi.diagnostics import Diagnostic, diag
from guanxi.language.tree import LocDict, loc_at
from guanxi.language.yamlload import load_file
from guanxi.spec import NOWHERE, EntitySpec, Loc, ProjectSpec

MAPPINGS_DIR = "mappings"
DATE_TYPES = frozenset({"date", "datetime"})
NUMBER_TYPES = frozenset({"integer", "decimal", "money", "percent", "number"})
SYSTEM_TIMES = ("created_at", "updated_at")


@dataclass(frozen=True, slots=True)
class Column:
    """What one column of the file becomes."""

    name: str
    field: str | None = None
    state: bool = False
    lookup: str | None = None
    create: bool = False
    values: Mapping[str, Any] = default(default_factory=dict)
    trim: bool = True
    case: str | None = None
    format: str | None = None
    number: str | None = None
    loc: Loc = NOWHERE


@dataclass(frozen=True, slots=True)
class Owner:
    """The column naming each record's owner, matched to a user by `match`."""

    column: str
    match: str = "username"
    values: Mapping[str, str | None] = default(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportMapping:
    """A checked mapping: `columns` by column name (None: the column is ignored)."""

    entity: str
    key: tuple[str, ...] = ()
    columns: Mapping[str, Column | None] = default(default_factory=dict)
    times: Mapping[str, str] = default(default_factory=dict)
    owner: Owner | None = None
    file: str = ""


def _column(name: str, value: Any, loc: Loc) -> Column | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Column(name, field=value, loc=loc)
    return Column(name, field=value.get("field"), state=bool(value.get("state", False)),
                  lookup=value.get("lookup"), create=bool(value.get("create", False)),
                  values=dict(value.get("values") or {}), trim=bool(value.get("trim", True)),
                  case=value.get("case"), format=value.get("format"),
                  number=value.get("number"), loc=loc)


def build(data: Mapping[str, Any], file: str) -> ImportMapping:
    """The mapping of a document that passed `check_document`."""
    columns = data.get("columns") or {}
    located = columns if isinstance(columns, LocDict) else None
    built = {str(name): _column(str(name), value,
                                (located.key_loc(name) if located is not None else NOWHERE))
             for name, value in columns.items()}
    owner = data.get("owner")
    return ImportMapping(
        entity=str(data["entity"]), key=tuple(data.get("key") or ()), columns=built,
        times=dict(data.get("times") or {}),
        owner=Owner(owner["column"], owner.get("match", "username"),
                    dict(owner.get("values") or {})) if owner else None,
        file=file)


def _field_problems(entity: EntitySpec, column: str, spec: Mapping[str, Any],
                    project: ProjectSpec, data: Any, where: tuple[Any, ...]
                    ) -> Iterable[Diagnostic]:
    name = spec.get("field")
    names = [f.name for f in entity.fields]
    if spec.get("state"):
        if entity.workflow is None:
            yield diag("GX803", loc_at(data, *where, "state") or NOWHERE, None,
                       entity=entity.name)
        elif name is not None:
            yield diag("GX804", loc_at(data, *where, "field") or NOWHERE,
                       "a column gives either a field or the state", column=column)
        return
    if name is None:
        yield diag("GX805", loc_at(data, *where, key=True) or NOWHERE,
                   "add 'field: NAME', 'state: true', or leave the column empty to ignore it",
                   column=column)
        return
    found = entity.field(name)
    if found is None:
        yield diag("GX802", loc_at(data, *where, "field") or NOWHERE,
                   suggest(name, names, "fields"), name=name, entity=entity.name,
                   where=f"column '{column}'")
        return
    if found.compute:
        yield diag("GX806", loc_at(data, *where, "field") or NOWHERE, None, name=name)
    lookup = spec.get("lookup")
    if (lookup is not None or spec.get("create")) and found.type != "reference":
        yield diag("GX807", loc_at(data, *where, "lookup" if lookup else "create") or NOWHERE,
                   None, key="lookup" if lookup else "create", type=found.type)
    elif lookup is not None and found.ref:
        target = project.entity(found.ref)
        if target is not None:
            field_spec = target.field(lookup)
            if field_spec is None:
                yield diag("GX802", loc_at(data, *where, "lookup") or NOWHERE,
                           suggest(lookup, [f.name for f in target.fields], "fields"),
                           name=lookup, entity=target.name, where=f"column '{column}'")
            elif not field_spec.unique and target.title != lookup:
                yield diag("GX808", loc_at(data, *where, "lookup") or NOWHERE,
                           "make it unique, or look up by the title", name=lookup,
                           entity=target.name)
    if spec.get("format") is not None and found.type not in DATE_TYPES:
        yield diag("GX807", loc_at(data, *where, "format") or NOWHERE, None, key="format",
                   type=found.type)
    if spec.get("number") is not None and found.type not in NUMBER_TYPES:
        yield diag("GX807", loc_at(data, *where, "number") or NOWHERE, None, key="number",
                   type=found.type)


def check_document(data: Any, file: str, project: ProjectSpec) -> list[Diagnostic]:
    """Every problem of one mapping document, located: its structure (the JSON Schema
    `schemas/mappings.schema.json`), then every name it uses."""
    if data is None:
        return [diag("GX203", Loc(file, 1, 1), "add 'entity: NAME'", key="entity",
                     where="the mapping")]
    found = validate("mappings", data, "the mapping")
    if found:
        return found
    entity = project.entity(str(data["entity"]))
    if entity is None:
        return [diag("GX801", loc_at(data, "entity") or Loc(file, 1, 1),
                     suggest(data["entity"], [e.name for e in project.entities], "entities"),
                     name=data["entity"])]
    names = [f.name for f in entity.fields]
    out: list[Diagnostic] = []
    for index, key in enumerate(data.get("key") or ()):
        if entity.field(key) is None:
            out.append(diag("GX802", loc_at(data, "key", index) or NOWHERE,
                            suggest(key, names, "fields"), name=key, entity=entity.name,
                            where="key"))
    filled: dict[str, str] = {}
    for column, spec in (data.get("columns") or {}).items():
        if spec is None:
            continue
        where = ("columns", column)
        if isinstance(spec, str):
            spec = {"field": spec}
        problems = list(_field_problems(entity, column, spec, project, data, where))
        out.extend(problems)
        target = "state" if spec.get("state") else spec.get("field")
        if target is not None and target in filled:
            out.append(diag("GX809", loc_at(data, "columns", column, key=True) or NOWHERE,
                            None, column=column, field=target, other=filled[target]))
        elif target is not None:
            filled[target] = str(column)
    return out


def load(path: Path | str, project: ProjectSpec, display: str | None = None
         ) -> tuple[ImportMapping | None, list[Diagnostic]]:
    """Read and check the mapping file at `path`: the mapping, or None and the problems."""
    document = load_file(path, display)
    if document.problems:
        return None, [diag("GX101", p.loc, None, detail=p.message) for p in document.problems]
    problems = check_document(document.data, document.file, project)
    if any(p.is_error for p in problems):
        return None, problems
    return build(document.data, document.file), problems


def project_mappings(project: ProjectSpec) -> list[Path]:
    """The mapping files of a project (`mappings/*.yaml`), in name order."""
    folder = Path(project.root) / MAPPINGS_DIR
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
