"""Filling the derived columns a migration adds: a roll-up or a stored computed field
added to an entity that already has records starts empty; `fill` sets it from the
records as they are (`Store.recompute` of those entities), right after the plan is
applied, so the new column never shows a wrong value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import App
from guanxi.migrate.plan import MigrationPlan
from guanxi.store.facade import Store


def derived_columns(app: App, migration: MigrationPlan) -> dict[str, list[str]]:
    """The roll-up and computed fields, per entity, whose columns the plan adds to a
    table that exists (a new table has no records to fill)."""
    found: dict[str, list[str]] = {}
    for step in migration.steps:
        if step.action != "add_column":
            continue
        entity = app.entities.get(step.table)
        spec = entity.fields.get(step.name) if entity is not None else None
        if spec is not None and (spec.rollup is not None or spec.compute):
            found.setdefault(step.table, []).append(step.name)
    return found


def fill(app: App, engine: sa.Engine, migration: MigrationPlan) -> dict[str, int]:
    """After `apply`: recompute the entities whose derived columns the plan added; per
    `entity.field`, how many records were set."""
    counts: dict[str, int] = {}
    entities = derived_columns(app, migration)
    if not entities:
        return counts
    store = Store(app, engine)
    for entity in sorted(entities):
        found: dict[str, Any] = store.recompute(entity)
        counts.update((key, value) for key, value in found.items() if value)
    return counts
