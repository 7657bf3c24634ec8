"""Checking a bulk insert's next batches in a second process while this one writes.

About half of a bulk insert's time goes to stages that need no database: names,
coercion, defaults, computed fields and validation (`Creation.prepare`). The other half
(references, unique values, the create condition, persist, history, events) needs the
import's one transaction. On a machine with more than one core, `bulk_insert` forks a
child process that runs the first half for the batches after the first, while the
parent runs the second half; the child sends each batch's checked rows through a pipe,
a batch or two ahead (the pipe's buffer bounds how far).

The child never uses the import's connection. The unit it checks with has a resolver
that refuses: a batch whose rules or computed fields read through a reference, or that
has a row the names stage refuses, goes back to the parent as given, and the parent
checks it itself — the rows, their errors and their order are the same either way.
The child ends with `os._exit`, so nothing the parent opened (the transaction, its
connection, files) is closed, flushed or cleaned up from it, and the objects alive at
the fork are frozen out of its collector (`gc.freeze`), so no finalizer of the
parent's runs in it. Rows that read the database as they are made (a generator over
the same Store) open connections of their own in the child: its copy of the
connection pool is dropped first, unclosed.

A child is forked only on Linux, with more than one CPU, from a process running one
thread (forking a process whose other threads may hold locks is unsafe), and when the
rows fill more than one batch. If the child dies, the import fails as a whole (nothing
is written) with an error saying so.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from itertools import chain, islice
from typing import Any, BinaryIO, TypeVar

from guanxi.errors import GuanxiError
from guanxi.language.collector import sweep
from guanxi.store.batch import EMPTY, Batch, Row
from guanxi.store.pipeline import Creation
from guanxi.store.unit import Unit

T = TypeVar("T")

# What goes through the pipe: a result, or the end; a bulk insert's batch comes back
# checked, or as given.
_MORE, _END = 0, 1
_CHECKED, _GIVEN = 0, 1
_HEADER = struct.Struct("!Q")


class _NeedsDatabase(Exception):
    """Raised in the child when a stage would read another record."""


def _refuse(entity: str, record_id: int) -> Any:
    raise _NeedsDatabase(entity, record_id)


def batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[Batch]:
    """The rows in batches of `size`, numbered from 1."""
    iterator = iter(rows)
    number = 0
    while chunk := list(islice(iterator, size)):
        batch = []
        for values in chunk:
            number += 1
            batch.append(Row(number, values))
        yield batch


def possible() -> bool:
    """Whether a checking child may be forked here."""
    return (sys.platform == "linux" and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1)


def forks(head: Sequence[object], ahead: bool | None) -> bool:
    """Whether the batches after the first of an import whose first two batches (or
    fewer) are `head` go to a child: when there is a second one and `ahead` (None: when
    `possible`)."""
    return len(head) > 1 and (possible() if ahead is None else ahead)


def checked(creation: Creation, rows: Iterable[Mapping[str, Any]], size: int,
            ahead: bool | None = None) -> Generator[tuple[Batch, bool], None, None]:
    """The batches of `rows`, each with whether the stages before the database have run
    on it (`Creation.prepare`): in a child process for the batches after the first when
    `ahead` (None: when `possible`), else not at all (the caller runs them)."""
    source = batches(rows, size)
    head = list(islice(source, 2))
    if not forks(head, ahead):
        for batch in chain(head, source):
            yield batch, False
        return
    unit = dataclasses.replace(creation.unit, resolve=_refuse)

    def work(batch: Batch) -> Any:
        prepared = _prepared(creation, unit, batch)
        if prepared is None:
            return _GIVEN, [(row.number, dict(row.given)) for row in batch]
        return _CHECKED, _packed(prepared)

    with _Child(work, chain(head[1:], source), creation.unit) as child:
        yield head[0], False
        for kind, payload in child:
            if kind == _GIVEN:
                yield [Row(number, values) for number, values in payload], False
            else:
                yield _unpacked(payload), True


Split = Callable[[Sequence[T]], tuple[Any, Sequence[Any]]]


def split(creation: Creation, items: Iterator[Sequence[T]], first: Split[T],
          new: Callable[[Sequence[Any]], tuple[Batch, Sequence[Any]]]
          ) -> Generator[tuple[Any, Sequence[Any], Batch | None], None, None]:
    """The batches of a bulk save's `items` run through `first` (a preparation that
    reads no database: a note for the saving process, and the batch's outputs) and
    their new records through `Creation.prepare`, in a child process: for each batch,
    the note, the outputs (all of them, or, with prepared rows, those `new` leaves),
    and the new records' rows prepared (or None: the caller prepares them). `new`
    gives a batch's new records as rows and the other outputs."""
    unit = dataclasses.replace(creation.unit, resolve=_refuse)

    def work(batch: Sequence[T]) -> Any:
        note, outputs = first(batch)
        rows, others = new(outputs)
        prepared = _prepared(creation, unit, rows)
        if prepared is None:
            return note, outputs, None
        return note, others, _packed(prepared)

    with _Child(work, items, creation.unit) as child:
        for note, outputs, packed in child:
            yield note, outputs, None if packed is None else _unpacked(packed)


def _prepared(creation: Creation, unit: Unit, batch: Batch) -> Batch | None:
    """`batch` prepared with `unit` (whose resolver refuses), its rows' history texts
    made if they would be (`Creation.with_texts`), or None when it needs the database
    or has a row the names stage refuses (the parent then prepares it)."""
    try:
        prepared = creation.prepare(batch, unit)
    except _NeedsDatabase:
        return None
    if any(row.refusal is not None for row in prepared):
        return None
    return creation.with_texts(prepared, unit)


def _packed(batch: Batch) -> list[tuple[Any, ...]]:
    """A prepared batch as it goes through the pipe; the rows' sets of changed fields
    (most often one for the whole batch) each sent once."""
    sets: dict[frozenset[str], frozenset[str]] = {}
    return [(row.number, row.record, sets.setdefault(row.changed, row.changed),
             dict(row.errors) if row.errors else None, row.text) for row in batch]


def _unpacked(packed: list[tuple[Any, ...]]) -> Batch:
    return [Row(number, EMPTY, record, changed, EMPTY if errors is None else errors,
                None, None, text)
            for number, record, changed, errors, text in packed]


def _send(pipe: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_HEADER.pack(len(data)))
    pipe.write(data)


def _receive(pipe: BinaryIO) -> Any:
    header = pipe.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    data = pipe.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)


def _run(work: Callable[[Any], Any], source: Iterator[Any], unit: Unit,
         pipe: BinaryIO) -> None:
    """The child's work: `work` on each item of `source`, each result sent, then the
    end."""
    # Rows that read the database as they are made (a generator over the same Store)
    # get new connections here, never the parent's pooled ones.
    unit.conn.engine.dispose(close=False)
    for item in source:
        _send(pipe, (_MORE, work(item)))
        sweep()  # this item's garbage, young objects only
    _send(pipe, (_END, None))
    pipe.flush()


class _Child:
    """The child process of one import: forked on entering, it runs `work` on each item
    of `source` and sends the results, which iterating gives in order; killed (if still
    running) and waited for on leaving. `unit`: the import's unit of work, whose
    connection the child never uses."""

    def __init__(self, work: Callable[[Any], Any], source: Iterator[Any], unit: Unit) -> None:
        self.work = work
        self.source = source
        self.unit = unit
        self.pid = 0
        self.pipe: BinaryIO | None = None

    def __enter__(self) -> _Child:
        read, write = os.pipe()
        gc.freeze()  # the objects alive now are never collected in the child
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child
            status = 0
            try:
                os.close(read)
                with os.fdopen(write, "wb", buffering=1 << 16) as pipe:
                    _run(self.work, self.source, self.unit, pipe)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        gc.unfreeze()
        os.close(write)
        self.pid = pid
        self.pipe = os.fdopen(read, "rb", buffering=1 << 16)
        return self

    def __iter__(self) -> Iterator[Any]:
        assert self.pipe is not None
        while True:
            message = _receive(self.pipe)
            if message is None:
                raise GuanxiError(
                    "the process checking the import's rows ended unexpectedly; nothing "
                    "was written (检查导入数据的进程意外结束，未写入任何数据)",
                    code="import_checker_failed")
            kind, payload = message
            if kind == _END:
                return
            yield payload

    def __exit__(self, *exc: object) -> None:
        if self.pipe is not None:
            self.pipe.close()
        if self.pid:
            with suppress(ProcessLookupError):  # it has ended already
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
