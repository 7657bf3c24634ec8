"""Saving many rows at once, new and existing: the write pipeline of imports and upserts.

Each batch of caller items is turned into `Write`s by the caller's `prepare` (run inside
the transaction, so it may look records up with the unit); new records then run the
very stages of `create` (`pipeline.Creation`), changed ones the stages of `update`
(names writable in the record's state, coercion, computed fields, validation,
references and unique values, compare-and-set under the user's update condition), and
deletions those of `delete`; every write ends in `outbox.record` (history and events).
The caller's `journal` sees what each batch did, in the same transaction.

`historical=True` (administrators and the system actor) also lets an existing record's
`state` and `updated_at` be given, as a historical import gives them to new records.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, Generic, NamedTuple, TypeVar

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.expr.functions import context_params
from guanxi.fields.registry import coerce
from guanxi.fields.values import FieldValueError
from guanxi.identity import User
from guanxi.language.collector import collector_paused, sweep
from guanxi.messages import render, show
from guanxi.spec import NOWHERE, FieldSpec
from guanxi.store import ahead as checking
from guanxi.store import changing, outbox, stages
from guanxi.store.batch import EMPTY, Batch, Errors, Row, errors_of
from guanxi.store.bulk import check_import
from guanxi.store.pipeline import Creation
from guanxi.store.records import Loaded, RowError, changes_of, flag
from guanxi.store.unit import Unit

T = TypeVar("T")
Begin = Callable[[], AbstractContextManager[Unit]]
# How a given change time is read.
MOMENT = FieldSpec("updated_at", "datetime", NOWHERE)


class Write(NamedTuple):
    """One row to save: the values of a new record (`record_id` None), changes to record
    `record_id`, or (`delete`) its soft deletion. `number`: its row in the input."""

    number: int
    values: Mapping[str, Any]
    record_id: int | None = None
    delete: bool = False


class Outcome(NamedTuple):
    """What saving one row did: `action` is create, update, delete or unchanged;
    `changes` {field: [old, new]} as history records them."""

    number: int
    record_id: int
    action: str
    changes: Mapping[str, Any] = EMPTY


@dataclass(frozen=True, slots=True)
class SaveReport:
    """The outcome of `bulk_save`: how many rows did what, the rows refused, and whether
    anything was kept (False after a dry run or a refused all-or-nothing save)."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True


Prepare = Callable[[Unit, Sequence[T]], Sequence["Write | RowError"]]
Journal = Callable[[Unit, Sequence[Outcome], Sequence[RowError]], None]


@dataclass(frozen=True, slots=True)
class Ahead(Generic[T]):
    """A bulk save's `prepare` in two parts, so that the first may run in a second
    process (`guanxi.store.ahead`) while this one saves the batches before: `first`
    reads no database and has no effect but its result: a note (picklable) and the
    batch's `Write`s and `RowError`s; `settle`, in the saving process, in the batches'
    order, does with the note what `prepare` would have done besides (reports,
    progress). `prepare` itself must do the same as `first` then `settle`.
    `force`: whether to use a second process (None: where it can be,
    `guanxi.store.ahead.possible`)."""

    first: Callable[[Sequence[T]], tuple[Any, Sequence[Write | RowError]]]
    settle: Callable[[Unit, Any], None]
    force: bool | None = None


class _Rollback(Exception):
    """Internal: undoes a dry run or an all-or-nothing save that met a bad row."""


# Ends a batch early (before follow-up items, which depend on what came before).
_FLUSH = object()


def _batches(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        if item is _FLUSH:
            if batch:
                yield batch
            batch = []
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Changing:
    """The update pipeline of a bulk save over one entity (and its deletions)."""

    def __init__(self, unit: Unit, entity: CompiledEntity, *, historical: bool) -> None:
        self.unit = unit
        self.entity = entity
        self.historical = historical
        self.allow = stages.HISTORICAL - {"created_at"} if historical else frozenset()
        self.names: dict[str | None, dict[frozenset[str], Any]] = {}
        self.shown = [n for n in entity.types if n in entity.fields or n == "owner"] + (
            ["state"] if historical and entity.machine else [])
        self.states = [s.name for s in entity.machine.spec.states] if entity.machine else []
        self.loaded: dict[int, Loaded] = {}

    def load(self, ids: Iterable[int]) -> None:
        """Read the rows to change, with the user's rights on them, in one query."""
        unit, entity = self.unit, self.entity
        user, ctx, policy, table = unit.user, unit.ctx, entity.policy, entity.table
        wanted = sorted(set(ids) - set(self.loaded))
        if not wanted:
            return
        query = sa.select(
            table, flag(policy.rule(user, ctx, "update"), "_may_update"),
            flag(policy.rule(user, ctx, "delete"), "_may_delete"),
        ).where(table.c.id.in_(wanted), table.c.deleted_at.is_(None),
                policy.rule(user, ctx, "read"))
        if unit.dialect.name == "postgresql":
            query = query.with_for_update(of=table)
        for found in unit.conn.execute(query, context_params(ctx)).mappings():
            record = dict(found)
            may_update, may_delete = record.pop("_may_update"), record.pop("_may_delete")
            self.loaded[record["id"]] = Loaded(record, bool(may_update), bool(may_delete))

    def _refused(self, write: Write, code: str) -> Row:
        message = render(code, {"entity": self.entity.name, "id": write.record_id},
                         self.unit.language)
        return Row(write.number, write.values, errors={"": [message]})

    def check(self, writes: Sequence[Write]) -> Batch:
        """Every stage of an update before persist, for each change."""
        unit, entity = self.unit, self.entity
        self.load(w.record_id for w in writes if w.record_id is not None)
        result: Batch = []
        pending: Batch = []
        taken: set[int] = set()
        for write in writes:
            loaded = self.loaded.get(write.record_id or 0)
            if loaded is None:
                result.append(self._refused(write, "not_found"))
                continue
            if loaded.record["id"] in taken:
                result.append(self._refused(write, "same_record_twice"))
                continue
            taken.add(loaded.record["id"])
            if not (loaded.may_delete if write.delete else loaded.may_update):
                result.append(self._refused(
                    write, "may_not_delete" if write.delete else "may_not_change"))
                continue
            old = loaded.record
            row = Row(write.number, write.values, record=old, record_id=old["id"])
            if write.delete:
                result.append(row)
                continue
            state = old.get("state")
            writable = entity.policy.writable_fields(unit.user, state)
            [row] = stages.names(unit, entity, [row], writable,
                                 self.names.setdefault(state, {}), self.allow)
            result.append(row)
            pending.append(row)
        if not pending:
            return result
        pending = stages.coercion(unit, entity, pending, self.allow)
        pending = stages.merged(unit, entity, pending,
                                {r.record_id: self.loaded[r.record_id].record
                                 for r in pending if r.record_id is not None})
        pending = self._historical(pending)
        pending = stages.checks(unit, entity, pending, creating=False)
        by_number = {r.number: r for r in pending}
        return [by_number.get(r.number, r) for r in result]

    def _historical(self, batch: Batch) -> Batch:
        """Stage (historical saves): a change's `state` and `updated_at`, as given."""
        if not self.historical:
            return batch
        result = []
        for row in batch:
            errors: Errors = {}
            record = dict(row.record)
            if "state" in row.given and "state" not in row.errors:
                state = row.given["state"]
                if state in self.states:
                    record["state"] = state
                else:
                    errors["state"] = [render("not_a_state", {
                        "value": show(state), "allowed": self.states}, self.unit.language)]
            if "updated_at" in row.given and "updated_at" not in row.errors:
                try:
                    moment = coerce(MOMENT, row.given["updated_at"])
                except FieldValueError as error:
                    errors["updated_at"] = [error.message(self.unit.language)]
                else:
                    if moment is not None:
                        record["updated_at"] = moment
            result.append(row.with_record(record).failing(errors))
        return result

    def write(self, batch: Batch, deletions: frozenset[int]) -> list[Outcome]:
        """Persist the (good) changes and deletions with compare-and-set, one
        executemany per kind and set of columns; then their history and events. Rows
        that change nothing are left alone."""
        unit, entity = self.unit, self.entity
        user, ctx, now = unit.user, unit.ctx, unit.now
        outcomes: list[Outcome] = []
        changes: list[outbox.Change] = []
        updates: list[changing.Setting] = []
        deletes: list[changing.Setting] = []
        for row in batch:
            assert row.record_id is not None
            loaded = self.loaded.pop(row.record_id)
            old = loaded.record
            if row.number in deletions:
                values = {"deleted_at": now, "version": old["version"] + 1, "updated_at": now}
                deletes.append((loaded, values))
                diff = changes_of(old, values, ["deleted_at"])
                changes.append(outbox.Change(entity.name, old["id"], "delete", diff))
                outcomes.append(Outcome(row.number, old["id"], "delete", diff))
                continue
            record = row.record
            diff = changes_of(old, record, self.shown)
            if not diff:
                outcomes.append(Outcome(row.number, old["id"], "unchanged"))
                continue
            values = {n: record[n] for n in self.shown if record.get(n) != old.get(n)}
            moment = record["updated_at"] if record.get("updated_at") != old.get(
                "updated_at") else now
            values.update(version=old["version"] + 1, updated_at=moment)
            updates.append((loaded, values))
            changes.append(outbox.Change(entity.name, old["id"], "update", diff,
                                         at=moment if moment != now else None))
            outcomes.append(Outcome(row.number, old["id"], "update", diff))
        if updates:
            changing.persist(unit, entity, updates, entity.policy.rule(user, ctx, "update"))
        if deletes:
            changing.persist(unit, entity, deletes, entity.policy.rule(user, ctx, "delete"))
        outbox.record(unit, entity, changes)
        return outcomes


def _then(items: Iterable[T], follow_up: Callable[[], Sequence[T]] | None) -> Iterator[T]:
    """The items, then what `follow_up` gives once they are all saved, until it gives
    nothing."""
    yield from items
    if follow_up is None:
        return
    while True:
        yield _FLUSH  # type: ignore[misc]  # the batches so far are saved before it goes on
        more = follow_up()
        if not more:
            return
        yield from more


def _new_rows(outputs: Sequence[Write | RowError]) -> tuple[Batch, list[Write | RowError]]:
    """A batch's new records as rows, and its other outputs."""
    rows: Batch = []
    others: list[Write | RowError] = []
    for output in outputs:
        if isinstance(output, Write) and output.record_id is None:
            rows.append(Row(output.number, output.values))
        else:
            others.append(output)
    return rows, others


def _prepared(unit: Unit, creation: Creation, items: Iterable[T], prepare: Prepare[T],
              follow_up: Callable[[], Sequence[T]] | None, size: int,
              ahead: Ahead[T] | None
              ) -> Generator[tuple[Sequence[Write | RowError], Batch | None], None, None]:
    """Each batch's outputs and, when a second process has prepared them, its new
    records' rows (`Creation.prepare`d; they are then left out of the outputs)."""
    if ahead is not None:
        source = iter(_batches(items, size))
        head = list(islice(source, 2))
        if checking.forks(head, ahead.force):
            yield prepare(unit, head[0]), None
            with closing(checking.split(creation, chain(head[1:], source), ahead.first,
                                        _new_rows)) as split:
                for note, outputs, rows in split:
                    ahead.settle(unit, note)
                    yield outputs, rows
        else:
            for batch in chain(head, source):
                yield prepare(unit, batch), None
        items = ()  # all read: only the follow-ups are left
    for batch in _batches(_then(items, follow_up), size):
        yield prepare(unit, batch), None


def bulk_save(begin: Begin, compiled: CompiledEntity, user: User, items: Iterable[T],
              prepare: Prepare[T], *, journal: Journal | None = None,
              follow_up: Callable[[], Sequence[T]] | None = None,
              mode: str = "all_or_nothing", batch_size: int = 1000,
              historical: bool = False, trusted: bool = False,
              dry_run: bool = False, ahead: Ahead[T] | None = None) -> SaveReport:
    """Store.bulk_save: see there."""
    check_import(compiled, user, mode=mode, batch_size=batch_size, historical=historical,
                 trusted=trusted)
    errors: list[RowError] = []
    counts = {"create": 0, "update": 0, "delete": 0, "unchanged": 0}
    try:
        with collector_paused(young=False), begin() as unit:
            creation = Creation(unit, compiled, historical=historical)
            changing = Changing(unit, compiled, historical=historical)
            prepared = _prepared(unit, creation, items, prepare, follow_up, batch_size,
                                 ahead)
            with closing(prepared):  # a second process, if any, ends with it
                for outputs, ready in prepared:
                    writes: list[Write] = []
                    refused: list[RowError] = []
                    for output in outputs:
                        if isinstance(output, RowError):
                            refused.append(output)
                        else:
                            writes.append(output)
                    writing = mode == "skip_bad" or not (errors or refused)
                    if ready is None:
                        ready = creation.prepare([Row(w.number, w.values) for w in writes
                                                  if w.record_id is None])
                    new = creation.finish(ready, defer_unique=writing)
                    existing = [w for w in writes if w.record_id is not None]
                    changed = changing.check(existing)
                    deletions = frozenset(w.number for w in existing if w.delete)
                    created: Batch | None = None
                    if creation.deferred(new):
                        # Its unique values left to the database: written now if nothing
                        # else of the batch keeps it from being written.
                        if mode == "skip_bad" or all(row.ok for row in changed):
                            created = creation.attempt(new)
                        if created is None:
                            new = creation.recheck(new)
                    refused.extend(RowError(row.number, errors_of(row))
                                   for row in (*new, *changed) if not row.ok)
                    errors.extend(refused)
                    outcomes: list[Outcome] = []
                    if mode == "skip_bad" or not errors:
                        if created is None:
                            created = creation.write([row for row in new if row.ok])
                        outcomes = [Outcome(row.number, row.record_id or 0, "create")
                                    for row in created]
                        outcomes += changing.write([row for row in changed if row.ok],
                                                   deletions)
                    else:
                        creation.skip(new)
                    for row in changed:
                        changing.loaded.pop(row.record_id or 0, None)
                    for outcome in outcomes:
                        counts[outcome.action] += 1
                    if journal is not None:
                        journal(unit, sorted(outcomes, key=lambda o: o.number),
                                sorted(refused, key=lambda e: e.row))
                    sweep()
            if dry_run or (mode == "all_or_nothing" and errors):
                raise _Rollback
    except _Rollback:
        errors.sort(key=lambda e: e.row)
        if dry_run:
            return SaveReport(counts["create"], counts["update"], counts["delete"],
                              counts["unchanged"], errors, written=False)
        return SaveReport(errors=errors, written=False)
    errors.sort(key=lambda e: e.row)
    return SaveReport(counts["create"], counts["update"], counts["delete"],
                      counts["unchanged"], errors)

