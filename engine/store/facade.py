"""The Store: the one door for every read and write.

A form post, an API call, an import row, a timer and a CLI command all pass through the
same methods, so validation, access rules, workflow guards, audit history and optimistic
locking hold everywhere. Each call is one transaction; who acts comes only from the
`user` argument.

Each call runs as one unit of work (`guanxi.store.unit.Unit`: the connection, the acting
user, the moment, the resolver, the compiled app and the prepared statements), which the
Store hands to the modules that carry it out: `rows` (one row, compare-and-set), `lists`,
`workflow` and `bulk`.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar, overload

import sqlalchemy as sa
from guanxi import expr
from guanxi.attachments.storage import Storage, new_key, storage_for
from guanxi.automation import asking
from guanxi.compile.app import App, CompiledEntity
from guanxi.errors import NotFound
from guanxi.identity import SYSTEM, User
from guanxi.messages import join, render
from guanxi.spec import PUBLIC_ROLE, SYSTEM_ROLE, TransitionSpec, text_in
from guanxi.store import (
    approving,
    attachments,
    changing,
    derived,
    erasure,
    merging,
    rows,
    stages,
)
from guanxi.store.attachments import Attachment, Upload
from guanxi.store.batch import Row
from guanxi.store.bulk import bulk_insert
from guanxi.store.database import create_engine
from guanxi.store.lists import count, history, list_page
from guanxi.store.pipeline import Creation
from guanxi.store.records import (
    ImportReport,
    Page,
    Record,
    RowError,
    record_id_of,
    shape,
)
from guanxi.store.rights import RecordRights
from guanxi.store.saving import Ahead, Journal, Prepare, SaveReport, bulk_save
from guanxi.store.similar import Likely, likely_duplicates
from guanxi.store.unit import Clock, Statements, Unit, context_of, unit_of_work
from guanxi.store.workflow import available, fire

__all__ = ["ImportReport", "Page", "RecordRights", "RowError", "SaveReport", "Store"]


T = TypeVar("T")


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
        self._statements = Statements()
        # Where attachment bytes are kept (`attachments:` in guanxi.yaml).
        self.storage: Storage = storage_for(app.spec.root, app.spec.attachments)

    @property
    def system(self) -> User:
        """The system actor: the user automation writes as. It holds only the role of
        the grants written under `system: grants:` in guanxi.yaml, so the rules apply
        to it as to anyone; its writes show in history as the system (no user id)."""
        return User(id=SYSTEM.id, username="system", roles=frozenset({SYSTEM_ROLE}),
                    display_name=SYSTEM.display_name)

    @property
    def public(self) -> User:
        """The public actor: anonymous visitors of the help centre and the public forms
        act as it. It holds only the role of the grants written under `public: grants:`
        in guanxi.yaml (none when there are none), so the rules apply to it as to anyone."""
        return User(id=SYSTEM.id, username="public", roles=frozenset({PUBLIC_ROLE}),
                    display_name="Public")

    def create_schema(self) -> None:
        """Create every table the project needs (development and tests; in production
        `guanxi migrate` plans and applies schema changes)."""
        self.app.tables.metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close the database connections this Store opened."""
        self.engine.dispose()

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _unit(self, user: User, *, write: bool = True, now: dt.datetime | None = None,
              ctx: expr.Context | None = None) -> Iterator[Unit]:
        """One call of `user` (at `now`, by default the Store's clock) as a unit of work."""
        with unit_of_work(self.app, self.engine, self._statements, user,
                          now or self.clock(), write=write, ctx=ctx) as unit:
            yield unit

    @contextmanager
    def reading(self, user: User, now: dt.datetime | None = None) -> Iterator[Unit]:
        """A read-only unit of work of `user` (at `now`, default the Store's clock), for
        readers that build their own statements from `store.query`'s conditions (the
        reports of `guanxi.insight`): one transaction, nothing written."""
        with self._unit(user, write=False, now=now) as unit:
            yield unit

    def context(self, user: User, now: dt.datetime | None = None) -> expr.Context:
        """The expression context of `user` at `now` (default: the Store's clock)."""
        return context_of(self.app, user, now or self.clock())

    def _insert(self, compiled: CompiledEntity) -> Any:
        """INSERT … RETURNING id for the entity, built once (run with the record as
        parameters, so SQLAlchemy reuses its compiled form)."""
        table = compiled.table
        return self._statements.get(("create", compiled.name),
                                    lambda: table.insert().returning(table.c.id))

    # ------------------------------------------------------------ create / get

    def create(self, user: User, entity: str, values: Mapping[str, Any]) -> Record:
        """Create a record from `values` (field name -> value, as Python, JSON or text);
        return it as the user sees it, with its system fields. The write pipeline on a
        batch of one (see `guanxi.store.stages`)."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            stages.actor(unit, compiled)
            creation = Creation(unit, compiled)
            [row] = creation.check([Row(1, values)])
            stages.raise_for(row)
            [row] = creation.write([row])
        return shape({"id": row.record_id, **row.record}, rows.visible(compiled, user))

    @overload
    def get(self, user: User, entity: str, record_id: Any, *,
            with_rights: Literal[False] = False) -> Record: ...

    @overload
    def get(self, user: User, entity: str, record_id: Any, *,
            with_rights: Literal[True]) -> RecordRights: ...

    def get(self, user: User, entity: str, record_id: Any, *,
            with_rights: bool = False) -> Record | RecordRights:
        """The record as the user sees it; NotFound if it is missing, deleted or unreadable.
        With `with_rights`, a RecordRights: the record, whether the user may update and
        delete it now, and the transitions she may fire on it."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            loaded = rows.load_row(unit, compiled, record_id, rights=with_rights)
        record = shape(loaded.record, rows.visible(compiled, user))
        if not with_rights:
            return record
        transitions = (tuple(self.available_transitions(user, entity, loaded.record))
                       if loaded.may_update else ())
        return RecordRights(record, loaded.may_update, loaded.may_delete, transitions)

    # ------------------------------------------------------------ update / delete / restore

    def update(self, user: User, entity: str, record_id: Any, changes: Mapping[str, Any],
               expected_version: int | None = None) -> Record:
        """Change some fields of a record (a partial update). With `expected_version`,
        VersionConflict unless the record is still at that version."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            record = changing.update(unit, compiled, record_id, changes, expected_version)
        return shape(record, rows.visible(compiled, user))

    def delete(self, user: User, entity: str, record_id: Any,
               expected_version: int | None = None) -> None:
        """Soft-delete a record (it keeps its data and history and can be restored)."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            changing.delete(unit, compiled, record_id, expected_version)

    def restore(self, user: User, entity: str, record_id: Any) -> Record:
        """Bring back a soft-deleted record; allowed to those who may delete it."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            record = changing.restore(unit, compiled, record_id)
        return shape(record, rows.visible(compiled, user))

    # ------------------------------------------------------------ workflow

    def transition(self, user: User, entity: str, record_id: Any, name: str,
                   values: Mapping[str, Any] | None = None,
                   expected_version: int | None = None) -> Record:
        """Fire workflow transition `name` on a record, with optional field `values`
        (e.g. the fields the transition requires). Checks, in order: the user's roles,
        the current state, the guard, the values, the transition's and the target
        state's requirements, then the whole record; all in one transaction."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            return fire(unit, compiled, record_id, name, values or {}, expected_version)

    def decide_approval(self, user: User, approval_id: int, decision: str,
                        comment: str = "") -> dict[str, Any]:
        """Approve or reject (`decision`) approval request `approval_id`, as an approver
        asked at its current step, with a comment; the last approval fires the
        transition as its requester, a rejection returns the record to `on_reject`
        (`guanxi.store.approving`). One transaction; returns {id, state, step}."""
        with self._unit(user) as unit:
            return approving.decide(unit, approval_id, decision, comment)

    def approvals(self, user: User, *, decided: bool = False) -> builtins.list[dict[str, Any]]:
        """The approval requests the user is asked to decide (with `decided`: also those
        they have decided), newest first."""
        with self._unit(user, write=False) as unit:
            return asking.inbox(self.app, unit.conn, user.id, user.language, decided=decided)

    def pending_approval(self, user: User, entity: str,
                         record_id: int) -> dict[str, Any] | None:
        """The pending approval request of a record the user may read, or None."""
        compiled = self.app.entity(entity)
        if not asking.uses_approvals(compiled):
            return None
        with self._unit(user, write=False) as unit:
            rows.load_row(unit, compiled, record_id)
            found = asking.pending_of(unit.conn, entity, record_id)
            if found is None:
                return None
            return {"id": int(found.id), "transition": found.transition,
                    "step": int(found.step) + 1, "created_at": found.created_at.isoformat()}

    def available_transitions(self, user: User, entity: str,
                              record: Mapping[str, Any]) -> list[TransitionSpec]:
        """The transitions the user may fire on the record now: allowed to their roles,
        leaving its current state, with the guard holding, on a record they may update."""
        compiled = self.app.entity(entity)
        if compiled.machine is None or record.get("id") is None:
            return []
        with self._unit(user, write=False) as unit:
            return available(unit, compiled, record["id"])

    # ------------------------------------------------------------ lists

    def list(self, user: User, entity: str, *, where: str | None = None,
             filters: Mapping[str, Any] | None = None, search: str | None = None,
             sort: Sequence[str] = ("-id",), limit: int = 50, after: str | None = None,
             with_total: bool = True, deleted: bool = False, sla: str | None = None,
             offset: int = 0, sums: Sequence[str] = ()) -> Page:
        """A page of the records the user may read. `where` is an expression on the
        entity, `filters` is {field: value} equality (a `filters.Range` bounds a range),
        `search` a case-insensitive substring of the visible text fields, `sort` field
        names ("-name" descending), `after` the previous page's `next_cursor`, `offset`
        records to skip (page numbers). `sums` names number fields summed over every
        matching record (`Page.sums`). `deleted=True` lists the trash.
        `sla` keeps the records with an SLA clock `breached`, `breaching_soon`,
        `breaching` (either) or `running`; the sort key `sla_due` orders by the soonest
        due time of a record's clocks (`guanxi.store.clocks`)."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            return list_page(unit, compiled, where=where, filters=filters, search=search,
                             sort=sort, limit=limit, after=after, with_total=with_total,
                             deleted=deleted, sla=sla, offset=offset, sums=sums)

    def count(self, user: User, entity: str, *, where: str | None = None,
              filters: Mapping[str, Any] | None = None, search: str | None = None) -> int:
        """How many records the user may read match `where`, `filters` and `search`."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            return count(unit, compiled, where=where, filters=filters, search=search)

    def history(self, user: User, entity: str, record_id: Any) -> builtins.list[dict[str, Any]]:
        """The record's changes, oldest first: id, at, user_id, user (username), action,
        transition, changes {field: [old, new]} (only fields the user may see)."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            return history(unit, compiled, record_id)

    # ------------------------------------------------------------ imports, explanations

    def bulk_insert(self, user: User, entity: str, rows: Iterable[Mapping[str, Any]], *,
                    mode: str = "all_or_nothing", batch_size: int = 1000,
                    historical: bool = False, ahead: bool | None = None,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
        """Insert many records, each validated and access-checked like `create`, in
        batches, in one transaction. `all_or_nothing`: any bad row inserts nothing;
        `skip_bad`: good rows are inserted. Either way every bad row is reported.

        `historical=True` (administrators and the system actor only) imports records
        as they were: a row may also give `state` (checked against that state's
        requirements), `created_at` and `updated_at`; history records each as one
        `import` entry at its `created_at`, and its event is `imported`.

        `ahead`: whether the batches after the first are checked in a second process
        while this one writes (`guanxi.store.ahead`); None (default): on Linux with more
        than one CPU, from a process running one thread. The report is the same; the
        rows are then read in that process, after the first batch. `progress`: called
        after each batch with the number of rows done so far."""
        compiled = self.app.entity(entity)
        trusted = self._is_admin(user) or SYSTEM_ROLE in user.roles
        return bulk_insert(lambda: self._unit(user), compiled, user, rows, mode=mode,
                           batch_size=batch_size, historical=historical, trusted=trusted,
                           ahead=ahead, progress=progress)

    def recompute(self, entity: str | None = None) -> dict[str, int]:
        """Rebuild every roll-up and stored computed field (of `entity`, or of every
        entity) from the records as they are, in one transaction, as the system; per
        `entity.field`, how many records held a different value. For values that only
        time moves (`when: 'bought_on >= today() - 365d'`) and after data was changed
        outside the Store."""
        if entity is not None:
            self.app.entity(entity)
        with self._unit(self.system) as unit:
            return derived.recompute(unit, entity)

    def bulk_save(self, user: User, entity: str, items: Iterable[T], prepare: Prepare[T], *,
                  journal: Journal | None = None,
                  follow_up: Callable[[], Sequence[T]] | None = None,
                  mode: str = "all_or_nothing",
                  batch_size: int = 1000, historical: bool = False,
                  dry_run: bool = False, ahead: Ahead[T] | None = None) -> SaveReport:
        """Save many rows, new and existing, in batches, in one transaction: `prepare`
        turns each batch of `items` into `saving.Write`s (new records, changes to a
        record, deletions) or `RowError`s, inside the transaction (it may look records
        up with the unit it is given). New records pass the stages of `create`, changes
        those of `update`, deletions those of `delete`; all end in history and events.
        `journal` sees each batch's outcomes and refused rows in the same
        transaction; `follow_up`, called once the items are saved (until it gives
        nothing), gives more items that depend on them. Modes as for
        `bulk_insert`; `dry_run` checks and writes, then rolls everything back.
        `historical` (administrators and the system actor): new records as
        `bulk_insert` takes them, and changes may give `state` and `updated_at`.
        `ahead`: `prepare` in two parts, the first of which (reading no database) may
        run for the next batches in a second process, with their new records' stages
        before the database, as `bulk_insert` does (see `saving.Ahead`)."""
        compiled = self.app.entity(entity)
        trusted = self._is_admin(user) or SYSTEM_ROLE in user.roles
        return bulk_save(lambda: self._unit(user), compiled, user, items, prepare,
                         journal=journal, follow_up=follow_up, mode=mode,
                         batch_size=batch_size,
                         historical=historical, trusted=trusted, dry_run=dry_run,
                         ahead=ahead)

    def likely_duplicates(self, user: User, entity: str, values: Mapping[str, Any],
                          exclude: Any = None) -> builtins.list[Likely]:
        """The records the user may read that `values` likely duplicate, by the entity's
        `duplicates:` rules (see `guanxi.store.similar`); values that cannot be read as
        their fields' types are left out of the comparison."""
        compiled = self.app.entity(entity)
        if not compiled.spec.duplicates:
            return []
        known = {k: v for k, v in values.items() if k in compiled.fields}
        clean, errors = compiled.validator.coerce(known, user.language)
        clean = {k: v for k, v in clean.items() if k not in errors}
        with self._unit(user, write=False) as unit:
            skip = None if exclude is None else record_id_of(compiled, exclude, user.language)
            return likely_duplicates(unit, compiled, clean, skip)

    def merge(self, user: User, entity: str, survivor_id: Any, other_id: Any,
              take: Mapping[str, str] | None = None) -> Record:
        """Merge record `other_id` into `survivor_id`: the survivor takes the other's
        value of each field `take` maps to "other", every reference to the other points
        at the survivor, the other is soft-deleted, both keep their histories with a
        `merge` entry (see `guanxi.store.merging`). The survivor as the user sees it."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            record = merging.merge(unit, compiled, survivor_id, other_id, take or {})
        return shape(record, rows.visible(compiled, user))

    def erase(self, user: User, entity: str, record_id: Any) -> tuple[str, ...]:
        """Anonymize a record's sensitive fields, in the record and in the old values of
        its history and events, leaving an `erase` entry without values (administrators
        and the system actor only; see `guanxi.store.erasure`). The fields erased."""
        compiled = self.app.entity(entity)
        trusted = self._is_admin(user) or SYSTEM_ROLE in user.roles
        with self._unit(user) as unit:
            erased = erasure.erase(unit, compiled, record_id, trusted=trusted)
            keys = attachments.erase(unit, compiled, rows.load_row(
                unit, compiled, record_id, rights=False).record["id"])
        for key in keys:
            self.storage.delete(key)
        return erased

    # ------------------------------------------------------------ attachments

    def attach(self, user: User, entity: str, record_id: Any, upload: Upload,
               field: str | None = None) -> Attachment:
        """Attach a file to a record the user may update (in its `file` field `field`
        when given): its type sniffed from its bytes and checked, with its size, against
        `attachments:` in guanxi.yaml; history and an `attached` event record it (see
        `guanxi.store.attachments`)."""
        compiled = self.app.entity(entity)
        key = new_key()
        self.storage.put(key, upload.content)
        try:
            with self._unit(user) as unit:
                return attachments.add(unit, compiled, record_id, upload, key, field)
        except BaseException:
            self.storage.delete(key)
            raise

    def attachments(self, user: User, entity: str, record_id: Any
                    ) -> builtins.list[Attachment]:
        """The record's attachments the user may see, oldest first."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            return attachments.listed(unit, compiled, record_id)

    def attachment(self, user: User, entity: str, record_id: Any, attachment_id: int
                   ) -> tuple[Attachment, bytes]:
        """One attachment of the record and its bytes, if the user may see it (NotFound
        otherwise, and for erased content)."""
        compiled = self.app.entity(entity)
        with self._unit(user, write=False) as unit:
            found = attachments.one(unit, compiled, record_id, attachment_id)
        content = None if found.erased else self.storage.get(found.key)
        if content is None:
            raise NotFound("attachment", attachment_id, user.language)
        return found, content

    def detach(self, user: User, entity: str, record_id: Any, attachment_id: int) -> None:
        """Remove an attachment from a record the user may update; its bytes are deleted
        once that is committed."""
        compiled = self.app.entity(entity)
        with self._unit(user) as unit:
            key = attachments.remove(unit, compiled, record_id, attachment_id)
        self.storage.delete(key)

    def explain(self, user: User, entity: str, record_id: Any = None, *,
                for_operator: bool = False) -> builtins.list[str]:
        """Why the user can or cannot see and change the entity (or the record).
        `for_operator`: asked by an operator of the database (`guanxi explain`), who may
        learn that the record exists even when the user cannot read it."""
        compiled = self.app.entity(entity)
        ctx = self.context(user)
        if record_id is None:
            return compiled.policy.explain(user, ctx, None)
        table = compiled.table
        with self._unit(user, write=False, ctx=ctx) as unit:
            ctx = unit.ctx  # with the user's team mates, when rules ask for them
            query = sa.select(table).where(
                table.c.id == record_id_of(compiled, record_id, user.language))
            if not for_operator and not self._is_admin(user):
                # Explaining a record would tell that it exists: only to its readers.
                query = query.where(compiled.policy.read_filter(user, ctx))
            row = unit.conn.execute(query).mappings().first()
            if row is None:
                raise NotFound(entity, record_id, user.language)
            lines = compiled.policy.explain(user, ctx, dict(row), unit.resolve)
            if compiled.machine is not None:
                lines.append(_transitions_line(user, entity, available(unit, compiled,
                                                                       row["id"])))
            return lines

    def _is_admin(self, user: User) -> bool:
        spec = self.app.spec
        return any(
            role.admin for name in spec.expand_roles(user.roles) if (role := spec.role(name))
        )


def _transitions_line(user: User, entity: str, transitions: Sequence[TransitionSpec]) -> str:
    """What `Store.explain` says of the transitions the user may fire on the record now."""
    language = user.language
    if not transitions:
        return render("explain_no_transitions", {"user": user.username, "entity": entity},
                      language)
    shown = join([f"{t.name} ({text_in(t.label, language, t.name)})" for t in transitions],
                 language)
    return render("explain_transitions", {"user": user.username, "transitions": shown},
                  language)
