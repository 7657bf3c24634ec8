"""`guanxi import`: a CSV or XLSX file into an entity's records, through the Store.

The file is read as a stream (`readers`), each column planned (`plan`: the mapping's
columns, the others matched by name or label), and rows flow in batches into
`Store.bulk_save`, whose `prepare` step (inside the import's one transaction) cleans
each cell (`cleaning`), finds references by a natural key (one query per column and
batch, only among records the user may read), creates missing targets when the mapping
says so, and matches rows to existing records by the key fields for an upsert. A
reference from the entity to itself that names a row further down the file is filled
in once that row is in. Every problem goes to the report (row, column, value,
message); every record created or changed is journaled under the import's batch
(`batches`), so the import can be undone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from guanxi.compile.app import CompiledEntity
from guanxi.data import batches, cleaning
from guanxi.data.mapping import DATE_TYPES, NUMBER_TYPES, ImportMapping
from guanxi.data.plan import ColumnPlan, Plan, plan_columns
from guanxi.data.readers import Table, open_table
from guanxi.errors import RequestInvalid
from guanxi.identity import User
from guanxi.messages import render
from guanxi.store.batch import Row
from guanxi.store.facade import Store
from guanxi.store.lookups import matching
from guanxi.store.pipeline import Creation
from guanxi.store.readable import require_readable
from guanxi.store.records import RowError
from guanxi.store.saving import Ahead, Outcome, Write
from guanxi.store.unit import Unit

MODES = ("all-or-nothing", "skip-bad", "upsert")


class Problem(NamedTuple):
    """One line of the report: the row (line of the file), the column, its value and what
    is wrong."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: its batch (None for a dry run), the counts, the rows refused,
    whether anything was kept, and the file's columns nothing used."""

    batch: int | None
    created: int
    updated: int
    unchanged: int
    failed: int
    written: bool
    unused: tuple[str, ...] = ()
    deleted: int = 0


@dataclass(frozen=True, slots=True)
class _Deferred:
    """A reference to a record of the same import further down the file, filled in
    after the rows."""

    number: int
    plan: ColumnPlan
    value: Any


@dataclass(slots=True)
class _Cells:
    """One row being prepared."""

    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # The key values (upserts), as the database holds them; read once per row.
    key: tuple[Any, ...] | None = None


# What the saving process needs of a row prepared elsewhere: its number, its cells and
# its problems.
_Noted = tuple[int, list[str], tuple[Problem, ...]]


def _note(rows: Sequence[_Cells]) -> list[_Noted]:
    return [(row.number, row.cells, tuple(row.problems)) for row in rows]


Report = Callable[[Problem], None]
Progress = Callable[[int], None]


class Importer:
    """One import of one file into one entity, as one user."""

    def __init__(self, store: Store, user: User, entity: str,
                 mapping: ImportMapping | None = None, *, mode: str = "all-or-nothing",
                 keys: Sequence[str] = (), dry_run: bool = False, batch_size: int = 1000,
                 report: Report | None = None, progress: Progress | None = None,
                 batch: int | None = None, ahead: bool | None = None) -> None:
        if mode not in MODES:
            raise RequestInvalid(render("bad_import_mode", {"allowed": MODES,
                                                            "value": repr(mode)},
                                        user.language), code="bad_import_mode")
        self.store, self.user, self.app = store, user, store.app
        self.entity: CompiledEntity = store.app.entity(entity)
        self.mapping = mapping
        self.mode = mode
        self.keys = tuple(keys) or (mapping.key if mapping else ())
        if mode == "upsert" and not self.keys:
            raise RequestInvalid(render("upsert_needs_key", {"entity": entity},
                                        user.language), code="upsert_needs_key")
        for name in self.keys:
            if name not in self.entity.fields:
                raise RequestInvalid(render("unknown_key", {"name": name, "entity": entity},
                                            user.language), code="unknown_key")
        self.dry_run = dry_run
        self.batch_size = batch_size
        # Whether the next batches are prepared in a second process (None: where it can
        # be; see `_run`).
        self.ahead = ahead
        self.report = report or (lambda problem: None)
        self.progress = progress or (lambda count: None)
        self.plan: Plan = Plan((), ())
        # A batch started beforehand (an import queued as a job), else one of its own.
        self.batch: int | None = batch
        self.failed_rows: set[int] = set()
        self.deferred: list[_Deferred] = []
        self.deferred_rows: set[int] = set()
        self.created_ids: dict[int, int] = {}
        self.reported: set[int] = set()
        self.current: dict[int, list[str]] = {}
        self.cleaners: list[tuple[ColumnPlan, Callable[[str], Any]]] = []
        self.fast: list[tuple[str, int, Callable[[str], Any]]] = []
        self.width = 0

    # ------------------------------------------------------------ running

    def run(self, path: str | Path) -> ImportResult:
        """Import the file at `path`."""
        table = open_table(path)
        try:
            return self._run(table, str(path))
        finally:
            table.close()

    def _run(self, table: Table, path: str) -> ImportResult:
        self.plan = plan_columns(self.app, self.entity, self.mapping, table.headers)
        self.cleaners = [(plan, self._cleaner(plan)) for plan in self.plan.columns]
        self.fast = [(plan.target, plan.index, clean) for plan, clean in self.cleaners]
        self.width = max((plan.index + 1 for plan in self.plan.columns), default=0)
        for plan in self.plan.columns:
            if plan.ref is not None and plan.lookup != "id":
                require_readable(self.app, self.user, plan.ref, plan.lookup, "lookup")
        if self.mode == "upsert":
            # Matching on a field the user cannot see would tell what it holds.
            for name in self.keys:
                require_readable(self.app, self.user, self.entity.name, name, "key")
        engine = self.store.engine
        mode = "skip_bad" if self.mode == "skip-bad" else "all_or_nothing"
        if not self.dry_run and self.batch is None:
            self.batch = batches.start(engine, self.user, self.entity.name, path,
                                       self.mode, self.store.clock())
        # Where no column needs the database, the next batches are read, cleaned and
        # checked in a second process while this one writes (`saving.Ahead`).
        ahead = Ahead(self._first, self._settle, force=self.ahead) if self._local() else None
        try:
            saved = self.store.bulk_save(
                self.user, self.entity.name, table.rows, self._prepare,
                journal=self._journal, follow_up=self._follow_up, mode=mode,
                batch_size=self.batch_size,
                historical=self.plan.historical, dry_run=self.dry_run, ahead=ahead)
        except BaseException:
            if self.batch is not None:
                batches.finish(engine, self.batch, "failed", self.store.clock(), {})
            raise
        failed = len(self.failed_rows)
        if self.batch is not None:
            batches.finish(engine, self.batch, "done" if saved.written else "failed",
                           self.store.clock(),
                           {"created": saved.created if saved.written else 0,
                            "updated": saved.updated if saved.written else 0,
                            "unchanged": saved.unchanged, "failed": failed})
        return ImportResult(self.batch, saved.created, saved.updated, saved.unchanged,
                            failed, saved.written, self.plan.unused)

    def _follow_up(self) -> list[Any]:
        """The references to rows further down the file, once those rows are in."""
        deferred, self.deferred = self.deferred, []
        return deferred

    # ------------------------------------------------------------ preparing a batch

    def _prepare(self, unit: Unit, items: Sequence[Any]) -> list[Write | RowError]:
        rows = [_Cells(number, cells) for item in items
                if not isinstance(item, _Deferred) for number, cells in [item]]
        deferred = [item for item in items if isinstance(item, _Deferred)]
        for row in rows:
            self._clean(row)
        for plan in self.plan.columns:
            if plan.ref is not None:
                self._references(unit, plan, rows)
            elif plan.target == "owner":
                self._owners(unit, plan, rows)
        existing = self._existing(unit, rows) if self.mode == "upsert" else {}
        out = self._outputs(rows, existing)
        self._noted(_note(rows))
        out.extend(self._resolve_deferred(unit, deferred))
        self.progress(len(items))
        return out

    def _local(self) -> bool:
        """Whether preparing a batch needs no database: no column is looked up (a
        reference or the owner) and no row is matched to a record (an upsert)."""
        return self.mode != "upsert" and not any(
            plan.ref is not None or plan.target == "owner" for plan in self.plan.columns)

    def _first(self, items: Sequence[tuple[int, list[str]]]
               ) -> tuple[list[_Noted], list[Write | RowError]]:
        """`_prepare` for a plan that needs no database (`_local`), without its
        effects: they are in the note, for `_settle` (see `saving.Ahead`)."""
        rows = [_Cells(number, cells) for number, cells in items]
        for row in rows:
            self._clean(row)
        return _note(rows), self._outputs(rows, {})

    def _settle(self, unit: Unit, note: list[_Noted]) -> None:
        """The effects of `_first`'s batch: its problems reported, its progress."""
        del unit
        self._noted(note)
        self.progress(len(note))

    def _noted(self, note: Sequence[_Noted]) -> None:
        """A batch's cells kept (for problems the pipeline finds later) and the problems
        of its rows reported."""
        self.reported = set()
        self.current = {}
        for number, cells, problems in note:
            self.current[number] = cells
            if problems:
                for problem in problems:
                    self.report(problem)
                self.failed_rows.add(number)
                self.reported.add(number)

    def _outputs(self, rows: Sequence[_Cells], existing: Mapping[tuple[Any, ...], int]
                 ) -> list[Write | RowError]:
        """Each row's write (a new record, or changes to the `existing` record its key
        matches), or its error."""
        out: list[Write | RowError] = []
        for row in rows:
            if row.problems:
                out.append(RowError(row.number, {p.column: [p.message] for p in row.problems}))
                continue
            record_id = existing.get(row.key) if row.key is not None else None
            values = row.values
            if record_id is not None:
                values = {k: v for k, v in values.items() if k != "created_at"}
            out.append(Write(row.number, values, record_id))
        return out

    def _clean(self, row: _Cells) -> None:
        cells = row.cells
        if len(cells) >= self.width:
            try:  # every cell good: one dict built at once
                row.values = {target: clean(cells[index])
                              for target, index, clean in self.fast}
                return
            except cleaning.CellError:
                pass  # again, cell by cell, to report each bad one
        width = len(cells)
        for plan, clean in self.cleaners:
            raw = cells[plan.index] if plan.index < width else ""
            try:
                value = clean(raw)
            except cleaning.CellError as error:
                row.problems.append(Problem(row.number, plan.header, raw, str(error)))
                continue
            row.values[plan.target] = value

    def _cleaner(self, plan: ColumnPlan) -> Callable[[str], Any]:
        """What one column's cells go through, built once per import."""
        rule = plan.rule
        spec = plan.spec
        convert: Callable[[str], Any] = str
        if plan.target == "state" and self.entity.machine is not None:
            convert = cleaning.chooser([(s.name, s.label)
                                        for s in self.entity.machine.spec.states])
        elif plan.target in ("created_at", "updated_at"):
            if rule.format:
                fmt = rule.format
                convert = lambda text: cleaning.date(text, fmt, True)  # noqa: E731
        elif spec is not None and spec.type in NUMBER_TYPES:
            style = rule.number
            convert = lambda text: cleaning.number(text, style)  # noqa: E731
        elif spec is not None and spec.type in DATE_TYPES and rule.format:
            fmt, timed = rule.format, spec.type == "datetime"
            convert = lambda text: cleaning.date(text, fmt, timed)  # noqa: E731
        elif spec is not None and spec.type == "choice" and spec.options:
            convert = cleaning.chooser(cleaning.option_pairs(spec.options))
        elif spec is not None and spec.type == "tags" and spec.options:
            pick = cleaning.chooser(cleaning.option_pairs(spec.options))
            convert = lambda text: [pick(v) for v in text.replace("，", ",").split(",")  # noqa: E731
                                    if v.strip()]
        trim, case, values = rule.trim, rule.case, rule.values
        if case is None and not values and trim:
            return _trimmed(convert)

        def clean(raw: str) -> Any:
            text = cleaning.trimmed(raw) if trim else raw
            if case is not None:
                text = cleaning.cased(text, case)
            value = cleaning.mapped(text, values) if values else text
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            if not isinstance(value, str):
                return value
            return convert(value)

        return clean

    def _references(self, unit: Unit, plan: ColumnPlan, rows: Sequence[_Cells]) -> None:
        """Each row's reference in `plan`'s column found by its natural key, among the
        records the user may read."""
        assert plan.ref is not None
        target = self.app.entity(plan.ref)
        wanted = {row.values[plan.target] for row in rows
                  if not row.problems and row.values.get(plan.target) is not None}
        if not wanted:
            return
        found = self._find(unit, target, plan.lookup, wanted)
        missing = wanted - set(found)
        if missing and plan.rule.create and plan.ref != self.entity.name:
            found.update(self._create_targets(unit, target, plan, sorted(missing, key=str)))
        for row in rows:
            value = row.values.get(plan.target)
            if row.problems or value is None:
                continue
            if value in found:
                row.values[plan.target] = found[value]
            elif plan.ref == self.entity.name:
                del row.values[plan.target]
                self.deferred.append(_Deferred(row.number, plan, value))
                self.deferred_rows.add(row.number)
            else:
                row.problems.append(Problem(row.number, plan.header, str(value), render(
                    "no_record_with", {"entity": target.name, "field": plan.lookup,
                                       "value": value}, unit.language)))

    def _find(self, unit: Unit, target: CompiledEntity, lookup: str,
              wanted: set[Any]) -> dict[Any, int]:
        table = target.table
        keys: list[tuple[Any, ...]] = []
        for value in wanted:
            if lookup == "id":
                text = str(value).strip()
                if text.isdigit():
                    keys.append((int(text),))
            else:
                keys.append((value,))
        if not keys:
            return {}
        conditions = [table.c.deleted_at.is_(None),
                      target.policy.rule(unit.user, unit.ctx, "read")]
        if lookup == "id":
            rows = matching(unit, table, ["id"], keys, *conditions)
            by_id = {row[0] for row in rows}
            return {value: int(str(value).strip()) for value in wanted
                    if str(value).strip().isdigit() and int(str(value).strip()) in by_id}
        rows = matching(unit, table, [lookup], keys, *conditions)
        return {row[1]: row[0] for row in rows}

    def _create_targets(self, unit: Unit, target: CompiledEntity, plan: ColumnPlan,
                        values: Sequence[Any]) -> dict[Any, int]:
        """Create the referred records the file names and the database lacks (the
        mapping's `create: true`), through the create pipeline, journaled."""
        creation = Creation(unit, target)
        checked = creation.check([Row(i + 1, {plan.lookup: v}) for i, v in enumerate(values)])
        good = creation.write([row for row in checked if row.ok])
        if self.batch is not None:
            batches.journal(unit, self.batch, [
                batches.Journaled(0, target.name, row.record_id or 0, "create", {})
                for row in good])
        return {values[row.number - 1]: row.record_id for row in good
                if row.record_id is not None}

    def _owners(self, unit: Unit, plan: ColumnPlan, rows: Sequence[_Cells]) -> None:
        users = self.app.tables.users
        column = users.c.display_name if plan.lookup == "display_name" else users.c.username
        wanted = {row.values["owner"] for row in rows
                  if not row.problems and row.values.get("owner") is not None}
        found: dict[Any, int] = {}
        if wanted:
            query = sa.select(column, users.c.id).where(column.in_(sorted(wanted, key=str)),
                                                        users.c.active.is_(True))
            found = {name: user_id for name, user_id in unit.conn.execute(query)}
        for row in rows:
            value = row.values.get("owner")
            if row.problems or value is None:
                continue
            if value in found:
                row.values["owner"] = found[value]
            else:
                row.problems.append(Problem(row.number, plan.header, str(value), render(
                    "no_user", {"value": value}, unit.language)))

    def _key(self, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        if not self.keys or any(values.get(k) is None for k in self.keys):
            return None
        return tuple(self._comparable(k, values[k]) for k in self.keys)

    def _comparable(self, name: str, value: Any) -> Any:
        """A key value as the database holds it (read by the field's type)."""
        clean, errors = self.entity.validator.coerce({name: value}, self.user.language)
        return clean.get(name, value) if not errors else value

    def _existing(self, unit: Unit, rows: Sequence[_Cells]) -> dict[tuple[Any, ...], int]:
        """The records (readable, not deleted) that have the key values of `rows`."""
        for row in rows:
            if not row.problems:
                row.key = self._key(row.values)
        keys = {row.key for row in rows if row.key is not None}
        if not keys:
            return {}
        table = self.entity.table
        found = matching(unit, table, list(self.keys), keys, table.c.deleted_at.is_(None),
                         self.entity.policy.rule(unit.user, unit.ctx, "read"))
        return {tuple(row[1:]): row[0] for row in found}

    def _resolve_deferred(self, unit: Unit, items: Sequence[_Deferred]
                          ) -> list[Write | RowError]:
        out: list[Write | RowError] = []
        by_plan: dict[str, list[_Deferred]] = {}
        for item in items:
            by_plan.setdefault(item.plan.target, []).append(item)
        for group in by_plan.values():
            plan = group[0].plan
            found = self._find(unit, self.entity, plan.lookup, {i.value for i in group})
            for item in group:
                record_id = self.created_ids.get(item.number)
                if record_id is None:
                    continue  # the row itself was refused
                if item.value in found:
                    out.append(Write(item.number, {plan.target: found[item.value]},
                                     record_id))
                else:
                    message = render("no_record_with", {
                        "entity": self.entity.name, "field": plan.lookup,
                        "value": item.value}, unit.language)
                    self.report(Problem(item.number, plan.header, str(item.value), message))
                    self.failed_rows.add(item.number)
                    self.reported.add(item.number)
                    out.append(RowError(item.number, {plan.target: [message]}))
        return out

    # ------------------------------------------------------------ after each batch

    def _journal(self, unit: Unit, outcomes: Sequence[Outcome],
                 errors: Sequence[RowError]) -> None:
        for error in errors:
            if error.row in self.reported:
                continue
            self.failed_rows.add(error.row)
            cells = self.current.get(error.row, [])
            for name, messages in error.errors.items():
                plan = self.plan.column_of(name)
                header = plan.header if plan is not None else name
                value = (cells[plan.index] if plan is not None and plan.index < len(cells)
                         else "")
                for message in messages:
                    self.report(Problem(error.row, header, value, message))
        for outcome in outcomes:
            if outcome.action == "create" and outcome.number in self.deferred_rows:
                self.created_ids[outcome.number] = outcome.record_id
        if self.batch is not None:
            name = self.entity.name
            created = [o for o in outcomes if o.action == "create"]
            batches.journal_created(unit, self.batch, name, [o.number for o in created],
                                    [o.record_id for o in created])
            batches.journal(unit, self.batch, [
                batches.Journaled(o.number, name, o.record_id, o.action, o.changes)
                for o in outcomes if o.action == "update"])


def _trimmed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A cleaner that only trims, then converts what is left (a blank cell is None)."""
    if convert is str:
        def plain(raw: str) -> Any:
            return raw.strip() or None
        return plain

    def converted(raw: str) -> Any:
        text = raw.strip()
        return convert(text) if text else None
    return converted


def undo(store: Store, user: User, batch: int, *, batch_size: int = 1000) -> ImportResult:
    """Revert import batch `batch`: records it changed get their old values back (their
    state too), records it created are deleted (soft, as `delete` does); newest first."""
    engine = store.engine
    found = batches.get(engine, batch)
    if found.status != "done":
        raise RequestInvalid(render("import_not_undoable", {"batch": batch,
                                                            "status": found.status},
                                    user.language), code="import_not_undoable")
    rows = batches.journaled(engine, batch)
    order = [found.entity, *sorted({r.entity for r in rows} - {found.entity})]
    updated = deleted = 0
    for entity in order:
        created = {r.record_id for r in rows if r.entity == entity and r.action == "create"}
        # A record the batch created is deleted; its later changes need no undoing.
        mine = [r for r in rows if r.entity == entity
                and (r.action == "create" or r.record_id not in created)]
        if not mine:
            continue

        def prepare(unit: Unit, items: Sequence[tuple[int, batches.Journaled]]
                    ) -> list[Write | RowError]:
            del unit
            return [Write(index, {name: pair[0] for name, pair in item.changes.items()}
                          if item.action == "update" else {}, item.record_id,
                          delete=item.action == "create") for index, item in items]

        report = store.bulk_save(user, entity, list(enumerate(mine, start=1)), prepare,
                                 batch_size=batch_size,
                                 historical=any("state" in r.changes for r in mine))
        if report.errors:
            first = report.errors[0]
            raise RequestInvalid(render("undo_refused", {
                "batch": batch, "detail": "; ".join(
                    f"{k}: {', '.join(v)}" for k, v in first.errors.items())},
                user.language), code="undo_refused")
        updated += report.updated
        deleted += report.deleted
    batches.finish(engine, batch, "undone", store.clock(), {})
    return ImportResult(batch, 0, updated, 0, 0, True, deleted=deleted)

