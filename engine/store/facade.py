"""The Store: the one door for every read and write.

A form post, an API call, an import row, a timer and a CLI command all pass through the
same methods, so validation, access rules, workflow guards, audit history and optimistic
locking hold everywhere. Each call is one transaction; who acts comes only from the
`user` argument.

Writes are compare-and-set: `UPDATE … WHERE id = ? AND version = ? [AND state = ?] AND
<the user's update condition>`. When no row matches, the row is read again to tell
NotFound, VersionConflict and AccessDenied apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from guanxi import expr
from guanxi.compile.app import App, CompiledEntity
from guanxi.compile.validation import merge_errors
from guanxi.errors import AccessDenied, GuanxiError, NotFound, ValidationFailed, VersionConflict
from guanxi.expr.functions import context_params
from guanxi.fields.integers import parse_int
from guanxi.fields.registry import coerce
from guanxi.identity import User
from guanxi.spec import TransitionSpec
from guanxi.store.bulk import bulk_insert
from guanxi.store.database import WRITE_OPTION, create_engine
from guanxi.store.lists import count, history, list_page
from guanxi.store.records import (
    ImportReport,
    Loaded,
    Page,
    Record,
    RowError,
    changes_of,
    check_names,
    check_references,
    check_unique,
    created_changes,
    history_row,
    is_literal,
    load,
    record_id_of,
    shape,
    unique_violation,
    user_id_of,
)
from guanxi.store.workflow import available, fire

__all__ = ["ImportReport", "Page", "RowError", "Store"]

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """Reads and writes records of a compiled project in one database."""

    def __init__(self, app: App, url_or_engine: str | sa.URL | sa.Engine, *,
                 clock: Clock = _utc_now) -> None:
        self.app = app
        if isinstance(url_or_engine, sa.Engine):
            self.engine = url_or_engine
        else:
            self.engine = create_engine(url_or_engine)
        self.clock = clock
        # Statements built once and run with parameters, keyed by what shapes them.
        self._prepared: dict[Any, Any] = {}

    def create_schema(self) -> None:
        """Create every table the project needs (development and tests; in production
        `guanxi migrate` plans and applies schema changes)."""
        self.app.tables.metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close the database connections this Store opened."""
        self.engine.dispose()

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: write})
            with conn.begin():
                yield conn

    def context(self, user: User, now: dt.datetime | None = None) -> Any:
        """The expression context of `user` at `now` (default: the Store's clock)."""
        roles = self.app.spec.expand_roles(user.roles)
        return expr.Context(user_id=user.id, roles=roles, now=now or self.clock())

    def _resolver(self, conn: sa.Connection) -> Callable[[str, int], Record | None]:
        """What follows reference paths (account.sector) for Python-side expressions:
        reads the referred row in this transaction, once per record."""
        tables = self.app.tables.entities
        cache: dict[tuple[str, int], Record | None] = {}

        def resolve(entity: str, record_id: int) -> Record | None:
            key = (entity, record_id)
            if key not in cache:
                table = tables.get(entity)
                row = None if table is None else conn.execute(
                    sa.select(table).where(table.c.id == record_id)).mappings().first()
                cache[key] = dict(row) if row is not None else None
            return cache[key]

        return resolve

    def _insert(self, compiled: CompiledEntity) -> Any:
        """INSERT … RETURNING id for the entity, built once (run with the record as
        parameters, so SQLAlchemy reuses its compiled form)."""
        key = ("create", compiled.name)
        statement = self._prepared.get(key)
        if statement is None:
            table = compiled.table
            statement = self._prepared[key] = table.insert().returning(table.c.id)
        return statement

    def _entity(self, name: str) -> CompiledEntity:
        return self.app.entity(name)

    def _filters(self, entity: CompiledEntity, user: User, ctx: Any) -> tuple[Any, Any, Any]:
        """The read, update and delete rules, with bind parameters (`context_params`)."""
        policy = entity.policy
        return (policy.rule(user, ctx, "read"), policy.rule(user, ctx, "update"),
                policy.rule(user, ctx, "delete"))

    def _load(self, conn: sa.Connection, entity: CompiledEntity, user: User, ctx: Any,
              record_id: Any, *, deleted: bool = False, lock: bool = False,
              rights: bool = True) -> Loaded:
        """The row if readable; with `rights`, also whether the user may update and
        delete it (otherwise both are reported False)."""
        if rights:
            read, update, delete = self._filters(entity, user, ctx)
        else:
            read, update, delete = entity.policy.rule(user, ctx, "read"), sa.false(), sa.false()
        return load(conn, entity, record_id, read, update, delete, deleted=deleted, lock=lock,
                    params=context_params(ctx))

    def _visible(self, entity: CompiledEntity, user: User) -> frozenset[str]:
        return entity.policy.visible_fields(user)

    def _known(self, entity: CompiledEntity, user: User, *, creating: bool) -> frozenset[str]:
        """The fields whose values the user knows: those she sees, and on create those she
        may give."""
        known = self._visible(entity, user)
        if creating:
            initial = entity.machine.initial if entity.machine else None
            known |= entity.policy.writable_fields(user, initial, "create")
        return known

    def _defaults(self, entity: CompiledEntity, user: User, now: dt.datetime,
                  given: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in entity.spec.fields:
            if spec.name in given or spec.default is None or spec.compute:
                continue
            default = spec.default
            if default == "current_user" and spec.type == "user":
                values[spec.name] = user_id_of(user)
            elif default == "today" and spec.type == "date":
                values[spec.name] = now.date()
            elif default == "now" and spec.type == "datetime":
                values[spec.name] = now
            else:
                values[spec.name] = coerce(spec, default)
        return values

    def _finish_record(self, conn: sa.Connection, entity: CompiledEntity, user: User,
                       ctx: Any, record: dict[str, Any], changed: Iterable[str],
                       errors: dict[str, list[str]], *, state: str | None = None,
                       record_id: int | None = None) -> None:
        """Compute fields, check the whole record, its references and unique values;
        raise ValidationFailed with every problem found."""
        language = user.language
        changed = set(changed)
        resolver = self._resolver(conn)
        computed = entity.validator.compute(record, ctx, resolver, language)
        changed |= {c.field.name for c in entity.validator.computed}
        checks = entity.validator.check(record, ctx, language, resolver, state)
        # A value that could not be read is reported once, not again by rules about it.
        checks = {name: messages for name, messages in checks.items() if name not in errors}
        problems = merge_errors(errors, computed, checks)
        references = {n: record.get(n) for n in changed
                      if entity.types.get(n) in ("reference", "user") and n not in problems}
        problems = merge_errors(
            problems,
            check_references(conn, self.app, entity, user, ctx, references, language),
            check_unique(conn, entity, record, changed - set(problems), language, record_id,
                         self._known(entity, user, creating=record_id is None)),
        )
        if problems:
            raise ValidationFailed(problems)

    # ------------------------------------------------------------ create / get

    def create(self, user: User, entity: str, values: Mapping[str, Any]) -> Record:
        """Create a record from `values` (field name -> value, as Python, JSON or text);
        return it as the user sees it, with its system fields."""
        compiled = self._entity(entity)
        policy = compiled.policy
        now = self.clock()
        ctx = self.context(user, now)
        if not policy.may(user, "create"):
            raise AccessDenied(f"you may not create {entity} records")
        initial = compiled.machine.initial if compiled.machine else None
        check_names(compiled, values, policy.writable_fields(user, initial, "create"),
                    user.language)
        clean, errors = compiled.validator.coerce(values, user.language)
        record: dict[str, Any] = {name: None for name in compiled.types}
        record.update(self._defaults(compiled, user, now, clean))
        record.update(clean)
        record.update(created_at=now, updated_at=now, created_by=user_id_of(user), version=1)
        if "owner" not in clean:
            record["owner"] = user_id_of(user)
        if initial is not None:
            record["state"] = initial
        record.pop("id", None)
        with self._transaction() as conn:
            changed = [n for n in record if n in compiled.fields or n == "owner"]
            self._finish_record(conn, compiled, user, ctx, record, changed, errors)
            if not policy.can_create(user, ctx, record, self._resolver(conn)):
                raise AccessDenied(f"you may not create this {entity} "
                                   "(no create condition of your roles holds for it)")
            try:
                record_id = conn.execute(self._insert(compiled), record).scalar_one()
            except sa.exc.IntegrityError as error:
                translated = unique_violation(compiled, error, user.language)
                if translated is None:
                    raise
                raise translated from None
            record = {"id": record_id, **record}
            shown = [n for n in compiled.types if n in compiled.fields or n in ("owner", "state")]
            conn.execute(self.app.tables.history.insert(), history_row(
                entity, record_id, user, now, "create", created_changes(record, shown)))
        return shape(record, self._visible(compiled, user))

    def get(self, user: User, entity: str, record_id: Any) -> Record:
        """The record as the user sees it; NotFound if it is missing, deleted or unreadable."""
        compiled = self._entity(entity)
        ctx = self.context(user)
        with self._transaction(write=False) as conn:
            loaded = self._load(conn, compiled, user, ctx, record_id, rights=False)
        return shape(loaded.record, self._visible(compiled, user))

    # ------------------------------------------------------------ update / delete / restore

    def _refuse_stale(self, entity: str, loaded: Loaded, expected: Any) -> None:
        """VersionConflict unless the record is at the `expected` version (an int, or
        its text as a form sends it); nothing to check when None."""
        if expected is None:
            return
        if isinstance(expected, str):
            number = parse_int(expected.strip())
            expected = expected if number is None else number
        if isinstance(expected, bool) or not isinstance(expected, int):
            raise GuanxiError(f"expected_version must be a whole number, not {expected!r}")
        if loaded.record["version"] != expected:
            raise VersionConflict(entity, loaded.record["id"], expected,
                                  loaded.record["version"])

    def _compare_and_set(self, conn: sa.Connection, compiled: CompiledEntity, user: User,
                         ctx: Any, loaded: Loaded, values: Mapping[str, Any],
                         permission: sa.ColumnElement[bool], *, deleted: bool = False,
                         state: str | None = None) -> None:
        """UPDATE the row if it is still the version read, in the state read, and the
        user's condition still holds; otherwise find out why and raise."""
        table = compiled.table
        record = loaded.record
        conditions = [table.c.id == record["id"], table.c.version == record["version"],
                      table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None)]
        if state is not None:
            conditions.append(table.c.state == state)
        if not is_literal(permission, True):
            conditions.append(permission)
        try:
            result = conn.execute(table.update().where(*conditions).values(**values),
                                  context_params(ctx))
        except sa.exc.IntegrityError as error:
            translated = unique_violation(compiled, error, user.language)
            if translated is None:
                raise
            raise translated from None
        if result.rowcount == 1:
            return
        again = self._load(conn, compiled, user, ctx, record["id"], deleted=deleted)
        if again.record["version"] != record["version"] or again.record.get("state") != record.get(
                "state"):
            raise VersionConflict(compiled.name, record["id"], record["version"],
                                  again.record["version"])
        raise AccessDenied(f"you may not change this {compiled.name}")

    def update(self, user: User, entity: str, record_id: Any, changes: Mapping[str, Any],
               expected_version: int | None = None) -> Record:
        """Change some fields of a record (a partial update). With `expected_version`,
        VersionConflict unless the record is still at that version."""
        compiled = self._entity(entity)
        policy = compiled.policy
        now = self.clock()
        ctx = self.context(user, now)
        with self._transaction() as conn:
            loaded = self._load(conn, compiled, user, ctx, record_id, lock=True)
            old = loaded.record
            self._refuse_stale(entity, loaded, expected_version)
            if not loaded.may_update:
                raise AccessDenied(f"you may not change this {entity}")
            check_names(compiled, changes, policy.writable_fields(user, old.get("state")),
                        user.language)
            clean, errors = compiled.validator.coerce(changes, user.language)
            record = dict(old)
            record.update(clean)
            changed = [n for n in clean if clean[n] != old.get(n)]
            self._finish_record(conn, compiled, user, ctx, record, changed, errors,
                                record_id=old["id"])
            names = [n for n in compiled.types if n in compiled.fields or n == "owner"]
            diff = changes_of(old, record, names)
            if not diff:
                return shape(old, self._visible(compiled, user))
            values = {n: record[n] for n in names if record.get(n) != old.get(n)}
            values.update(version=old["version"] + 1, updated_at=now)
            self._compare_and_set(conn, compiled, user, ctx, loaded, values,
                                  policy.rule(user, ctx, "update"))
            record.update(values)
            conn.execute(self.app.tables.history.insert(),
                         history_row(entity, old["id"], user, now, "update", diff))
        return shape(record, self._visible(compiled, user))

    def delete(self, user: User, entity: str, record_id: Any,
               expected_version: int | None = None) -> None:
        """Soft-delete a record (it keeps its data and history and can be restored)."""
        compiled = self._entity(entity)
        now = self.clock()
        ctx = self.context(user, now)
        with self._transaction() as conn:
            loaded = self._load(conn, compiled, user, ctx, record_id, lock=True)
            self._refuse_stale(entity, loaded, expected_version)
            if not loaded.may_delete:
                raise AccessDenied(f"you may not delete this {entity}")
            values = {"deleted_at": now, "version": loaded.record["version"] + 1,
                      "updated_at": now}
            self._compare_and_set(conn, compiled, user, ctx, loaded, values,
                                  compiled.policy.rule(user, ctx, "delete"))
            conn.execute(self.app.tables.history.insert(), history_row(
                entity, loaded.record["id"], user, now, "delete",
                changes_of(loaded.record, values, ["deleted_at"])))

    def restore(self, user: User, entity: str, record_id: Any) -> Record:
        """Bring back a soft-deleted record; allowed to those who may delete it."""
        compiled = self._entity(entity)
        now = self.clock()
        ctx = self.context(user, now)
        with self._transaction() as conn:
            loaded = self._load(conn, compiled, user, ctx, record_id, deleted=True, lock=True)
            if not loaded.may_delete:
                raise AccessDenied(f"you may not restore this {entity}")
            values = {"deleted_at": None, "version": loaded.record["version"] + 1,
                      "updated_at": now}
            self._compare_and_set(conn, compiled, user, ctx, loaded, values,
                                  compiled.policy.rule(user, ctx, "delete"), deleted=True)
            record = {**loaded.record, **values}
            conn.execute(self.app.tables.history.insert(), history_row(
                entity, record["id"], user, now, "restore",
                changes_of(loaded.record, values, ["deleted_at"])))
        return shape(record, self._visible(compiled, user))

    # ------------------------------------------------------------ workflow

    def transition(self, user: User, entity: str, record_id: Any, name: str,
                   values: Mapping[str, Any] | None = None,
                   expected_version: int | None = None) -> Record:
        """Fire workflow transition `name` on a record, with optional field `values`
        (e.g. the fields the transition requires). Checks, in order: the user's roles,
        the current state, the guard, the values, the transition's and the target
        state's requirements, then the whole record; all in one transaction."""
        return fire(self, user, entity, record_id, name, values or {}, expected_version)

    def available_transitions(self, user: User, entity: str,
                              record: Mapping[str, Any]) -> list[TransitionSpec]:
        """The transitions the user may fire on the record now: allowed to their roles,
        leaving its current state, with the guard holding, on a record they may update."""
        return available(self, user, entity, record)

    # ------------------------------------------------------------ lists

    def list(self, user: User, entity: str, *, where: str | None = None,
             filters: Mapping[str, Any] | None = None, search: str | None = None,
             sort: Sequence[str] = ("-id",), limit: int = 50, after: str | None = None,
             with_total: bool = True, deleted: bool = False) -> Page:
        """A page of the records the user may read. `where` is an expression on the
        entity, `filters` is {field: value} equality, `search` a case-insensitive
        substring of the visible text fields, `sort` field names ("-name" descending),
        `after` the previous page's `next_cursor`. `deleted=True` lists the trash."""
        return list_page(self, user, entity, where=where, filters=filters, search=search,
                         sort=sort, limit=limit, after=after, with_total=with_total,
                         deleted=deleted)

    def count(self, user: User, entity: str, *, where: str | None = None,
              filters: Mapping[str, Any] | None = None, search: str | None = None) -> int:
        """How many records the user may read match `where`, `filters` and `search`."""
        return count(self, user, entity, where=where, filters=filters, search=search)

    def history(self, user: User, entity: str, record_id: Any) -> list[dict[str, Any]]:
        """The record's changes, oldest first: id, at, user_id, user (username), action,
        transition, changes {field: [old, new]} (only fields the user may see)."""
        return history(self, user, entity, record_id)

    # ------------------------------------------------------------ imports, explanations

    def bulk_insert(self, user: User, entity: str, rows: Iterable[Mapping[str, Any]], *,
                    mode: str = "all_or_nothing", batch_size: int = 1000) -> ImportReport:
        """Insert many records, each validated and access-checked like `create`, in
        batches, in one transaction. `all_or_nothing`: any bad row inserts nothing;
        `skip_bad`: good rows are inserted. Either way every bad row is reported."""
        return bulk_insert(self, user, entity, rows, mode=mode, batch_size=batch_size)

    def explain(self, user: User, entity: str, record_id: Any = None) -> list[str]:
        """Why the user can or cannot see and change the entity (or the record)."""
        compiled = self._entity(entity)
        ctx = self.context(user)
        record = None
        if record_id is not None:
            table = compiled.table
            with self._transaction(write=False) as conn:
                query = sa.select(table).where(table.c.id == record_id_of(compiled, record_id))
                if not self._is_admin(user):
                    # Explaining a record would tell that it exists: only to its readers.
                    query = query.where(compiled.policy.read_filter(user, ctx))
                row = conn.execute(query).mappings().first()
                resolver = self._resolver(conn)
                if row is None:
                    raise NotFound(entity, record_id)
                return compiled.policy.explain(user, ctx, dict(row), resolver)
        return compiled.policy.explain(user, ctx, record)

    def _is_admin(self, user: User) -> bool:
        spec = self.app.spec
        return any(
            role.admin for name in spec.expand_roles(user.roles) if (role := spec.role(name))
        )

    def fire_due_timers(self, now: dt.datetime) -> list[Any]:
        """Timers are not run by this version of the Store."""
        raise GuanxiError("timers are not run yet: fire_due_timers is not implemented")

