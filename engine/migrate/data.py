"""Questions a migration asks of the data already stored, before it changes anything.

Each function counts something (rows, values, duplicates, values that would not fit) so
that a migration plan can say, in numbers, what a step would do to existing records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def count_rows(conn: Connection, table: str) -> int:
    """How many rows `table` has."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(_table(table))).scalar_one())


def count_values(conn: Connection, table: str, column: str) -> int:
    """How many rows of `table` have a value (not NULL) in `column`."""
    t = _table(table, column)
    query = sa.select(sa.func.count(t.c[column])).select_from(t)
    return int(conn.execute(query).scalar_one())


def count_empty(conn: Connection, table: str, column: str) -> int:
    """How many rows of `table` have no value (NULL) in `column`."""
    t = _table(table, column)
    query = sa.select(sa.func.count()).select_from(t).where(t.c[column].is_(None))
    return int(conn.execute(query).scalar_one())


def count_duplicates(conn: Connection, table: str, columns: tuple[str, ...]) -> tuple[int, int]:
    """Rows that share their values in `columns` with an earlier row, and how many
    distinct values are shared. Rows with an empty value in any column do not count,
    as a unique constraint does not count them either."""
    t = _table(table, *columns)
    cols = [t.c[c] for c in columns]
    groups = (
        sa.select(sa.func.count().label("n"))
        .select_from(t)
        .where(sa.and_(*(c.is_not(None) for c in cols)))
        .group_by(*cols)
        .having(sa.func.count() > 1)
        .subquery()
    )
    query = sa.select(sa.func.coalesce(sa.func.sum(groups.c.n - 1), 0), sa.func.count())
    extra, shared = conn.execute(query.select_from(groups)).one()
    return int(extra), int(shared)


def count_too_long(conn: Connection, table: str, column: str, length: int) -> int:
    """How many values of a text column are longer than `length` characters."""
    t = _table(table, column)
    query = (
        sa.select(sa.func.count())
        .select_from(t)
        .where(sa.func.length(t.c[column]) > length)
    )
    return int(conn.execute(query).scalar_one())


class Backfill:
    """The value existing rows get for a column that becomes required.

    `value` is a literal (already of the column's Python type); with `from_column`, each
    row's own value of that column is copied instead (`default: current_user` is filled
    from the record's owner).
    """

    def __init__(self, text: str, value: Any = None, from_column: str | None = None) -> None:
        self.text = text
        self.value = value
        self.from_column = from_column

    def run(self, conn: Connection, table: str, column: sa.Column[Any]) -> int:
        """Fill every empty `column` of `table`; return how many rows were filled."""
        if self.from_column:
            t = _table(table, column.name, self.from_column)
            value: Any = t.c[self.from_column]
        else:
            t = _table(table, column.name)
            value = sa.literal(self.value, type_=column.type)
        result = conn.execute(
            sa.update(t).where(t.c[column.name].is_(None)).values({column.name: value})
        )
        return int(result.rowcount or 0)


def backfill_for(default: Any, column: sa.Column[Any]) -> Backfill | None:
    """How to fill existing rows from a field's `default:` (None: there is no default)."""
    if default is None:
        return None
    if default == "today":
        return Backfill("today's date", dt.date.today())
    if default == "now":
        return Backfill("the current time", dt.datetime.now(dt.UTC))
    if default == "current_user":
        return Backfill("each record's owner", from_column="owner")
    return Backfill(repr(default), _python_value(default, column))


def _python_value(value: Any, column: sa.Column[Any]) -> Any:
    """A YAML literal in the column's Python type (dates may be written as strings)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if isinstance(value, python_type):
        return value
    if python_type is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if python_type is dt.datetime and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value
