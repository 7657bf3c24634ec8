"""What every write does with one stored row, within a unit of work: read it with the
acting user's rights on it, fill defaults, refuse a stale version, and write it with
compare-and-set.

Writes are compare-and-set: `UPDATE … WHERE id = ? AND version = ? [AND state = ?] AND
<the user's update condition>`. When no row matches, the row is read again to tell
NotFound, VersionConflict and AccessDenied apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, RequestInvalid, VersionConflict
from guanxi.expr.functions import context_params
from guanxi.fields.integers import parse_int
from guanxi.fields.registry import coerce
from guanxi.identity import User
from guanxi.messages import render
from guanxi.store.records import Loaded, is_literal, load, unique_violation, user_id_of
from guanxi.store.unit import Unit


def load_row(unit: Unit, entity: CompiledEntity, record_id: Any, *, deleted: bool = False,
             lock: bool = False, rights: bool = True) -> Loaded:
    """The row if the acting user may read it; with `rights`, also whether they may update
    and delete it (otherwise both are reported False)."""
    user, ctx, policy = unit.user, unit.ctx, entity.policy
    read = policy.rule(user, ctx, "read")
    if rights:
        update, delete = policy.rule(user, ctx, "update"), policy.rule(user, ctx, "delete")
    else:
        update, delete = sa.false(), sa.false()
    return load(unit.conn, entity, record_id, read, update, delete, deleted=deleted, lock=lock,
                params=context_params(ctx), language=unit.language)


def visible(entity: CompiledEntity, user: User) -> frozenset[str]:
    """The fields of `entity` the user sees."""
    return entity.policy.visible_fields(user)


def known(entity: CompiledEntity, user: User, *, creating: bool) -> frozenset[str]:
    """The fields whose values the user knows: those she sees, and on create those she may
    give."""
    fields = visible(entity, user)
    if creating:
        initial = entity.machine.initial if entity.machine else None
        fields |= entity.policy.writable_fields(user, initial, "create")
    return fields


def defaults(entity: CompiledEntity, user: User, now: dt.datetime,
             given: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The declared defaults of the fields not `given` (`current_user`, `today` (the
    project's date, `today`, by default now's UTC date), `now` or a value)."""
    values: dict[str, Any] = {}
    for spec in entity.spec.fields:
        if spec.rollup is not None:
            # A new record has nothing to roll up yet: counts and sums start at 0.
            values[spec.name] = (coerce(spec, 0) if spec.rollup.kind in ("count", "sum")
                                else None)
            continue
        if spec.name in given or spec.default is None or spec.compute:
            continue
        default = spec.default
        if default == "current_user" and spec.type == "user":
            values[spec.name] = user_id_of(user)
        elif default == "today" and spec.type == "date":
            values[spec.name] = today or now.date()
        elif default == "now" and spec.type == "datetime":
            values[spec.name] = now
        else:
            values[spec.name] = coerce(spec, default)
    return values


def refuse_stale(entity: str, loaded: Loaded, expected: Any, language: str) -> None:
    """VersionConflict unless the record is at the `expected` version (an int, or its text
    as a form sends it); nothing to check when None."""
    if expected is None:
        return
    if isinstance(expected, str):
        number = parse_int(expected.strip())
        expected = expected if number is None else number
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise RequestInvalid(render("bad_expected_version", {"value": repr(expected)},
                                    language), code="bad_expected_version")
    if loaded.record["version"] != expected:
        raise VersionConflict(entity, loaded.record["id"], expected, loaded.record["version"],
                              language)


def compare_and_set(unit: Unit, entity: CompiledEntity, loaded: Loaded,
                    values: Mapping[str, Any], permission: sa.ColumnElement[bool], *,
                    deleted: bool = False, state: str | None = None) -> None:
    """UPDATE the row if it is still the version read, in the state read, and the user's
    condition still holds; otherwise find out why and raise."""
    table = entity.table
    record = loaded.record
    conditions = [table.c.id == record["id"], table.c.version == record["version"],
                  table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None)]
    if state is not None:
        conditions.append(table.c.state == state)
    if not is_literal(permission, True):
        conditions.append(permission)
    try:
        result = unit.conn.execute(table.update().where(*conditions).values(**values),
                                   context_params(unit.ctx))
    except sa.exc.IntegrityError as error:
        translated = unique_violation(entity, error, unit.language)
        if translated is None:
            raise
        raise translated from None
    if result.rowcount != 1:
        refuse_unmatched(unit, entity, loaded, deleted=deleted)


def refuse_unmatched(unit: Unit, entity: CompiledEntity, loaded: Loaded, *,
                     deleted: bool = False) -> None:
    """Raise why a compare-and-set of the row read as `loaded` matched nothing: the row
    is gone (NotFound), moved on (VersionConflict), or the user's condition no longer
    holds (AccessDenied)."""
    record = loaded.record
    again = load_row(unit, entity, record["id"], deleted=deleted)
    if (again.record["version"] != record["version"]
            or again.record.get("state") != record.get("state")):
        raise VersionConflict(entity.name, record["id"], record["version"],
                              again.record["version"], unit.language)
    raise AccessDenied(render("may_not_change", {"entity": entity.name}, unit.language),
                       code="may_not_change")
