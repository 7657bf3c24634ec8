"""A mapping being edited on the import page: what each column of a file fills now (the
project's mapping file for it, else names matched by `plan`), the values of a column
that no option takes (offered for the value map), and the edited mapping as a
document for `mapping.check_document` and as YAML to download and keep in
`mappings/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from guanxi.compile.app import App, CompiledEntity
from guanxi.data import cleaning
from guanxi.data.mapping import Column, ImportMapping
from guanxi.data.plan import plan_columns
from guanxi.data.readers import open_table
from guanxi.spec import Text

# How much of a file is read for its distinct values, and how many are offered.
SCANNED_ROWS = 20_000
OFFERED = 30
STATE = "state"


@dataclass(frozen=True, slots=True)
class ColumnDraft:
    """One column of the file on the mapping screen: what it fills ("" nothing,
    "state", or a field), its value map, a sample cell and the values no option takes."""

    index: int
    header: str
    target: str
    values: tuple[tuple[str, str], ...] = ()
    sample: str = ""
    unmapped: tuple[str, ...] = ()


def _options(entity: CompiledEntity, target: str
             ) -> list[tuple[str, Text | str | None]] | None:
    """The choices a column filling `target` must name (None: any text)."""
    if target == STATE and entity.machine is not None:
        return [(s.name, s.label) for s in entity.machine.spec.states]
    spec = entity.fields.get(target)
    if spec is not None and spec.type in ("choice", "tags") and spec.options:
        return cleaning.option_pairs(spec.options)
    return None


def columns(app: App, entity: CompiledEntity, base: ImportMapping | None, path: Path,
            chosen: Mapping[str, str] | None = None,
            values: Mapping[str, Mapping[str, str]] | None = None) -> list[ColumnDraft]:
    """The columns of the file at `path` as the screen shows them: filling what
    `chosen` says (else what `base` or the names say), with `values` (else `base`'s)
    and the values of each choice or state column that no option takes."""
    table = open_table(path)
    try:
        headers = table.headers
        plan = plan_columns(app, entity, base, headers)
        targets = {p.header: p.target for p in plan.columns
                   if p.target not in ("created_at", "updated_at", "owner")}
        maps = {p.header: dict(p.rule.values) for p in plan.columns}
        if chosen is not None:
            targets = {h: t for h, t in chosen.items() if t}
        if values is not None:
            maps = {h: dict(v) for h, v in values.items()}
        pickers = {}
        for header, target in targets.items():
            options = _options(entity, target)
            if options is not None:
                keys = {key for key, _ in options}
                pickers[header] = (cleaning.chooser(options), keys,
                                   entity.fields.get(target) is not None
                                   and entity.fields[target].type == "tags")
        found: dict[str, dict[str, None]] = {h: {} for h in pickers}
        samples: dict[str, str] = {}
        for count, (_, cells) in enumerate(table.rows):
            if count >= SCANNED_ROWS:
                break
            for index, header in enumerate(headers):
                cell = cells[index].strip() if index < len(cells) else ""
                if cell and header not in samples:
                    samples[header] = cell
                if header not in pickers or not cell:
                    continue
                pick, keys, many = pickers[header]
                seen = found[header]
                for part in (cell.replace("，", ",").split(",") if many else [cell]):
                    text = part.strip()
                    mapped = cleaning.mapped(text, maps.get(header, {}))
                    if (text and isinstance(mapped, str) and pick(mapped) not in keys
                            and len(seen) < OFFERED):
                        seen[text] = None
    finally:
        table.close()
    return [ColumnDraft(index, header, targets.get(header, ""),
                        tuple((str(k), "" if v is None else str(v))
                              for k, v in maps.get(header, {}).items()),
                        samples.get(header, ""), tuple(found.get(header, {})))
            for index, header in enumerate(headers)]


def _column_document(target: str, rule: Column | None, values: Mapping[str, str]
                     ) -> dict[str, Any] | None:
    if not target:
        return None
    out: dict[str, Any] = {"state": True} if target == STATE else {"field": target}
    if rule is not None and (rule.state if target == STATE else rule.field == target):
        # The rest of the mapping file's rule holds while the column fills the same.
        for name in ("lookup", "format", "number", "case"):
            if getattr(rule, name) is not None:
                out[name] = getattr(rule, name)
        if rule.create:
            out["create"] = True
        if not rule.trim:
            out["trim"] = False
    if values:
        out["values"] = dict(values)
    return out


def document(entity: str, base: ImportMapping | None, targets: Mapping[str, str],
             values: Mapping[str, Mapping[str, str]], keys: tuple[str, ...] = ()
             ) -> dict[str, Any]:
    """The mapping the screen shows, as a document (every column named: a column that
    fills nothing is written empty, so the mapping ignores it)."""
    out: dict[str, Any] = {"entity": entity}
    key = keys or (base.key if base is not None else ())
    if key:
        out["key"] = list(key)
    kept = {c for c in (base.times.values() if base else ())}
    if base is not None and base.owner is not None:
        kept.add(base.owner.column)
    out["columns"] = {header: _column_document(
        target, base.columns.get(header) if base is not None else None,
        values.get(header, {})) for header, target in targets.items() if header not in kept}
    if base is not None and base.times:
        out["times"] = dict(base.times)
    if base is not None and base.owner is not None:
        owner: dict[str, Any] = {"column": base.owner.column, "match": base.owner.match}
        if base.owner.values:
            owner["values"] = dict(base.owner.values)
        out["owner"] = owner
    return out


def as_yaml(data: Mapping[str, Any]) -> str:
    """A mapping document as YAML text, in the order written, any language as is."""
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False,
                          default_flow_style=False)
