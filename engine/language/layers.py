"""Reading a project directory: its files and the projects it extends, each a layer merged
over its base (with what an overlay removes taken out), within bounds on how many files
and bytes are read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.diagnostics import diag
from guanxi.language.overlays import (
    copy_dict,
    merge,
    merge_workflow,
    normalize_workflow,
    timer_name,
)
from guanxi.language.raw import RawProject, Removal, SourceFile
from guanxi.language.reading import MAX_FILE_BYTES, FileRefused, read_bounded
from guanxi.language.standard import standard_workflows
from guanxi.language.tree import LocDict, LocList
from guanxi.language.workflows import note_standard, resolve_workflows
from guanxi.language.yamlload import YamlDocument, load_bytes, refused_document
from guanxi.spec import Loc

PROJECT_FILE = "guanxi.yaml"
# The whole project, every layer it extends included: how many files are read at most,
# and how many bytes they may hold together (each file also at most MAX_FILE_BYTES).
MAX_PROJECT_FILES = 500
MAX_PROJECT_BYTES = 4 * 1024 * 1024

_YAML_IDS = {"syntax": "GX101", "tag": "GX102", "duplicate": "GX103", "too_big": "GX104",
             "bomb": "GX105", "key": "GX106", "encoding": "GX107", "not_regular": "GX111",
             "outside": "GX112", "unreadable": "GX113"}
_YAML_HINTS = {
    "syntax": "check the indentation and quoting around this place",
    "tag": "remove the tag; write the value as plain YAML",
    "duplicate": "keep one of the two keys",
    "too_big": "split the definitions over several files",
    "bomb": "write the values out instead of repeating aliases",
    "key": "use a plain name as the key",
    "encoding": "save the file as UTF-8",
    "not_regular": "a project file must be an ordinary file; remove or rename this one",
    "outside": "keep every project file inside the project directory (or use 'extends')",
    "unreadable": "check the file's permissions",
}

# What a `remove:` entry may name: key -> (kind shown to people, owner kind or None).
REMOVABLE = {
    "entities": ("entity", None),
    "roles": ("role", None),
    "workflows": ("workflow", None),
    "fields": ("field", "entity"),
    "access": ("access entry", "entity"),
    "states": ("state", "workflow"),
    "transitions": ("transition", "workflow"),
    "timers": ("timer", "workflow"),
}


@dataclass
class _Layer:
    root: str
    project: LocDict
    entities: LocDict
    workflows: LocDict
    automation: LocDict | None = None


def read_project(path: str | os.PathLike[str]) -> RawProject:
    """Read a project and the projects it extends, merged. `project` is None when the
    directory has no readable project file (the diagnostics then say why)."""
    display = os.fspath(path)
    raw = RawProject(display, None, LocDict(Loc(display, 1, 1)), LocDict(Loc(display, 1, 1)))
    layer = _read_chain(Path(display), display, raw, ())
    if layer is None:
        return raw
    raw.project = layer.project
    raw.entities = layer.entities
    raw.workflows = layer.workflows
    raw.automation = layer.automation or LocDict(layer.project.loc)
    resolve_workflows(raw)
    return raw


def _read_chain(path: Path, display: str, raw: RawProject,
                seen: tuple[str, ...]) -> _Layer | None:
    """Read the project at `path` merged over its bases (recursively)."""
    if not path.is_dir():
        raw.diagnostics.append(diag(
            "GX110", Loc(display, 1, 1), "give the directory that holds guanxi.yaml",
            path=display))
        return None
    project_path = path / PROJECT_FILE
    if not project_path.is_file():
        raw.diagnostics.append(diag(
            "GX108", Loc(display, 1, 1), "create guanxi.yaml with at least 'project: name'",
            path=display))
        return None
    layer = _read_layer(path, display, raw)
    if layer is None:
        return None
    extends = layer.project.get("extends")
    remove = layer.project.get("remove")
    if not isinstance(extends, str):
        if remove is not None:
            raw.diagnostics.append(diag(
                "GX705", layer.project.key_loc("remove"),
                "add 'extends: <path of the base project>' or delete 'remove'"))
        return layer
    base_display = os.path.normpath(os.path.join(display, extends))
    base_path = path / extends
    key = str(base_path.resolve())
    here = str(path.resolve())
    if key in seen or key == here:
        cycle = " → ".join([*(os.path.basename(s) for s in (*seen, here)),
                            os.path.basename(key)])
        raw.diagnostics.append(diag(
            "GX702", layer.project.value_loc("extends"), "remove one of the 'extends'",
            path=display, cycle=cycle))
        return layer
    if not (base_path / PROJECT_FILE).is_file():
        raw.diagnostics.append(diag(
            "GX701", layer.project.value_loc("extends"),
            "give the path (relative to this guanxi.yaml) of a directory with guanxi.yaml",
            path=base_display))
        return layer
    raw.extends = (*raw.extends, str(base_path.resolve()))
    base = _read_chain(base_path, base_display, raw, (*seen, here))
    if base is None:
        return layer
    if isinstance(remove, LocDict):
        _apply_removals(base, remove, raw)
    return _merge_layers(base, layer)


def _read_layer(path: Path, display: str, raw: RawProject) -> _Layer | None:
    project_doc = _read(path / PROJECT_FILE, os.path.join(display, PROJECT_FILE), "project",
                        raw, path)
    if project_doc.data is None and project_doc.problems:
        return None
    project = project_doc.data
    if project is None:
        project = LocDict(Loc(project_doc.file, 1, 1))
    if not isinstance(project, LocDict):
        raw.diagnostics.append(diag(
            "GX109", _top_loc(project_doc), "write 'project: name' and the other keys",
            what="guanxi.yaml", got=_kind(project)))
        project = LocDict(Loc(project_doc.file, 1, 1))
    layer = _Layer(display, project, LocDict(project.loc), LocDict(project.loc),
                   LocDict(project.loc))
    assert layer.automation is not None
    for kind, target in (("entities", layer.entities), ("workflows", layer.workflows),
                         ("automation", layer.automation)):
        folder = path / kind
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.yaml")):
            doc = _read(file, os.path.join(display, kind, file.name), kind, raw, path)
            _collect(doc, kind, target, raw)
    return layer


def _read(path: Path, display: str, kind: str, raw: RawProject, root: Path) -> YamlDocument:
    doc = _read_within_budget(path, display, raw, root)
    raw.files.append(SourceFile(kind, doc))
    for problem in doc.problems:
        hint = _YAML_HINTS[problem.kind]
        raw.diagnostics.append(diag(_YAML_IDS[problem.kind], problem.loc, hint,
                                    detail=problem.message))
        if problem.other is not None:
            # The first place too, so that an editor marks both.
            raw.diagnostics.append(diag(
                "GX103", problem.other, hint,
                detail=f"the key is given again at {problem.loc}"))
    return doc


def _read_within_budget(path: Path, display: str, raw: RawProject,
                        root: Path) -> YamlDocument:
    """The file parsed, unless the project has already read MAX_PROJECT_FILES files or
    this one takes it past MAX_PROJECT_BYTES (then an empty document, and one located
    error for the whole project)."""
    empty = YamlDocument(display, "", None)
    if raw.over_budget:
        return empty
    if raw.files_read >= MAX_PROJECT_FILES:
        raw.over_budget = True
        raw.diagnostics.append(diag(
            "GX114", Loc(display, 1, 1), "merge small files, or split the project with "
            "'extends' only where it must be", limit=MAX_PROJECT_FILES))
        return empty
    raw.files_read += 1
    try:
        data = read_bounded(path, MAX_FILE_BYTES, root)
    except FileRefused as refused:
        return refused_document(display, refused)
    raw.bytes_read += len(data)
    if raw.bytes_read > MAX_PROJECT_BYTES:
        raw.over_budget = True
        raw.diagnostics.append(diag(
            "GX115", Loc(display, 1, 1), "remove what the project does not need (long "
            "comments, generated definitions)", limit=MAX_PROJECT_BYTES // (1024 * 1024)))
        return empty
    return load_bytes(data, display)


def _collect(doc: YamlDocument, kind: str, target: LocDict, raw: RawProject) -> None:
    """Add a file's definitions to the layer; the same name in two files is an error."""
    data = doc.data
    if data is None:
        return
    if not isinstance(data, LocDict):
        raw.diagnostics.append(diag(
            "GX109", _top_loc(doc), f"write '<name>:' and its definition for each of the {kind}",
            what=f"a file in {kind}/", got=_kind(data)))
        return
    what = {"entities": "entity", "workflows": "workflow"}.get(kind, "rule")
    for name, value in data.items():
        if name in target:
            first = target.key_loc(name)
            raw.diagnostics.append(diag(
                "GX309", data.key_loc(name), "rename one of them or merge the two",
                what=what, name=name, other=first))
            raw.diagnostics.append(diag(
                "GX309", first, "rename one of them or merge the two",
                what=what, name=name, other=data.key_loc(name)))
            continue
        target.put(name, value, data.key_loc(name), data.value_loc(name))


def _top_loc(doc: YamlDocument) -> Loc:
    return getattr(doc.data, "loc", Loc(doc.file, 1, 1))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if value is None:
        return "empty"
    return f"the value {value!r}"


# ---------------------------------------------------------------- merging layers


def _merge_layers(base: _Layer, over: _Layer) -> _Layer:
    project = copy_dict(over.project)
    for key in ("label", "roles", "system", "calendars", "teams"):
        if key in base.project:
            value = merge(base.project[key], over.project[key]) if key in over.project \
                else base.project[key]
            source = over.project if key in over.project else base.project
            project.put(key, value, source.key_loc(key), source.value_loc(key))
    for key in ("languages", "time_zone"):
        if key not in project and key in base.project:
            project.put(key, base.project[key], base.project.key_loc(key),
                        base.project.value_loc(key))
    entities = merge(base.entities, over.entities)
    workflows = copy_dict(base.workflows)
    for name, value in over.workflows.items():
        if name in workflows:
            workflows.put(name, merge_workflow(workflows[name], value),
                          workflows.key_loc(name), workflows.value_loc(name))
        else:
            workflows.put(name, value, over.workflows.key_loc(name),
                          over.workflows.value_loc(name))
    automation = merge(base.automation or LocDict(project.loc),
                       over.automation or LocDict(project.loc))
    return _Layer(over.root, project, entities, workflows, automation)


# ---------------------------------------------------------------- removals


def _apply_removals(base: _Layer, remove: LocDict, raw: RawProject) -> None:
    for key, value in remove.items():
        if key not in REMOVABLE:
            continue  # the schema check reports unknown keys
        what, owner_kind = REMOVABLE[key]
        if owner_kind is None:
            if isinstance(value, LocList):
                for index, name in enumerate(value):
                    if isinstance(name, str):
                        _remove_top(base, key, what, name, value.item_loc(index), raw)
        elif isinstance(value, LocDict):
            for owner, names in value.items():
                if not isinstance(names, LocList):
                    continue
                for index, name in enumerate(names):
                    if isinstance(name, str):
                        _remove_inner(base, key, what, owner_kind, owner, name,
                                      names.item_loc(index), value.key_loc(owner), raw)


def _remove_top(base: _Layer, key: str, what: str, name: str, loc: Loc,
                raw: RawProject) -> None:
    if key == "roles":
        roles = base.project.get("roles")
        if isinstance(roles, LocDict) and name in roles:
            roles = copy_dict(roles)
            roles.drop(name)
            base.project = copy_dict(base.project)
            base.project.put("roles", roles, base.project.key_loc("roles"),
                             base.project.value_loc("roles"))
            raw.removals.append(Removal(what, None, name, loc))
            return
    else:
        container = base.entities if key == "entities" else base.workflows
        if name in container:
            container.drop(name)
            raw.removals.append(Removal(what, None, name, loc))
            return
    raw.diagnostics.append(diag("GX703", loc, f"check the spelling of '{name}'",
                                what=what, name=name))


def _remove_inner(base: _Layer, key: str, what: str, owner_kind: str, owner: str, name: str,
                  loc: Loc, owner_loc: Loc, raw: RawProject) -> None:
    if owner_kind == "entity":
        container = base.entities
        parent = container.get(owner)
    else:
        container = base.workflows
        parent = container.get(owner)
        if parent is None:
            parent = standard_workflows().get(owner)
            if parent is not None:
                note_standard(owner, raw)
    if not isinstance(parent, LocDict):
        raw.diagnostics.append(diag("GX703", owner_loc, f"check the spelling of '{owner}'",
                                    what=owner_kind, name=owner))
        return
    if owner_kind == "workflow":
        parent = normalize_workflow(parent)
    section_key = key
    section = parent.get(section_key)
    if key == "timers" and isinstance(section, LocList):
        names = [timer_name(t, i) for i, t in enumerate(section)]
        if name in names:
            kept = LocList(section.loc)
            for index, (timer_label, timer) in enumerate(zip(names, section)):
                if timer_label != name:
                    kept.add(timer, section.item_loc(index))
            parent = copy_dict(parent)
            parent.put(key, kept, parent.key_loc(key), parent.value_loc(key))
            container.put(owner, parent, container.key_loc(owner), container.value_loc(owner))
            raw.removals.append(Removal(what, owner, name, loc))
            return
    elif isinstance(section, LocDict) and name in section:
        section = copy_dict(section)
        section.drop(name)
        parent = copy_dict(parent)
        parent.put(section_key, section, parent.key_loc(section_key),
                   parent.value_loc(section_key))
        if owner in container:
            container.put(owner, parent, container.key_loc(owner), container.value_loc(owner))
        else:
            container.put(owner, parent, parent.loc, parent.loc)
        raw.removals.append(Removal(what, owner, name, loc))
        return
    raw.diagnostics.append(diag("GX703", loc, f"{owner_kind} '{owner}' has no {what} "
                                f"'{name}'; check the spelling", what=what, name=name))
