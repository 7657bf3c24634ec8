"""Turn Alembic's comparison of project and database into described migration steps.

Each Alembic operation becomes a `Step` that says in words what it does and what it does
to the rows already stored, counted: whether it may run at all (`blocked`), whether it
loses data (`loses_data`), and the phases `apply` runs (operations, backfills).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops
from guanxi.migrate.data import (
    Backfill,
    backfill_for,
    count_duplicates,
    count_empty,
    count_rows,
    count_too_long,
    count_values,
)
from sqlalchemy.engine import Connection


@dataclass(frozen=True, slots=True)
class OperationPhase:
    """One Alembic operation; `batch` runs it in batch mode (SQLite copies the table)."""

    operation: ops.MigrateOperation
    batch: bool = True


@dataclass(frozen=True, slots=True)
class BackfillPhase:
    """Fill a column's empty values in existing rows."""

    backfill: Backfill
    column: sa.Column[Any]


@dataclass(frozen=True, slots=True)
class SqlPhase:
    """Statements of the engine's own: renames, records moved to a new state or option,
    the rules in force remembered."""

    run: Callable[[Connection], Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One change to the database, described for people.

    action: create_table, add_column, create_index, add_unique, add_foreign_key,
    alter_column, drop_index, drop_constraint, drop_column, drop_table (or other).
    description: what changes, in words. data: what happens to stored rows.
    blocked: non-empty when the step cannot run with the data present, and what to do.
    loses_data: the step destroys stored values; it runs only with allow_data_loss.
    breaks: non-empty when stored rows break a new or tightened rule (how many, the
    first ids); the plan is applied only when they are accepted (accept_invalid).
    """

    action: str
    table: str
    name: str
    description: str
    data: str = ""
    loses_data: bool = False
    blocked: str = ""
    phases: tuple[OperationPhase | BackfillPhase | SqlPhase, ...] = field(
        default=(), repr=False, compare=False)
    breaks: str = ""

    @property
    def subject(self) -> str:
        """What the step is about: `entity` or `entity.field`."""
        field_name = self.name.split(":", 1)[0] if self.name else ""
        return f"{self.table}.{field_name}" if field_name else self.table


# Order in which steps run: what later steps depend on first, what loses data last.
_ORDER = {"create_table": 0, "add_column": 1, "alter_column": 2, "add_foreign_key": 3,
          "drop_constraint": 4, "drop_index": 4, "create_index": 5, "add_unique": 5,
          "other": 6, "drop_column": 7, "drop_table": 8}


class _Planner:
    def __init__(self, conn: Connection, metadata: sa.MetaData, spec: Any) -> None:
        self.conn = conn
        self.metadata = metadata
        self.spec = spec
        self.new_tables: set[str] = set()
        self.new_columns: set[tuple[str, str]] = set()
        self._rows: dict[str, int] = {}

    def rows(self, table: str) -> int:
        if table in self.new_tables:
            return 0
        if table not in self._rows:
            self._rows[table] = count_rows(self.conn, table)
        return self._rows[table]

    def field(self, table: str, column: str) -> Any:
        """The field declaration behind a column, when the table is an entity's."""
        entity = self.spec.entity(table) if self.spec is not None else None
        return entity.field(column) if entity is not None else None

    def default(self, table: str, column: sa.Column[Any]) -> Backfill | None:
        declared = self.field(table, column.name)
        if declared is not None and declared.default is not None:
            return backfill_for(declared.default, column)
        if column.name == "state" and self.spec is not None:
            entity = self.spec.entity(table)
            workflow = self.spec.workflow(entity.workflow) if entity and entity.workflow else None
            if workflow is not None:
                return backfill_for(workflow.initial, column)
        if column.default is not None and getattr(column.default, "is_scalar", False):
            return backfill_for(getattr(column.default, "arg", None), column)
        return None

    def required(self, table: str, column: sa.Column[Any]) -> bool:
        declared = self.field(table, column.name)
        return not column.nullable or bool(declared is not None and declared.required)

    # ------------------------------------------------------------ operations

    def steps(self, operations: Iterable[ops.MigrateOperation]) -> list[Step]:
        flat: list[ops.MigrateOperation] = []
        for operation in operations:
            if isinstance(operation, ops.ModifyTableOps):
                flat.extend(operation.ops)
            else:
                flat.append(operation)
        self.new_tables = {o.table_name for o in flat if isinstance(o, ops.CreateTableOp)}
        self.new_columns = {(o.table_name, o.column.name) for o in flat
                            if isinstance(o, ops.AddColumnOp)}
        flat.extend(self._deferred_foreign_keys())
        steps = [self.step(o) for o in flat]
        order = {t.name: i for i, t in enumerate(self.metadata.sorted_tables)}
        return sorted(steps, key=lambda s: (
            _ORDER.get(s.action, 6),
            order.get(s.table, 0) * (-1 if s.action == "drop_table" else 1),
        ))

    def _deferred_foreign_keys(self) -> list[ops.CreateForeignKeyOp]:
        """Foreign keys of new tables that CREATE TABLE leaves to a later ALTER
        (`use_alter`, for references that form cycles); SQLite writes them inline."""
        if self.conn.dialect.name == "sqlite":
            return []
        return [
            ops.CreateForeignKeyOp.from_constraint(constraint)
            for name in sorted(self.new_tables)
            for constraint in self.metadata.tables[name].foreign_key_constraints
            if constraint.use_alter
        ]

    def step(self, operation: ops.MigrateOperation) -> Step:
        handlers: dict[type[ops.MigrateOperation], Callable[[Any], Step]] = {
            ops.CreateTableOp: self.create_table,
            ops.DropTableOp: self.drop_table,
            ops.AddColumnOp: self.add_column,
            ops.DropColumnOp: self.drop_column,
            ops.AlterColumnOp: self.alter_column,
            ops.CreateIndexOp: self.create_index,
            ops.DropIndexOp: self.drop_index,
            ops.CreateUniqueConstraintOp: self.add_unique,
            ops.CreateForeignKeyOp: self.add_foreign_key,
            ops.DropConstraintOp: self.drop_constraint,
        }
        handler = handlers.get(type(operation))
        if handler is None:
            table = getattr(operation, "table_name", "")
            return Step("other", table, "", f"{type(operation).__name__} on {table}",
                        phases=(OperationPhase(operation),))
        return handler(operation)

    def create_table(self, op: ops.CreateTableOp) -> Step:
        columns = [c.name for c in op.columns if isinstance(c, sa.Column)]
        return Step("create_table", op.table_name, op.table_name,
                    f"create table {op.table_name} ({len(columns)} columns: "
                    f"{', '.join(columns)})",
                    phases=(OperationPhase(op, batch=False),))

    def drop_table(self, op: ops.DropTableOp) -> Step:
        rows = count_rows(self.conn, op.table_name)
        return Step("drop_table", op.table_name, op.table_name,
                    f"drop table {op.table_name} (no entity of the project uses it any more)",
                    data=f"dropping table {op.table_name} would lose {rows} row(s)",
                    loses_data=True, phases=(OperationPhase(op, batch=False),))

    def add_column(self, op: ops.AddColumnOp) -> Step:
        table, column = op.table_name, op.column
        where = f"{table}.{column.name}"
        description = f"add column {where} ({column.type})"
        rows = self.rows(table)
        required = self.required(table, column)
        if rows == 0 or not required:
            data = f"{rows} existing row(s) get no value" if rows else ""
            return Step("add_column", table, column.name, description, data=data,
                        phases=self._add_column_phases(op, None))
        backfill = self.default(table, column)
        if backfill is None:
            return Step(
                "add_column", table, column.name, description,
                data=f"{rows} row(s) have no value for the new required field '{column.name}'",
                blocked=f"{rows} row(s) have no value for the new required field "
                        f"'{column.name}'; give the field a default: (existing rows get it), "
                        "or add it without required:, fill it in, then make it required",
            )
        if column.unique and rows > 1 and backfill.from_column is None:
            return Step(
                "add_column", table, column.name, description,
                blocked=f"{rows} rows would all get {backfill.text} in the unique field "
                        f"'{column.name}'; add it without unique:, fill it in, then make "
                        "it unique",
            )
        return Step("add_column", table, column.name, description,
                    data=f"{rows} existing row(s) get {backfill.text} (the field's default)",
                    phases=self._add_column_phases(op, backfill))

    def _add_column_phases(self, op: ops.AddColumnOp,
                           backfill: Backfill | None) -> tuple[Any, ...]:
        column = op.column
        # Its indexes and unique constraints are steps of their own in the comparison.
        bare = column._copy()
        bare.index = False
        bare.unique = False
        tighten = not column.nullable and column.server_default is None
        if tighten:
            # NOT NULL without a server default: add it empty, fill it, then tighten it.
            bare.nullable = True
        phases: list[Any] = [OperationPhase(ops.AddColumnOp(op.table_name, bare,
                                                            schema=op.schema))]
        if backfill is not None:
            phases.append(BackfillPhase(backfill, column))
        if tighten:
            phases.append(OperationPhase(ops.AlterColumnOp(
                op.table_name, column.name, schema=op.schema, existing_type=column.type,
                existing_nullable=True, modify_nullable=False)))
        return tuple(phases)

    def drop_column(self, op: ops.DropColumnOp) -> Step:
        values = count_values(self.conn, op.table_name, op.column_name)
        where = f"{op.table_name}.{op.column_name}"
        data = (f"dropping column {where} would lose {values} value(s)" if values
                else f"column {where} holds no values")
        return Step("drop_column", op.table_name, op.column_name,
                    f"drop column {where} (the field is no longer declared)", data=data,
                    loses_data=True, phases=(OperationPhase(op),))

    def alter_column(self, op: ops.AlterColumnOp) -> Step:
        table, name = op.table_name, op.column_name
        where = f"{table}.{name}"
        parts: list[str] = []
        data: list[str] = []
        blocked = ""
        loses = False
        phases: list[Any] = []
        if op.modify_type is not None:
            words, lossy = self._type_change(table, name, op.existing_type, op.modify_type)
            parts.append(f"change the type of {where} from {op.existing_type} to "
                         f"{op.modify_type}")
            data.append(words)
            loses = lossy
            if self.conn.dialect.name == "postgresql":
                target = op.modify_type.compile(dialect=self.conn.dialect)
                op.kw.setdefault("postgresql_using", f'"{name}"::{target}')
        if op.modify_nullable is False:
            parts.append(f"make {where} required (NOT NULL)")
            empty = count_empty(self.conn, table, name)
            if empty:
                column = self.metadata.tables[table].c[name]
                backfill = self.default(table, column)
                if backfill is None:
                    blocked = (f"{empty} row(s) have no value for the now-required field "
                               f"'{name}'; fill them in, or give the field a default:")
                else:
                    data.append(f"{empty} row(s) without a value get {backfill.text}")
                    phases.append(BackfillPhase(backfill, column))
        elif op.modify_nullable is True:
            parts.append(f"let {where} be empty (no longer NOT NULL)")
        phases.append(OperationPhase(op))
        description = "; ".join(parts) or f"alter column {where}"
        return Step("alter_column", table, name, description, data="; ".join(d for d in data if d),
                    loses_data=loses, blocked=blocked, phases=tuple(phases))

    def _type_change(self, table: str, name: str, old: Any, new: Any) -> tuple[str, bool]:
        values = count_values(self.conn, table, name)
        if isinstance(old, sa.String) and isinstance(new, sa.String):
            if new.length is None or (old.length is not None and new.length >= old.length):
                return "", False
            too_long = count_too_long(self.conn, table, name, new.length)
            return (f"narrowing {table}.{name} to {new.length} characters would cut "
                    f"{too_long} of {values} value(s)"), True
        if isinstance(old, sa.Integer) and isinstance(new, sa.BigInteger | sa.Numeric):
            return "", False
        if isinstance(old, sa.Numeric) and isinstance(new, sa.Numeric):
            wider = ((new.precision or 1000) >= (old.precision or 1000)
                     and (new.scale or 0) >= (old.scale or 0))
            if wider:
                return "", False
        return (f"converting {values} value(s) of {table}.{name} to {new} may change or "
                "lose them"), True

    def create_index(self, op: ops.CreateIndexOp) -> Step:
        columns = tuple(str(getattr(c, "name", c)) for c in op.columns)
        kind = "unique index" if op.unique else "index"
        step = Step("create_index", op.table_name, op.index_name or "",
                    f"create {kind} {op.index_name} on {op.table_name} ({', '.join(columns)})",
                    phases=(OperationPhase(op),))
        return self._check_unique(step, op.table_name, columns) if op.unique else step

    def add_unique(self, op: ops.CreateUniqueConstraintOp) -> Step:
        columns = tuple(str(c) for c in op.columns)
        step = Step("add_unique", op.table_name, str(op.constraint_name or ""),
                    f"make {', '.join(columns)} unique on {op.table_name}",
                    phases=(OperationPhase(op),))
        return self._check_unique(step, op.table_name, columns)

    def _check_unique(self, step: Step, table: str, columns: tuple[str, ...]) -> Step:
        if table in self.new_tables or any((table, c) in self.new_columns for c in columns):
            return step
        extra, shared = count_duplicates(self.conn, table, columns)
        if not extra:
            return step
        names = ", ".join(columns)
        message = (f"{extra} duplicate(s) block unique '{names}' on {table} ({shared} "
                   f"value(s) are shared by more than one record); make them distinct "
                   f"or empty, then migrate again")
        return Step(step.action, step.table, step.name, step.description, data=message,
                    blocked=message)

    def add_foreign_key(self, op: ops.CreateForeignKeyOp) -> Step:
        return Step("add_foreign_key", op.source_table, str(op.constraint_name or ""),
                    f"make {op.source_table}.{', '.join(op.local_cols)} refer to "
                    f"{op.referent_table}", phases=(OperationPhase(op),))

    def drop_index(self, op: ops.DropIndexOp) -> Step:
        return Step("drop_index", op.table_name or "", op.index_name or "",
                    f"drop index {op.index_name} on {op.table_name}",
                    phases=(OperationPhase(op),))

    def drop_constraint(self, op: ops.DropConstraintOp) -> Step:
        return Step("drop_constraint", op.table_name, str(op.constraint_name or ""),
                    f"drop {op.constraint_type or 'constraint'} {op.constraint_name} on "
                    f"{op.table_name}", phases=(OperationPhase(op),))


def steps_for(operations: Iterable[ops.MigrateOperation], conn: Connection,
              metadata: sa.MetaData, spec: Any) -> list[Step]:
    """Describe Alembic's operations as ordered steps, counting the data each touches."""
    return _Planner(conn, metadata, spec).steps(operations)
