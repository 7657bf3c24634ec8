"""The named stages of a write, each a plain function over a batch of frozen rows:

actor and rights → names → coercion → defaults (a new record's, or the stored record
under the given values; → the given state and times, in a historical import; → a
transition's guard, `set:` and requirements) → computed fields → validation (fields,
rules, state requirements) → reference and unique checks (`lookups`) → row rights →
persist (`pipeline` for new records; compare-and-set, `changing`, for stored ones) →
after-persist hooks, history and change events (`outbox`).

Every write runs them: create and bulk insert (`pipeline.Creation`), update, delete and
restore and the changes of a bulk save (`changing`), transitions (`workflow`), merges
(`merging`); a single write is a batch of one.

Stages never raise for a row's problems: they record them on the row, so a bulk write
reports every bad row and a single write raises what its one row carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, GuanxiError, ValidationFailed
from guanxi.fields.registry import coerce
from guanxi.fields.values import FieldValueError
from guanxi.messages import render, show
from guanxi.spec import NOWHERE, FieldSpec
from guanxi.store import lookups
from guanxi.store.batch import Batch, Errors, Row
from guanxi.store.records import check_names, user_id_of
from guanxi.store.rows import defaults, known
from guanxi.store.unit import Unit

# What a historical import may give besides fields: the state and the original times.
HISTORICAL_TIMES = ("created_at", "updated_at")
HISTORICAL = frozenset({"state", *HISTORICAL_TIMES})
_MOMENT = FieldSpec("created_at", "datetime", NOWHERE)


def actor(unit: Unit, entity: CompiledEntity) -> None:
    """Stage: the acting user may create records of the entity at all (or AccessDenied
    for the whole write)."""
    if not entity.policy.may(unit.user, "create"):
        raise AccessDenied(render("may_not_create_any", {"entity": entity.name},
                                  unit.language), code="may_not_create_any")


def _name_errors(entity: CompiledEntity, names: frozenset[str], writable: frozenset[str],
                 allow: frozenset[str], language: str) -> tuple[Errors, GuanxiError | None]:
    """Per name: unknown or not writable; and what a single write raises for them."""
    errors: Errors = {}
    for name in names:
        try:
            check_names(entity, [name], writable, language, allow=allow)
        except ValidationFailed as error:
            errors.update(error.errors)
        except AccessDenied as error:
            errors[name] = [str(error) if name == "state"
                            else render("not_writable", {}, language)]
    refusal: GuanxiError | None = None
    if errors:
        try:
            check_names(entity, sorted(names), writable, language, allow=allow)
        except (ValidationFailed, AccessDenied) as error:
            refusal = error
    return errors, refusal


def names(unit: Unit, entity: CompiledEntity, batch: Batch, writable: frozenset[str],
          cache: dict[frozenset[str], tuple[Errors, GuanxiError | None]],
          allow: frozenset[str] = frozenset()) -> Batch:
    """Stage: every given name is a field the user may write, or one of `allow` (checked
    once per set of names, cached in `cache` across batches)."""
    result = []
    for row in batch:
        key = frozenset(row.given)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _name_errors(entity, key, writable, allow, unit.language)
        errors, refusal = found
        result.append(row.failing(errors) if refusal is None
                      else Row(row.number, row.given, errors=errors, refusal=refusal,
                               record_id=row.record_id))
    return result


def coercion(unit: Unit, entity: CompiledEntity, batch: Batch,
             skip: frozenset[str] = frozenset()) -> Batch:
    """Stage: the given values (those with valid names, but `skip`) read as their
    fields' types."""
    result = []
    coerce_values, language = entity.validator.coerce, unit.language
    for row in batch:
        values = row.given
        if row.errors or (skip and not skip.isdisjoint(values)):
            values = {k: v for k, v in values.items() if k not in row.errors and k not in skip}
        clean, errors = coerce_values(values, language)
        result.append(row.with_record(clean, changed=frozenset(clean)).failing(errors))
    return result


def merged(unit: Unit, entity: CompiledEntity, batch: Batch,
           stored: Mapping[int, Mapping[str, Any]]) -> Batch:
    """Stage (defaults, for records that exist): the stored record (`stored`, by id)
    with the given values over it; `changed`: the given fields whose value moves."""
    del unit, entity
    result = []
    for row in batch:
        assert row.record_id is not None
        old = stored[row.record_id]
        clean = row.record
        record = dict(old)
        record.update(clean)
        changed = frozenset(n for n, v in clean.items() if v != old.get(n))
        result.append(row.with_record(record, changed=changed))
    return result


def checks(unit: Unit, entity: CompiledEntity, batch: Batch, *, creating: bool,
           state: str | None = None, seen: lookups.Seen | None = None) -> Batch:
    """The stages between the values and persist: computed fields, validation (with
    `state`, that state's requirements too), references and unique values."""
    batch = computed(unit, entity, batch)
    batch = validation(unit, entity, batch, state)
    return database(unit, entity, batch, creating=creating, seen=seen)


def new_records(unit: Unit, entity: CompiledEntity, batch: Batch,
                state: str | None) -> Batch:
    """Stage (defaults): the whole new record: declared defaults for the fields not
    given, the system fields, the owner (the user unless given) and the workflow
    state."""
    user, now = unit.user, unit.now
    created_by = user_id_of(user)
    # Every column (but id) empty, then the system values; the owner is the user unless
    # given. The given values (never a system field: `names` refuses those) go over it.
    template: dict[str, Any] = dict.fromkeys(entity.types)
    del template["id"]
    template.update(created_at=now, updated_at=now, created_by=created_by, version=1,
                    owner=created_by)
    if state is not None:
        template["state"] = state
    changed = frozenset(n for n in template if n in entity.fields or n == "owner")
    # Only fields with a default or a roll-up have a value before the given ones.
    defaulted = any(spec.rollup is not None or spec.default is not None
                    for spec in entity.spec.fields)
    result = []
    for row in batch:
        clean = row.record
        if defaulted:
            record = dict(template)
            record.update(defaults(entity, user, now, clean, unit.ctx.today))
            record.update(clean)
        else:
            record = {**template, **clean}
        result.append(Row(row.number, row.given, record, changed, row.errors, row.refusal,
                          row.record_id))
    return result


def historical(unit: Unit, entity: CompiledEntity, batch: Batch) -> Batch:
    """Stage (historical imports, after defaults): the record's workflow state and its
    original times as given: `state` (default: the initial state), `created_at`
    (default: now) and `updated_at` (default: `created_at`)."""
    states = [s.name for s in entity.machine.spec.states] if entity.machine else []
    result = []
    for row in batch:
        record = dict(row.record)
        errors: Errors = {}
        state = row.given.get("state")
        if "state" in row.given and "state" not in row.errors:
            if state in states:
                record["state"] = state
            else:
                errors["state"] = [render("not_a_state", {
                    "value": show(state), "allowed": states}, unit.language)]
        for name in HISTORICAL_TIMES:
            if name not in row.given or name in row.errors:
                continue
            try:
                value = coerce(_MOMENT, row.given[name])
            except FieldValueError as error:
                errors[name] = [error.message(unit.language)]
                continue
            if value is not None:
                record[name] = value
        if "updated_at" not in row.given:
            record["updated_at"] = record["created_at"]
        result.append(row.with_record(record).failing(errors))
    return result


def computed(unit: Unit, entity: CompiledEntity, batch: Batch) -> Batch:
    """Stage: computed fields filled in (a computed field counts as changed)."""
    if not entity.validator.computed:
        return batch
    names = frozenset(c.field.name for c in entity.validator.computed)
    result = []
    for row in batch:
        record = dict(row.record)
        errors = entity.validator.compute(record, unit.ctx, unit.resolve, unit.language)
        result.append(row.with_record(record, changed=row.changed | names).failing(errors))
    return result


def validation(unit: Unit, entity: CompiledEntity, batch: Batch,
               state: str | None = None) -> Batch:
    """Stage: the whole record against its fields' and the entity's rules (and, with
    `state`, that state's requirements); a value that could not be read is reported
    once, not again by the rules about it."""
    result = []
    for row in batch:
        checks = entity.validator.check(row.record, unit.ctx, unit.language, unit.resolve,
                                        state)
        result.append(row.failing(
            {name: messages for name, messages in checks.items() if name not in row.errors}))
    return result


def database(unit: Unit, entity: CompiledEntity, batch: Batch, *, creating: bool,
             seen: lookups.Seen | None = None) -> Batch:
    """Stage: references and unique values, one query per field per batch."""
    batch = lookups.references(unit, entity, batch)
    return unique(unit, entity, batch, creating=creating, seen=seen)


def unique(unit: Unit, entity: CompiledEntity, batch: Batch, *, creating: bool,
           seen: lookups.Seen | None = None) -> Batch:
    """Stage (the second half of `database`): unique values, one query per unique field
    or index per batch."""
    return lookups.unique(unit, entity, batch, known(entity, unit.user, creating=creating),
                          seen)


def create_rights(unit: Unit, entity: CompiledEntity, batch: Batch) -> Batch:
    """Stage: the user's create condition holds for each (otherwise good) new record."""
    if entity.policy.creates_any(unit.user):
        return batch
    result = []
    for row in batch:
        if row.ok and not entity.policy.can_create(unit.user, unit.ctx, row.record,
                                                   unit.resolve):
            row = row.failing({"": [render("may_not_create", {"entity": entity.name},
                                           unit.language)]})
            row = Row(row.number, row.given, row.record, row.changed, row.errors,
                      AccessDenied(render("may_not_create_rule", {"entity": entity.name},
                                          unit.language), code="may_not_create_rule"))
        result.append(row)
    return result


def raise_for(row: Row) -> None:
    """What a single write raises for its row: its refusal (names it may not give, or a
    create condition that does not hold: such a row has no other error), else its field
    errors; nothing when the row is good."""
    if row.refusal is not None:
        raise row.refusal
    if row.errors:
        raise ValidationFailed({k: list(v) for k, v in row.errors.items()})
