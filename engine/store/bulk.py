"""Importing many records at once: each batch of rows runs the same pipeline as
`create` (`guanxi.store.pipeline.Creation`), so rows are validated, access-checked,
looked up and audited as `create` would, with one query or executemany per stage and
batch, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, closing
from typing import Any

from guanxi.compile.app import CompiledEntity
from guanxi.errors import AccessDenied, RequestInvalid
from guanxi.identity import User
from guanxi.language.collector import collector_paused, sweep
from guanxi.messages import render
from guanxi.store.ahead import checked as checked_batches
from guanxi.store.batch import Batch, errors_of
from guanxi.store.pipeline import Creation
from guanxi.store.records import ImportReport, RowError
from guanxi.store.unit import Unit

MODES = ("all_or_nothing", "skip_bad")
# Opens the import's unit of work (its one transaction).
Begin = Callable[[], AbstractContextManager[Unit]]


class _Abort(Exception):
    """Internal control flow, never seen by a caller: rolls back an all-or-nothing import
    that met a bad row."""


def check_import(compiled: CompiledEntity, user: User, *, mode: str, batch_size: int,
                 historical: bool = False, trusted: bool = False) -> None:
    """Refuse an import before it starts: a mode or batch size that is not one, a user
    who may not create records of the entity at all, or a historical import by someone
    not `trusted` (an administrator or the system actor)."""
    language = user.language
    if historical and not trusted:
        raise AccessDenied(render("may_not_import_history", {"entity": compiled.name},
                                  language), code="may_not_import_history")
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
                batch_size: int, historical: bool = False,
                trusted: bool = False, ahead: bool | None = None,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Store.bulk_insert: see there. `begin` opens the import's unit of work, rolled back
    when an all-or-nothing import meets a bad row. `ahead`: whether the next batches are
    checked in a second process (`guanxi.store.ahead`; None: where it can be).
    `progress`: called after each batch with the number of rows done so far."""
    check_import(compiled, user, mode=mode, batch_size=batch_size, historical=historical,
                 trusted=trusted)
    report_errors: list[RowError] = []
    inserted = 0
    try:
        with collector_paused(young=False), begin() as unit:
            creation = Creation(unit, compiled, historical=historical)
            with closing(checked_batches(creation, rows, batch_size, ahead)) as source:
                for batch, prepared in source:
                    if not prepared:
                        batch = creation.prepare(batch)
                    inserted += _insert(creation, batch, mode, report_errors)
                    if progress is not None and batch:
                        progress(batch[-1].number)
            if mode == "all_or_nothing" and report_errors:
                raise _Abort
    except _Abort:
        return ImportReport(0, report_errors)
    return ImportReport(inserted, report_errors)


def _insert(creation: Creation, batch: Batch, mode: str,
            report_errors: list[RowError]) -> int:
    """The rest of one batch's pipeline (`batch` prepared): its bad rows added to
    `report_errors`, its good rows written unless an all-or-nothing import has met a bad
    row. How many rows were written."""
    checked = creation.finish(batch, defer_unique=mode == "skip_bad" or not report_errors)
    if creation.deferred(checked):
        written = creation.attempt(checked)
        if written is not None:
            sweep()
            return len(written)
        checked = creation.recheck(checked)
    report_errors.extend(RowError(row.number, errors_of(row))
                         for row in checked if not row.ok)
    inserted = 0
    if mode == "skip_bad" or not report_errors:
        good = [row for row in checked if row.ok]
        creation.write(good)
        inserted = len(good)
    else:
        creation.skip(checked)
    sweep()
    return inserted
