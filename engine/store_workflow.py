"""Firing workflow transitions, and telling which ones a user may fire now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from guanxi.compiler import CompiledEntity, CompiledTransition
from guanxi.errors import AccessDenied, NotFound, TransitionRefused, ValidationFailed
from guanxi.fieldvalues import is_empty
from guanxi.identity import User
from guanxi.messages import render
from guanxi.spec import TransitionSpec
from guanxi.store_records import Record, changes_of, check_names, history_row, shape

if TYPE_CHECKING:
    from guanxi.store import Store


def _holds(predicate: Any, record: Mapping[str, Any], ctx: Any, resolver: Any) -> bool:
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


def fire(store: Store, user: User, entity: str, record_id: Any, name: str,
         values: Mapping[str, Any], expected_version: int | None) -> Record:
    """Store.transition: see there."""
    compiled = store.app.entity(entity)
    policy = compiled.policy
    language = user.language
    now = store.clock()
    ctx = store.context(user, now)
    transition = transition_of(compiled, name, language)
    spec = transition.spec
    assert compiled.machine is not None
    with store._transaction() as conn:
        loaded = store._load(conn, compiled, user, ctx, record_id, lock=True)
        old = loaded.record
        if not policy.transition_allowed(user, spec):
            raise AccessDenied(render(
                "role_refused", {"roles": sorted(user.roles) or ["-"], "name": name}, language))
        store._refuse_stale(entity, loaded, expected_version)
        if not loaded.may_update:
            raise AccessDenied(f"you may not change this {entity}")
        refusal = compiled.machine.refusal(name, old["state"], language)
        if refusal is not None:
            raise TransitionRefused(refusal)
        allowed = policy.writable_fields(user, old["state"]) | (
            set(spec.require) & policy.writable_fields(user, None))
        check_names(compiled, values, frozenset(allowed), language)
        clean, errors = compiled.validator.coerce(values, language)
        if errors:
            raise ValidationFailed(errors)
        record = dict(old)
        record.update(clean)
        resolver = store._resolver(conn)
        if transition.guard is not None and not _holds(transition.guard, record, ctx, resolver):
            raise TransitionRefused(render(
                "guard_failed", {"name": name, "condition": spec.when}, language))
        for target, compute in transition.assignments:
            record[target] = compiled.validator.coerce_computed(
                target, compute(record, ctx, resolver))
        target_state = compiled.machine.spec.state(spec.target)
        needed = list(spec.require) + list(target_state.require if target_state else ())
        missing = [f for f in dict.fromkeys(needed) if is_empty(record.get(f))]
        if missing:
            raise TransitionRefused(
                render("missing", {"name": name, "fields": missing}, language), tuple(missing))
        record["state"] = spec.target
        changed = set(clean) | {t for t, _ in transition.assignments}
        store._finish_record(conn, compiled, user, ctx, record, changed, {},
                             record_id=old["id"])
        names = [n for n in compiled.types if n in compiled.fields or n in ("owner", "state")]
        diff = changes_of(old, record, names)
        update = {n: record[n] for n in names if record.get(n) != old.get(n)}
        update.update(version=old["version"] + 1, updated_at=now)
        store._compare_and_set(conn, compiled, user, ctx, loaded, update,
                               policy.update_filter(user, ctx), state=old["state"])
        record.update(update)
        conn.execute(store.app.tables.history.insert().values(**history_row(
            entity, old["id"], user, now, "transition", diff, transition=name)))
    return shape(record, policy.visible_fields(user))


def available(store: Store, user: User, entity: str,
              record: Mapping[str, Any]) -> list[TransitionSpec]:
    """Store.available_transitions: see there."""
    compiled = store.app.entity(entity)
    if compiled.machine is None or record.get("id") is None:
        return []
    policy = compiled.policy
    ctx = store.context(user)
    with store._transaction(write=False) as conn:
        try:
            loaded = store._load(conn, compiled, user, ctx, record["id"])
        except NotFound:
            return []
        if not loaded.may_update:
            return []
        resolver = store._resolver(conn)
        state = loaded.record["state"]
        result = []
        for spec in compiled.machine.transitions_from(state):
            if not policy.transition_allowed(user, spec):
                continue
            guard = compiled.transitions[spec.name].guard
            if guard is None or _holds(guard, loaded.record, ctx, resolver):
                result.append(spec)
        return result
