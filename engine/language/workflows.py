"""The workflows a project uses: workflows that extend others (`extends`, merged over
their base, cycles refused), and the standard workflows that entities name without
declaring them.
"""

from __future__ import annotations

import difflib
from typing import Any

from guanxi.diagnostics import diag
from guanxi.language.overlays import copy_dict, merge_workflow, normalize_workflow
from guanxi.language.raw import RawProject, SourceFile
from guanxi.language.standard import standard_file, standard_workflows
from guanxi.language.tree import LocDict


def note_standard(name: str, raw: RawProject) -> None:
    """Remember that the standard workflow `name` is part of the project (once)."""
    if name in raw.standard_used:
        return
    raw.standard_used.add(name)
    doc = standard_file(name)
    if doc is not None and all(s.document is not doc for s in raw.files):
        raw.files.append(SourceFile("workflows", doc))


def resolve_workflows(raw: RawProject) -> None:
    """Apply workflow `extends`, then add the standard workflows entities name."""
    declared = raw.workflows
    resolved = LocDict(declared.loc)
    for name in declared:
        value = _resolve_one(name, declared, raw, ())
        resolved.put(name, value, declared.key_loc(name), declared.value_loc(name))
    for entity in raw.entities.values():
        if not isinstance(entity, LocDict):
            continue
        name = entity.get("workflow")
        if isinstance(name, str) and name not in resolved:
            standard = standard_workflows().get(name)
            if standard is not None:
                note_standard(name, raw)
                resolved.put(name, normalize_workflow(standard), standard.loc, standard.loc)
    raw.workflows = resolved


def _resolve_one(name: str, declared: LocDict, raw: RawProject,
                 chain: tuple[str, ...]) -> Any:
    data = declared.get(name) if name not in chain else None
    if not isinstance(data, LocDict):
        return normalize_workflow(data)
    base_name = data.get("extends")
    if not isinstance(base_name, str):
        return normalize_workflow(data)
    loc = data.value_loc("extends")
    raw.workflow_bases.add(base_name)
    if base_name == name or base_name in chain:
        cycle = " → ".join((*chain, name, base_name))
        raw.diagnostics.append(diag("GX513", loc, "remove one of the 'extends'",
                                    workflow=name, cycle=cycle))
        return normalize_workflow(_without(data, "extends"))
    if base_name in declared:
        base = _resolve_one(base_name, declared, raw, (*chain, name))
    else:
        base = standard_workflows().get(base_name)
        if base is None:
            known = sorted(set(declared) | set(standard_workflows()))
            raw.diagnostics.append(diag(
                "GX512", loc, _suggest(base_name, known, "workflows"),
                workflow=name, name=base_name))
            return normalize_workflow(_without(data, "extends"))
        note_standard(base_name, raw)
    merged = merge_workflow(base, _without(data, "extends"))
    if isinstance(merged, LocDict):
        merged.loc = data.loc
    return merged


def _without(data: LocDict, key: str) -> LocDict:
    out = copy_dict(data)
    out.drop(key)
    return out


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if known:
        return f"known {what}: " + ", ".join(known)
    return f"there are no {what}"
