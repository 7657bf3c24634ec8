"""Importing many records at once: each row validated and access-checked as `create`
would, references and unique values checked per batch, rows and their history written
with executemany, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.compile.validation import merge_errors
from guanxi.errors import AccessDenied, RequestInvalid, ValidationFailed
from guanxi.expr import Resolver
from guanxi.expr.functions import context_params
from guanxi.fields.values import is_empty
from guanxi.identity import User
from guanxi.messages import render
from guanxi.store.prepared import Prepared, allocate_ids, history_statement, insert_statement
from guanxi.store.records import (
    ImportReport,
    RowError,
    check_names,
    created_changes,
    history_row,
    unique_clash,
    unique_violation,
    user_id_of,
)
from guanxi.store.rows import defaults
from guanxi.store.unit import Unit

MODES = ("all_or_nothing", "skip_bad")
# Opens the import's unit of work (its one transaction).
Begin = Callable[[], AbstractContextManager[Unit]]


class _Abort(Exception):
    """Internal control flow, never seen by a caller: rolls back an all-or-nothing import
    that met a bad row."""


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _Importer:
    """One import: the rules it checks rows against, and what it has seen so far."""

    def __init__(self, unit: Unit, compiled: CompiledEntity) -> None:
        self.unit = unit
        user = self.user = unit.user
        self.compiled = compiled
        self.language = unit.language
        self.now = unit.now
        self.ctx = unit.ctx
        policy = compiled.policy
        self.initial = compiled.machine.initial if compiled.machine else None
        self.writable = policy.writable_fields(user, self.initial, "create")
        self.known_names: dict[frozenset[str], dict[str, list[str]]] = {}
        self.unique_groups = [(f.name,) for f in compiled.spec.fields if f.unique] + [
            i.fields for i in compiled.spec.indexes if i.unique]
        # Unique values met earlier in this import, per group.
        self.seen: dict[tuple[str, ...], set[tuple[Any, ...]]] = {
            g: set() for g in self.unique_groups}
        self.shown = [n for n in compiled.types
                      if n in compiled.fields or n in ("owner", "state")]

    def name_errors(self, names: frozenset[str]) -> dict[str, list[str]]:
        """Errors for unknown or unwritable names (cached per set of names)."""
        cached = self.known_names.get(names)
        if cached is None:
            cached = {}
            for name in names:
                try:
                    check_names(self.compiled, [name], self.writable, self.language)
                except ValidationFailed as error:
                    cached.update(error.errors)
                except AccessDenied as error:
                    cached[name] = [str(error) if name == "state"
                                    else render("not_writable", {}, self.language)]
            self.known_names[names] = cached
        return cached

    def prepare(self, values: Mapping[str, Any], resolver: Resolver
                ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The record a row would create, and its errors (without database checks)."""
        compiled, user = self.compiled, self.user
        errors = self.name_errors(frozenset(values))
        if errors:
            values = {k: v for k, v in values.items() if k not in errors}
        clean, value_errors = compiled.validator.coerce(values, self.language)
        record: dict[str, Any] = dict.fromkeys(compiled.types)
        record.update(defaults(compiled, user, self.now, clean))
        record.update(clean)
        record.update(created_at=self.now, updated_at=self.now,
                      created_by=user_id_of(user), version=1)
        if record.get("owner") is None and "owner" not in clean:
            record["owner"] = user_id_of(user)
        if self.initial is not None:
            record["state"] = self.initial
        record.pop("id", None)
        computed = compiled.validator.compute(record, self.ctx, resolver, self.language)
        checks = compiled.validator.check(record, self.ctx, self.language, resolver)
        checks = {n: m for n, m in checks.items() if n not in value_errors and n not in errors}
        problems = merge_errors(errors, value_errors, computed, checks)
        if not problems and not compiled.policy.can_create(user, self.ctx, record, resolver):
            problems = {"": [render("may_not_create", {"entity": compiled.name},
                                    self.language)]}
        return record, problems

    def database_errors(self, conn: sa.Connection, records: list[dict[str, Any]]
                        ) -> list[dict[str, list[str]]]:
        """Per record: references that do not resolve, unique values already taken
        (in the database or earlier in this import)."""
        errors: list[dict[str, list[str]]] = [{} for _ in records]
        self._check_references(conn, records, errors)
        self._check_unique(conn, records, errors)
        return errors

    def _check_references(self, conn: sa.Connection, records: list[dict[str, Any]],
                          errors: list[dict[str, list[str]]]) -> None:
        app, compiled = self.unit.app, self.compiled
        names = [n for n, t in compiled.types.items()
                 if t in ("reference", "user") and n not in ("created_by",)]
        for name in names:
            wanted = {r[name] for r in records if r.get(name) is not None}
            if not wanted:
                continue
            field = compiled.fields.get(name)
            if field is not None and field.type == "reference" and field.ref:
                target = app.entity(field.ref)
                table = target.table
                query = sa.select(table.c.id).where(
                    table.c.id.in_(wanted), table.c.deleted_at.is_(None),
                    target.policy.rule(self.user, self.ctx, "read"))
                code, params = "no_record", {"entity": target.name}
            else:
                users = app.tables.users
                query = sa.select(users.c.id).where(users.c.id.in_(wanted),
                                                    users.c.active.is_(True))
                code, params = "no_user", {}
            found = set(conn.execute(query, context_params(self.ctx)).scalars())
            for record, bucket in zip(records, errors):
                value = record.get(name)
                if value is not None and value not in found:
                    bucket.setdefault(name, []).append(
                        render(code, {"value": value, **params}, self.language))

    def _check_unique(self, conn: sa.Connection, records: list[dict[str, Any]],
                      errors: list[dict[str, list[str]]]) -> None:
        table = self.compiled.table
        for group in self.unique_groups:
            keys = [None if any(is_empty(r.get(f)) for f in group)
                    else tuple(r[f] for f in group) for r in records]
            present = [k for k in keys if k is not None]
            if not present:
                continue
            if len(group) == 1:
                taken = {(v,) for v in conn.execute(sa.select(table.c[group[0]]).where(
                    table.c[group[0]].in_([k[0] for k in present]))).scalars()}
            else:
                taken = {tuple(row) for row in conn.execute(sa.select(
                    *(table.c[f] for f in group)).where(sa.tuple_(
                        *(table.c[f] for f in group)).in_(present)))}
            seen = self.seen[group]
            for key, bucket in zip(keys, errors):
                if key is None:
                    continue
                if key in taken or key in seen:
                    message, names = unique_clash(
                        self.compiled.name, group, dict(zip(group, key, strict=True)),
                        self.compiled.policy.visible_fields(self.user) | self.writable,
                        self.language)
                    for name in names:
                        bucket.setdefault(name, []).append(message)
                elif not bucket:
                    seen.add(key)

    def insert(self, conn: sa.Connection, records: list[dict[str, Any]]) -> None:
        """Insert good records and one history row each, with executemany. On SQLite
        the ids are allocated first, so both tables take plain executemany on the
        driver; on PostgreSQL the sequence gives them, returned by batched INSERTs."""
        if not records:
            return
        table = self.compiled.table
        allocated = allocate_ids(conn, table, len(records))
        ids: Sequence[int]
        try:
            if allocated is None:
                ids = conn.execute(
                    table.insert().returning(table.c.id, sort_by_parameter_order=True),
                    records).scalars().all()
            else:
                ids = allocated
                rows = [{**record, "id": record_id} for record_id, record in zip(ids, records)]
                names = tuple(rows[0])
                prepared = self.unit.statements.get(
                    ("insert", self.compiled.name, names),
                    lambda: Prepared(insert_statement(table, names), conn.dialect))
                try:
                    prepared.many(conn, rows)
                except conn.dialect.loaded_dbapi.IntegrityError as error:
                    raise sa.exc.IntegrityError(prepared.sql, None, error) from error
        except sa.exc.IntegrityError as error:
            translated = unique_violation(self.compiled, error, self.language)
            if translated is None:
                raise
            raise translated from None
        history = [
            history_row(self.compiled.name, record_id, self.user, self.now, "create",
                        created_changes(record, self.shown))
            for record_id, record in zip(ids, records)
        ]
        history_statement(self.unit).many(conn, history)


def check_import(compiled: CompiledEntity, user: User, *, mode: str, batch_size: int) -> None:
    """Refuse an import before it starts: a mode or batch size that is not one, or a user
    who may not create records of the entity at all."""
    language = user.language
    if mode not in MODES:
        raise RequestInvalid(render("bad_import_mode", {"allowed": MODES, "value": repr(mode)},
                                    language), code="bad_import_mode")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise RequestInvalid(render("bad_batch_size", {"value": repr(batch_size)}, language),
                             code="bad_batch_size")
    if not compiled.policy.may(user, "create"):
        raise AccessDenied(render("may_not_create_any", {"entity": compiled.name}, language),
                           code="may_not_create_any")


def bulk_insert(begin: Begin, compiled: CompiledEntity, user: User,
                rows: Iterable[Mapping[str, Any]], *, mode: str,
                batch_size: int) -> ImportReport:
    """Store.bulk_insert: see there. `begin` opens the import's unit of work, rolled back
    when an all-or-nothing import meets a bad row."""
    check_import(compiled, user, mode=mode, batch_size=batch_size)
    report_errors: list[RowError] = []
    inserted = 0
    try:
        with begin() as unit:
            conn = unit.conn
            importer = _Importer(unit, compiled)
            number = 0
            for batch in _batches(rows, batch_size):
                prepared = []
                for values in batch:
                    number += 1
                    record, problems = importer.prepare(values, unit.resolve)
                    prepared.append((number, record, problems))
                database = importer.database_errors(
                    conn, [r for _, r, p in prepared if not p])
                good: list[dict[str, Any]] = []
                extra = iter(database)
                for row_number, record, problems in prepared:
                    if not problems:
                        problems = next(extra)
                    if problems:
                        report_errors.append(RowError(row_number, problems))
                    else:
                        good.append(record)
                if mode == "skip_bad" or not report_errors:
                    importer.insert(conn, good)
                    inserted += len(good)
            if mode == "all_or_nothing" and report_errors:
                raise _Abort
    except _Abort:
        return ImportReport(0, report_errors)
    return ImportReport(inserted, report_errors)
