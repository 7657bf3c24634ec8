"""Which column of a file fills what: the mapping's columns, and the others matched
automatically to a field by its name or its label in any of the project's languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from guanxi.compile.app import App, CompiledEntity
from guanxi.data.mapping import Column, ImportMapping
from guanxi.spec import FieldSpec


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """One column of the file and what it fills: a field (`spec`), the state, a time
    (`created_at`, `updated_at`) or the owner (`target` says which)."""

    index: int
    header: str
    target: str
    rule: Column
    spec: FieldSpec | None = None
    ref: str | None = None
    lookup: str = "id"


@dataclass(frozen=True, slots=True)
class Plan:
    """Every column's plan, the headers nothing uses, and the field each column fills."""

    columns: tuple[ColumnPlan, ...]
    unused: tuple[str, ...]

    def column_of(self, name: str) -> ColumnPlan | None:
        """The plan of the column that fills field `name` (or the state, a time)."""
        for plan in self.columns:
            if plan.target == name:
                return plan
        return None

    @property
    def historical(self) -> bool:
        """Whether rows give a state or original times (a historical import)."""
        return any(p.target in ("state", "created_at", "updated_at") for p in self.columns)


def normal(name: str) -> str:
    """A name as compared when matching: lower case, runs of spaces and marks as `_`."""
    return re.sub(r"[\s\-./]+", "_", name.strip().casefold()).strip("_")


def _auto(entity: CompiledEntity, header: str) -> str | None:
    wanted = normal(header)
    for spec in entity.spec.fields:
        if normal(spec.name) == wanted and not spec.compute:
            return spec.name
    for spec in entity.spec.fields:
        if not spec.compute and any(normal(str(t)) == wanted for t in spec.label.values()):
            return spec.name
    if wanted == "state" and entity.machine is not None:
        return "state"
    return None


def plan_columns(app: App, entity: CompiledEntity, mapping: ImportMapping | None,
                 headers: Sequence[str]) -> Plan:
    """The plan for a file with `headers`, by `mapping` (or by names alone)."""
    mapping = mapping or ImportMapping(entity.name)
    plans: list[ColumnPlan] = []
    unused: list[str] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        if header in mapping.columns:
            rule = mapping.columns[header]
            if rule is None:
                continue
        else:
            auto = _auto(entity, header)
            if auto is None or auto in taken or any(
                    (r is not None and (r.field == auto or (r.state and auto == "state")))
                    for r in mapping.columns.values()):
                if header not in mapping.times.values() and not (
                        mapping.owner and mapping.owner.column == header):
                    unused.append(header)
                continue
            rule = Column(header, state=True) if auto == "state" else Column(header, auto)
        target = "state" if rule.state else str(rule.field)
        taken.add(target)
        spec = entity.fields.get(target)
        ref = spec.ref if spec is not None and spec.type == "reference" else None
        lookup = rule.lookup or "id"
        if ref is not None and rule.lookup is None:
            target_spec = app.spec.entity(ref)
            lookup = (target_spec.title if target_spec is not None and target_spec.title
                      else "id")
        plans.append(ColumnPlan(index, header, target, rule, spec, ref, lookup))
    positions = {h: i for i, h in enumerate(headers)}
    for time, column in mapping.times.items():
        if column in positions:
            plans.append(ColumnPlan(positions[column], column, time, Column(column)))
    if mapping.owner is not None and mapping.owner.column in positions:
        owner = mapping.owner
        plans.append(ColumnPlan(positions[owner.column], owner.column, "owner",
                                Column(owner.column, values=owner.values),
                                lookup=owner.match))
    return Plan(tuple(plans), tuple(unused))
