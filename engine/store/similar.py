"""Likely duplicates: the records (readable to the user, not deleted) that a record's
values match under one of the entity's `duplicates:` rules.

Per rule, the exact fields narrow the candidates in SQL (e-mails compared in lower case,
phone numbers by their last digits, text by its lower-case form); the candidates are
then compared in Python after normalization (`guanxi.data.normalize`), fuzzy fields by
similarity. A rule whose fields are all fuzzy compares with the latest `SCAN` records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.data.normalize import digits, normalized, similarity
from guanxi.expr.functions import context_params
from guanxi.spec import DuplicateRule
from guanxi.store.unit import Unit

SCAN = 5000
# Phone numbers are narrowed by their last digits (the national part's end).
PHONE_TAIL = 7


@dataclass(frozen=True, slots=True)
class Likely:
    """A record that looks like a duplicate: its id, title and the rule's fields."""

    record_id: int
    title: str
    fields: tuple[str, ...]


def _digits_sql(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    stripped: sa.ColumnElement[Any] = column
    for mark in (" ", "-", "(", ")", ".", "+", "/"):
        stripped = sa.func.replace(stripped, mark, "")
    return stripped


def _condition(entity: CompiledEntity, rule: DuplicateRule, name: str, value: Any
               ) -> sa.ColumnElement[bool] | None:
    column = entity.table.c[name]
    if rule.normalize in ("email", "text"):
        return sa.func.lower(sa.func.trim(column)) == str(normalized(rule.normalize, value))
    if rule.normalize == "phone":
        tail = digits(value)[-PHONE_TAIL:]
        if not tail:
            return None
        narrowed: sa.ColumnElement[bool] = _digits_sql(column).like(f"%{tail}")
        return narrowed
    equal: sa.ColumnElement[bool] = column == value
    return equal


def _matches(rule: DuplicateRule, values: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    fuzzy = dict(rule.fuzzy)
    for name in rule.match:
        mine, theirs = values.get(name), row.get(name)
        if name in fuzzy:
            if similarity(mine, theirs) < fuzzy[name]:
                return False
        elif normalized(rule.normalize, mine, rule.region) != normalized(
                rule.normalize, theirs, rule.region):
            return False
    return True


def likely_duplicates(unit: Unit, entity: CompiledEntity, values: Mapping[str, Any],
                      exclude: int | None = None) -> list[Likely]:
    """The records `values` (clean field values) likely duplicate, by any rule."""
    table = entity.table
    title = entity.spec.title
    found: dict[int, Likely] = {}
    for rule in entity.spec.duplicates:
        if any(values.get(name) in (None, "", []) for name in rule.match):
            continue
        fuzzy = {name for name, _ in rule.fuzzy}
        conditions = [table.c.deleted_at.is_(None),
                      entity.policy.rule(unit.user, unit.ctx, "read")]
        if exclude is not None:
            conditions.append(table.c.id != exclude)
        exact = [n for n in rule.match if n not in fuzzy]
        for name in exact:
            condition = _condition(entity, rule, name, values[name])
            if condition is None:
                break
            conditions.append(condition)
        else:
            names = sorted({*rule.match, *([title] if title else [])})
            query = sa.select(table.c.id, *(table.c[n] for n in names)).where(
                *conditions).order_by(table.c.id.desc()).limit(SCAN)
            for row in unit.conn.execute(query, context_params(unit.ctx)).mappings():
                if row["id"] not in found and _matches(rule, values, dict(row)):
                    found[row["id"]] = Likely(row["id"], str(row.get(title) or row["id"])
                                              if title else str(row["id"]), rule.match)
    return sorted(found.values(), key=lambda likely: likely.record_id)
