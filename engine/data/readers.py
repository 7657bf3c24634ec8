"""Reading tables from files, streamed: CSV (its encoding and delimiter found from the
first bytes: a BOM, UTF-8, or GB18030 and the other encodings Excel exports use) and
XLSX (the first sheet, through python-calamine). Rows come one at a time, as text, with
their line (CSV) or row (XLSX) number: a CSV file of any size is read in bounded memory
(a workbook's sheet is loaded by calamine as a whole).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes
from guanxi.errors import RequestInvalid
from python_calamine import CalamineWorkbook

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
# Chinese encodings are read as GB18030, the superset of GB2312 and GBK.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Encodings a guesser may name for Chinese (or other East Asian) text.
_CHINESE = ("gb", "big5", "cp936", "cp950", "hz", "euc", "iso2022", "shift_jis", "cp932")
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


class FileUnreadable(RequestInvalid):
    """A file that cannot be read as a table."""

    code = "file_unreadable"


@dataclass(frozen=True, slots=True)
class Table:
    """A table being read: its column names and its rows, (number, cells as text)."""

    headers: tuple[str, ...]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    close: Callable[[], None] = lambda: None


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file starting with `sample`: its BOM's, UTF-8 when it reads as
    UTF-8, otherwise the best guess (Chinese encodings as GB18030)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    guessed = best.encoding.lower() if best is not None else ""
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        chinese = True
    except UnicodeDecodeError:
        chinese = False
    if chinese and (not guessed or guessed.startswith(_CHINESE)):
        return "gb18030"
    if best is None:
        raise FileUnreadable("the file is not text in an encoding that can be recognised")
    return _WIDER.get(guessed, guessed)


def detect_delimiter(text: str) -> str:
    """The delimiter of CSV text: what csv.Sniffer finds among , ; tab |, else a comma."""
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _csv_rows(handle: IO[str], delimiter: str) -> tuple[tuple[str, ...], Iterator[
        tuple[int, list[str]]]]:
    reader = csv.reader(handle, delimiter=delimiter)
    headers = tuple(cell.strip() for cell in next(reader, []))

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                joined = "".join(cells)
                if joined and not joined.isspace():
                    yield reader.line_num, cells
        finally:
            handle.close()

    return headers, rows()


def read_csv(path: Path | str) -> Table:
    """A CSV file as a Table (the file stays open until its rows are read)."""
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter("\n".join(text.splitlines()[:50]))
    handle = open(path, encoding=encoding, newline="", errors="strict")  # noqa: SIM115
    try:
        headers, rows = _csv_rows(handle, delimiter)
    except UnicodeDecodeError as error:
        handle.close()
        raise FileUnreadable(f"the file is not {encoding} text: {error}") from None
    return Table(headers, _decoded(rows, encoding), encoding, delimiter, handle.close)


def _decoded(rows: Iterator[tuple[int, list[str]]], encoding: str
             ) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    except UnicodeDecodeError as error:
        raise FileUnreadable(f"the file is not {encoding} text: {error}") from None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_xlsx(path: Path | str) -> Table:
    """The first sheet of a workbook as a Table, its rows read lazily."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        iterator = iter(sheet.iter_rows())
        headers = tuple(cell_text(c).strip() for c in next(iterator, []))
    except Exception as error:  # the reader's own errors have no common base
        raise FileUnreadable(f"the workbook cannot be read: {error}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(iterator, start=2):
            texts = [cell_text(c) for c in cells]
            if any(t.strip() for t in texts):
                yield number, texts

    return Table(headers, rows())


def open_table(path: Path | str) -> Table:
    """The table in the file at `path`: XLSX (and the other workbooks) by suffix, else CSV."""
    if not Path(path).is_file():
        raise FileUnreadable(f"no such file: {path}")
    if Path(path).suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path)
    return read_csv(path)
