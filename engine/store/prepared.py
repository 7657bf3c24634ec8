"""Statements compiled once and run on the driver's cursor, for the hottest paths.

SQLAlchemy spends more time preparing each execution (cache key, parameter processing,
result set-up, events) than SQLite spends running a one-row UPDATE. A `Prepared`
statement is compiled once per dialect; each run converts the parameters with the
column types' own bind processors, runs the SQL string on the DBAPI cursor of the
Connection's current transaction, and converts the returned row with the types' result
processors, so values are the same as through `Connection.execute`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from guanxi.store.unit import Unit

Processor = Callable[[Any], Any] | None
_GIVEN = object()


def insert_statement(table: sa.Table, names: Any) -> Any:
    """INSERT INTO table (names) VALUES (a bind parameter per name, named after it)."""
    return table.insert().values(
        {name: sa.bindparam(name, type_=table.c[name].type) for name in names})


def allocate_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` new ids for `table`, taken in this writing transaction. On SQLite it holds
    the write lock from BEGIN IMMEDIATE, so the ids after the largest are free; on
    PostgreSQL they are drawn from the id column's sequence in one query."""
    if conn.dialect.name == "postgresql":
        name = conn.dialect.identifier_preparer.format_table(table)
        return list(conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:name, 'id')) "
                    "FROM generate_series(1, :count)"),
            {"name": name, "count": count}).scalars())
    top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
    start = (top or 0) + 1
    return list(range(start, start + count))


def _picker(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function giving the values of `names` in a mapping, as a tuple, in one call."""
    get = itemgetter(*names)
    if len(names) > 1:
        return get
    return lambda values: (get(values),)


# SQLite's DATE stores a date as YYYY-MM-DD, which `date.isoformat` writes (in C).
_SQLITE_DATE = "%(year)04d-%(month)02d-%(day)02d"


def _processor(impl: Any, dialect: sa.Dialect) -> Processor:
    """The type's bind processor, or a faster one giving the same values."""
    process: Processor = impl.bind_processor(dialect)
    if (process is not None and dialect.name == "sqlite" and isinstance(impl, sa.Date)
            and getattr(impl, "_storage_format", None) == _SQLITE_DATE):
        slow = process

        def iso_date(value: Any) -> Any:
            return value.isoformat() if type(value) is dt.date else slow(value)

        return iso_date
    return process


def _copy_sql(table: sa.Table, columns: Sequence[str], dialect: sa.Dialect) -> str:
    """`COPY table (columns) FROM STDIN`."""
    preparer = dialect.identifier_preparer
    return (f"COPY {preparer.format_table(table)} "
            f"({', '.join(preparer.quote(name) for name in columns)}) FROM STDIN")


class Prepared:
    """One statement (with RETURNING or not), compiled for one dialect."""

    def __init__(self, statement: Any, dialect: sa.Dialect, *,
                 copy_into: sa.Table | None = None) -> None:
        """`copy_into`: the statement is `insert_statement(copy_into, …)`, whose
        parameters are the columns' values; `many` then runs COPY on PostgreSQL."""
        compiled = statement.compile(dialect=dialect)
        self._statement = statement
        self.sql = compiled.string
        self._positional = compiled.positiontup if dialect.positional else None
        order = self._positional if self._positional is not None else list(compiled.binds)
        # (name, processor, fixed value or _GIVEN when the caller gives it) per parameter.
        self._params = tuple(
            (name, _processor(bind.type.dialect_impl(dialect), dialect),
             _GIVEN if bind.required or bind.callable is not None else bind.value)
            for name, bind in ((n, compiled.binds[n]) for n in order)
        )
        # The names the SQL string uses for named parameters (some names are escaped).
        escaped = getattr(compiled, "escaped_bind_names", None) or {}
        self._keys = tuple(escaped.get(name, name) for name, _, _ in self._params)
        # The fast path of `parameters`, when the caller gives every parameter: the
        # values picked in one call, then the parameters that need a conversion.
        given = [name for name, _, fixed in self._params if fixed is _GIVEN]
        self._pick = _picker(given) if given and len(given) == len(self._params) else None
        self._processed = tuple((index, process)
                                for index, (_, process, _) in enumerate(self._params)
                                if process is not None)
        self._dialect = dialect
        self._returning = tuple(compiled.effective_returning or ())
        self._names = tuple(column.key for column in self._returning)
        # Built from the first result's description (drivers report column types there).
        self._result: tuple[Processor, ...] | None = None
        self._copy = (_copy_sql(copy_into, [name for name, _, _ in self._params], dialect)
                      if copy_into is not None and dialect.name == "postgresql" else None)

    def parameters(self, values: Mapping[str, Any], last: list[Any] | None = None) -> Any:
        """The driver's parameters for `values` (name -> Python value). `last`, kept by
        the caller across rows, remembers each parameter's last value and conversion,
        so that a value shared by every row (the moment of an import) is converted once."""
        converted = self._row(values, last)
        if self._positional is not None:
            return tuple(converted)
        return dict(zip(self._keys, converted))

    def _row(self, values: Mapping[str, Any], last: list[Any] | None) -> list[Any]:
        """Each parameter's value for `values`, converted, in the statement's order."""
        pick = self._pick
        if pick is not None and last is not None:
            try:
                picked = pick(values)
            except KeyError:
                pass  # the slow path below says which parameter is missing
            else:
                return self._converted(picked, last)
        converted = []
        for index, (name, process, fixed) in enumerate(self._params):
            if fixed is _GIVEN:
                try:
                    value = values[name]
                except KeyError:
                    raise sa.exc.ArgumentError(
                        f"a value is required for bind parameter {name!r}") from None
            else:
                value = values.get(name, fixed)
            if process is None:
                converted.append(value)
            elif last is not None:
                seen = last[index]
                if seen is None or seen[0] is not value:
                    seen = last[index] = (value, process(value))
                converted.append(seen[1])
            else:
                converted.append(process(value))
        return converted

    def _converted(self, picked: tuple[Any, ...], last: list[Any]) -> list[Any]:
        """`_row` for the values `picked` (each parameter's, in order)."""
        converted = list(picked)
        for index, process in self._processed:
            value = converted[index]
            seen = last[index]
            if seen is None or seen[0] is not value:
                seen = last[index] = (value, process(value))
            converted[index] = seen[1]
        return converted

    def run(self, conn: sa.Connection, values: Mapping[str, Any]) -> Any:
        """Run in `conn`'s transaction; the DBAPI cursor (rowcount, fetch…)."""
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(self.sql, self.parameters(values))
        return cursor

    def many(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run an INSERT once per row, in `conn`'s transaction: with executemany on
        SQLite; on PostgreSQL with COPY (the same converted values, streamed), or else
        through SQLAlchemy, which sends many rows per INSERT statement."""
        last: list[Any] = [None] * len(self._params)
        if self._copy is not None:  # PostgreSQL
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                with cursor.copy(self._copy) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(self._row(row, last))
            finally:
                cursor.close()
            return
        if conn.dialect.name != "sqlite":
            # With RETURNING, SQLAlchemy batches the rows into multi-row INSERTs.
            conn.execute(self._statement.returning(*self._statement.table.primary_key), rows)
            return
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(self.sql, [self.parameters(row, last) for row in rows])
        finally:
            cursor.close()

    def first(self, conn: sa.Connection, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run and return the first returned row as {column: value}, or None."""
        cursor = self.run(conn, values)
        try:
            row = cursor.fetchone()
            if row is None:
                return None
            result = self._result
            if result is None:
                result = self._result = tuple(
                    column.type.dialect_impl(self._dialect).result_processor(
                        self._dialect, described[1])
                    for column, described in zip(self._returning, cursor.description))
            return {name: (process(value) if process is not None else value)
                    for name, process, value in zip(self._names, result, row)}
        finally:
            cursor.close()


def history_statement(unit: Unit) -> Prepared:
    """The INSERT of one history row (the keys of `records.history_row`), prepared once
    per Store."""
    history = unit.app.tables.history
    names = ("entity", "record_id", "at", "user_id", "action", "transition", "changes")
    return unit.statements.get(
        "history", lambda: Prepared(insert_statement(history, names), unit.dialect,
                                    copy_into=history))
