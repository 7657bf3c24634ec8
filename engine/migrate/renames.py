"""Renames declared with `renamed_from:`: an entity's table, a field's column, kept with
their data and history.

A rename is planned only while the database still has the old name and not the new
one, so the declaration may stay in the YAML after the migration (it then does nothing).
Renames run first, before the comparison of the project with the database, so the
comparison sees the renamed tables and columns (and plans only what else changed).
"""

from __future__ import annotations

import sqlalchemy as sa
from guanxi.migrate.data import count_rows, count_values
from guanxi.migrate.steps import SqlPhase, Step
from guanxi.spec import ProjectSpec
from sqlalchemy.engine import Connection

HISTORY = "gx_history"


def _quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _rename_table(old: str, new: str, history: sa.Table | None) -> SqlPhase:
    def run(conn: Connection) -> None:
        conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, old)} RENAME TO {_quote(conn, new)}")
        if history is not None and sa.inspect(conn).has_table(HISTORY):
            conn.execute(sa.update(history).where(history.c.entity == old)
                         .values(entity=new))

    return SqlPhase(run)


def _rename_column(table: str, old: str, new: str, history: sa.Table | None) -> SqlPhase:
    def run(conn: Connection) -> None:
        conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, table)} RENAME COLUMN "
                             f"{_quote(conn, old)} TO {_quote(conn, new)}")
        if history is not None and sa.inspect(conn).has_table(HISTORY):
            rename_in_history(conn, history, table, old, new)

    return SqlPhase(run)


def rename_in_history(conn: Connection, history: sa.Table, entity: str, old: str,
                      new: str) -> int:
    """Rename the field `old` to `new` in every history row of `entity`; how many."""
    rows = conn.execute(sa.select(history.c.id, history.c.changes)
                        .where(history.c.entity == entity)).all()
    renamed = 0
    for row_id, changes in rows:
        if isinstance(changes, dict) and old in changes and new not in changes:
            updated = {(new if key == old else key): value for key, value in changes.items()}
            conn.execute(sa.update(history).where(history.c.id == row_id)
                         .values(changes=updated))
            renamed += 1
    return renamed


def rename_steps(conn: Connection, spec: ProjectSpec | None,
                 metadata: sa.MetaData) -> list[Step]:
    """The renames `spec` declares that the database has not had yet, in the order they
    run (tables, then columns)."""
    if spec is None:
        return []
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    history = metadata.tables.get(HISTORY)
    steps: list[Step] = []
    for entity in spec.entities:
        present = entity.name
        old = entity.renamed_from
        if old and old in tables and entity.name not in tables:
            rows = count_rows(conn, old)
            steps.append(Step(
                "rename_table", entity.name, entity.name,
                f"rename table {old} to {entity.name} (entity renamed_from: {old})",
                data=f"{rows} row(s) and their history keep their data",
                phases=(_rename_table(old, entity.name, history),)))
            present = old
        elif present not in tables:
            continue
        columns = {c["name"] for c in inspector.get_columns(present)}
        for field in entity.fields:
            former = field.renamed_from
            if not former or former not in columns or field.name in columns:
                continue
            values = count_values(conn, present, former)
            steps.append(Step(
                "rename_column", entity.name, field.name,
                f"rename column {entity.name}.{former} to {field.name} "
                f"(field renamed_from: {former})",
                data=f"{values} value(s) and their history are kept",
                phases=(_rename_column(entity.name, former, field.name, history),)))
    return steps


def run_now(conn: Connection, steps: list[Step]) -> None:
    """Run steps made of SqlPhases on `conn` (inside the caller's transaction)."""
    for step in steps:
        for phase in step.phases:
            if isinstance(phase, SqlPhase):
                phase.run(conn)

