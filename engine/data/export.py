"""Exporting a list as CSV or XLSX: the records the user may read, with the list's
filters and sort, page by page (bounded memory), only the fields the user may see
(asked-for columns pass `require_readable`, the path rule of every caller-given path),
`sensitive` fields redacted unless the user is an administrator, and text cells that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
neutralized with a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guanxi.identity import User
from guanxi.spec import text_in
from guanxi.store.facade import Store
from guanxi.store.readable import require_readable
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
REDACTED = "[redacted]"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
PAGE = 500
CSV_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Export:
    """What is exported: the column names, their headings, and the rows as they come."""

    names: tuple[str, ...]
    headings: tuple[str, ...]
    rows: Iterator[list[Any]]


def neutralized(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A record's value as a cell: text neutralized, tags joined, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return neutralized(", ".join(str(v) for v in value))
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        return value
    return neutralized(str(value))


def may_export_sensitive(store: Store, user: User) -> bool:
    """Whether `user` exports sensitive fields as they are: administrators only."""
    spec = store.app.spec
    return any(role.admin for name in spec.expand_roles(user.roles)
               if (role := spec.role(name)))


def columns_of(store: Store, user: User, entity: str,
               wanted: Sequence[str] | None = None) -> tuple[str, ...]:
    """The columns of an export: `wanted` (each must pass the path rule), or every field
    the user sees, in the entity's order."""
    compiled = store.app.entity(entity)
    if wanted:
        for name in wanted:
            require_readable(store.app, user, entity, name, "column")
        return tuple(wanted)
    visible = compiled.policy.visible_fields(user)
    order = ["id", *compiled.fields, "state", "owner", "created_at", "updated_at"]
    return tuple(name for name in order if name in visible and name in compiled.types)


def export(store: Store, user: User, entity: str, *, columns: Sequence[str] | None = None,
           where: str | None = None, filters: Mapping[str, Any] | None = None,
           search: str | None = None, sort: Sequence[str] = ("id",),
           language: str | None = None) -> Export:
    """The export of `entity`'s list as `user` sees it. The first page is read at once
    (so a bad filter fails before anything is sent), the rest as the rows are taken."""
    compiled = store.app.entity(entity)
    names = columns_of(store, user, entity, columns)
    hidden = frozenset() if may_export_sensitive(store, user) else frozenset(
        f.name for f in compiled.spec.fields if f.sensitive)
    lang = language or user.language
    headings = tuple(text_in(compiled.fields[n].label, lang, n) if n in compiled.fields
                     else n for n in names)
    first = store.list(user, entity, where=where, filters=filters, search=search, sort=sort,
                       limit=PAGE, with_total=False)

    def rows() -> Iterator[list[Any]]:
        page = first
        while True:
            for record in page.items:
                yield [REDACTED if n in hidden and record.get(n) is not None
                       else cell(record.get(n)) for n in names]
            if page.next_cursor is None:
                return
            page = store.list(user, entity, where=where, filters=filters, search=search,
                              sort=sort, limit=PAGE, after=page.next_cursor,
                              with_total=False)

    return Export(names, headings, rows())


def csv_chunks(exported: Export) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with a BOM, so spreadsheets read it as UTF-8), in
    chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(exported.headings)
    for count, row in enumerate(exported.rows, start=1):
        writer.writerow(row)
        if count % CSV_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(exported: Export) -> bytes:
    """The export as an XLSX workbook (written row by row, without holding the sheet)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("export")
    sheet.append(list(exported.headings))
    for row in exported.rows:
        sheet.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v
                      for v in row])
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        return handle.read()
