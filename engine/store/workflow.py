"""Firing workflow transitions, and telling which ones a user may fire now.

The common transition (no values given, no `set`, one source state) takes two
statements: `UPDATE … SET state, version, updated_at WHERE id [AND version] AND state
AND <read and update rules> RETURNING *`, then the history row; the guard, the
requirements and the record's rules are checked on the returned row (computed fields
that change with the state are written by one more UPDATE), and any refusal rolls the
transaction back. When the UPDATE matches no row, the row is read to tell
NotFound, AccessDenied, VersionConflict and TransitionRefused apart, as every other
transition is fired.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.automation import asking
from guanxi.compile.app import CompiledEntity, CompiledTransition
from guanxi.errors import AccessDenied, NotFound, TransitionRefused
from guanxi.expr.functions import context_params
from guanxi.fields.values import is_empty
from guanxi.messages import render
from guanxi.spec import TransitionSpec
from guanxi.store import changing, outbox, rows, stages
from guanxi.store.batch import Row
from guanxi.store.prepared import Prepared
from guanxi.store.records import Record, changes_of, record_id_of, shape
from guanxi.store.unit import Unit


def _holds(predicate: expr.Evaluator, record: Mapping[str, Any], ctx: expr.Context,
           resolver: expr.Resolver) -> bool:
    try:
        return bool(predicate(record, ctx, resolver))
    except (ArithmeticError, ValueError, TypeError):
        return False


def transition_of(compiled: CompiledEntity, name: str, language: str) -> CompiledTransition:
    """The compiled transition `name` of the entity's workflow; TransitionRefused if none."""
    if compiled.machine is None:
        raise TransitionRefused(render("no_workflow", {"entity": compiled.name}, language))
    transition = compiled.transitions.get(name)
    if transition is None:
        raise TransitionRefused(render(
            "no_transition",
            {"entity": compiled.name, "name": name, "allowed": list(compiled.transitions)},
            language))
    return transition


def fire(unit: Unit, compiled: CompiledEntity, record_id: Any, name: str,
         values: Mapping[str, Any], expected_version: int | None,
         approved: bool = False) -> Record:
    """Store.transition: see there. A transition that needs approval opens an approval
    request instead of moving the record (the record is returned as it is, with
    `approval`), unless `approved` (the request's last approval fires it)."""
    user, ctx, now, language = unit.user, unit.ctx, unit.now, unit.language
    entity = compiled.name
    policy = compiled.policy
    transition = transition_of(compiled, name, language)
    spec = transition.spec
    assert compiled.machine is not None
    direct = _direct(unit, compiled, transition, values, expected_version)
    if direct is not None:
        fired = _fire_direct(unit, compiled, transition, direct,
                             record_id_of(compiled, record_id, language), expected_version)
        if fired is not None:
            return fired
    loaded = rows.load_row(unit, compiled, record_id, lock=True)
    old = loaded.record
    if not policy.transition_allowed(user, spec):
        raise AccessDenied(render(
            "role_refused", {"roles": sorted(user.roles) or ["-"], "name": name}, language),
            code="role_refused")
    rows.refuse_stale(entity, loaded, expected_version, language)
    if not loaded.may_update:
        raise AccessDenied(render("may_not_change", {"entity": entity}, language),
                           code="may_not_change")
    refusal = compiled.machine.refusal(name, old["state"], language)
    if refusal is not None:
        raise TransitionRefused(refusal)
    allowed = policy.writable_fields(user, old["state"]) | (
        set(spec.require) & policy.writable_fields(user, None))
    batch = [Row(1, values, record_id=old["id"])]
    batch = stages.names(unit, compiled, batch, frozenset(allowed), {})
    [row] = stages.coercion(unit, compiled, batch)
    stages.raise_for(row)
    given = frozenset(row.record)
    [row] = stages.merged(unit, compiled, [row], {old["id"]: old})
    row = moved(unit, compiled, transition, row, given)
    [row] = stages.checks(unit, compiled, [row], creating=False)
    stages.raise_for(row)
    if spec.approval is not None and not approved:
        asked = asking.request(unit, compiled, {**row.record, "state": old["state"]}, spec,
                               values)
        if asked is not None:
            return {**shape(old, policy.visible_fields(user)), "approval": asked}
    record = dict(row.record)
    names = changing.shown(compiled, state=True)
    diff = changes_of(old, record, names)
    update = {n: record[n] for n in names if record.get(n) != old.get(n)}
    update.update(version=old["version"] + 1, updated_at=now)
    changing.persist(unit, compiled, [(loaded, update)], policy.rule(user, ctx, "update"),
                     state=old["state"])
    record.update(update)
    outbox.record(unit, compiled, [outbox.Change(entity, old["id"], "transition", diff,
                                                 transition=name)])
    if asking.uses_approvals(compiled):
        asking.cancel_pending(unit.conn, entity, int(old["id"]), now)
    return shape(record, policy.visible_fields(user))


def moved(unit: Unit, compiled: CompiledEntity, transition: CompiledTransition, row: Row,
          given: frozenset[str]) -> Row:
    """Stage (a transition's defaults, after the given values): its guard holds on the
    record (else TransitionRefused), its `set:` assignments are made, the fields the
    transition and its target state require are filled (else TransitionRefused), and
    the record is in the target state. `given`: the fields the caller gave, which count
    as changed with those `set:` assigns."""
    ctx, language, resolver = unit.ctx, unit.language, unit.resolve
    spec = transition.spec
    assert compiled.machine is not None
    record = dict(row.record)
    if transition.guard is not None and not _holds(transition.guard, record, ctx, resolver):
        raise TransitionRefused(render(
            "guard_failed", {"name": spec.name, "condition": spec.when}, language))
    for target, compute in transition.assignments:
        record[target] = compiled.validator.coerce_computed(
            target, compute(record, ctx, resolver))
    target_state = compiled.machine.spec.state(spec.target)
    needed = list(spec.require) + list(target_state.require if target_state else ())
    missing = [f for f in dict.fromkeys(needed) if is_empty(record.get(f))]
    if missing:
        raise TransitionRefused(
            render("missing", {"name": spec.name, "fields": missing}, language),
            tuple(missing))
    record["state"] = spec.target
    return row.with_record(record, changed=given | {t for t, _ in transition.assignments})


# Fields whose old values the UPDATE … RETURNING does not give back.
_OVERWRITTEN = ("updated_at", "version")


def _direct(unit: Unit, compiled: CompiledEntity, transition: CompiledTransition,
            values: Mapping[str, Any], expected: Any) -> Prepared | None:
    """The prebuilt UPDATE for firing `transition` directly, or None when this call needs
    the row read first (values given, `set`, several source states, conditions or
    computed fields reading the fields the UPDATE overwrites, a role that may not fire it)."""
    spec, user = transition.spec, unit.user
    if values or transition.assignments or asking.uses_approvals(compiled):
        return None
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        return None
    sources = compiled.machine.sources.get(spec.name) if compiled.machine else None
    if sources is None or len(sources) != 1:
        return None
    texts = ([spec.when or ""] + [f"{r.when or ''} {r.check or ''}" for r in compiled.spec.rules]
             + [f.compute for f in compiled.spec.fields if f.compute])
    if any(name in text for text in texts for name in _OVERWRITTEN):
        return None
    if not compiled.policy.transition_allowed(user, spec):
        return None
    ctx_key = (user.roles, unit.app.spec.expand_roles(user.roles))
    key = ("transition", compiled.name, spec.name, expected is not None, ctx_key)
    return unit.statements.get(key, lambda: Prepared(_update_statement(
        unit, compiled, sources[0], expected is not None), unit.dialect))


def _update_statement(unit: Unit, compiled: CompiledEntity, source: str,
                      versioned: bool) -> sa.Update:
    table = compiled.table
    user, ctx = unit.user, unit.ctx
    policy = compiled.policy
    conditions = [table.c.id == sa.bindparam("gx_id", type_=table.c.id.type),
                  table.c.deleted_at.is_(None),
                  table.c.state == sa.literal(source, table.c.state.type),
                  policy.rule(user, ctx, "read"), policy.rule(user, ctx, "update")]
    if versioned:
        conditions.append(
            table.c.version == sa.bindparam("gx_version", type_=table.c.version.type))
    return (table.update().where(*conditions)
            .values(state=sa.bindparam("gx_to", type_=table.c.state.type),
                    version=table.c.version + 1,
                    updated_at=sa.bindparam("gx_at", type_=table.c.updated_at.type))
            .returning(*table.c))


def _fire_direct(unit: Unit, compiled: CompiledEntity, transition: CompiledTransition,
                 statement: Prepared, record_id: int, expected: int | None) -> Record | None:
    """Fire with one UPDATE … RETURNING; None when it matched no row (nothing changed)."""
    spec = transition.spec
    user, ctx, now, conn, language = unit.user, unit.ctx, unit.now, unit.conn, unit.language
    params = context_params(ctx)
    params.update(gx_id=record_id, gx_to=spec.target, gx_at=now)
    if expected is not None:
        params["gx_version"] = expected
    record = statement.first(conn, params)
    if record is None:
        return None
    assert compiled.machine is not None
    old = {**record, "state": compiled.machine.sources[spec.name][0],
           "version": record["version"] - 1}
    resolver = unit.resolve
    if transition.guard is not None and not _holds(transition.guard, old, ctx, resolver):
        raise TransitionRefused(render(
            "guard_failed", {"name": spec.name, "condition": spec.when}, language))
    target_state = compiled.machine.spec.state(spec.target)
    needed = list(spec.require) + list(target_state.require if target_state else ())
    missing = [f for f in dict.fromkeys(needed) if is_empty(old.get(f))]
    if missing:
        raise TransitionRefused(
            render("missing", {"name": spec.name, "fields": missing}, language),
            tuple(missing))
    [row] = stages.checks(unit, compiled, [Row(1, {}, {**record, "version": old["version"]},
                                               record_id=record_id)], creating=False)
    stages.raise_for(row)
    checked = row.record
    computed = {c.field.name: checked[c.field.name] for c in compiled.validator.computed
                if checked[c.field.name] != record[c.field.name]}
    if computed:
        table = compiled.table
        conn.execute(table.update().where(table.c.id == record_id).values(**computed))
        record.update(computed)
    outbox.record(unit, compiled, [outbox.Change(
        compiled.name, record_id, "transition",
        changes_of(old, record, changing.shown(compiled, state=True)),
        transition=spec.name)])
    return shape(record, compiled.policy.visible_fields(user))


def available(unit: Unit, compiled: CompiledEntity, record_id: Any) -> list[TransitionSpec]:
    """Store.available_transitions: see there."""
    if compiled.machine is None:
        return []
    user, ctx = unit.user, unit.ctx
    policy = compiled.policy
    try:
        loaded = rows.load_row(unit, compiled, record_id)
    except NotFound:
        return []
    if not loaded.may_update:
        return []
    state = loaded.record["state"]
    result = []
    for spec in compiled.machine.transitions_from(state):
        if not policy.transition_allowed(user, spec):
            continue
        guard = compiled.transitions[spec.name].guard
        if guard is None or _holds(guard, loaded.record, ctx, unit.resolve):
            result.append(spec)
    return result
