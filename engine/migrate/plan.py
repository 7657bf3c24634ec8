"""Schema migrations: bring a database in line with the project's YAML.

`plan(app, engine)` compares the tables the project compiles to with the database (by
Alembic's autogenerate) and describes every step in words, with the data it touches:
"237 rows have no value for the new required field 'region'". It changes nothing.
`apply(plan, engine)` runs the steps in one transaction, using Alembic's operations (in
batch mode, so that SQLite can alter tables by copying them).

Steps that would lose data (dropping a column or table, narrowing a type) are refused
unless `allow_data_loss=True`. Steps that cannot work with the data present (a new
required field without a default on a table with rows, a unique constraint over
duplicates) are refused outright, with what to do about them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from guanxi.errors import GuanxiError
from guanxi.migrate.breaks import break_steps
from guanxi.migrate.moves import move_steps
from guanxi.migrate.renames import rename_steps, run_now
from guanxi.migrate.rules import recorded, remember_step, rules_of
from guanxi.migrate.steps import BackfillPhase, SqlPhase, Step, steps_for
from guanxi.store.database import WRITE_OPTION
from sqlalchemy.engine import Connection, Engine

# The columns every entity table has: a table in the database with all of them and no
# entity in the project is one the project used to have (its entity was removed).
ENTITY_COLUMNS = frozenset({"id", "created_at", "updated_at", "created_by", "owner",
                            "version", "deleted_at"})


class MigrationRefused(GuanxiError):
    """A plan cannot be applied as asked; `steps` are the ones that stand in the way."""

    def __init__(self, message: str, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """What `apply` would do, step by step, and what each step does to stored data."""

    steps: tuple[Step, ...]
    dialect: str
    # The project's tables, for apply (not part of what the plan says).
    metadata: sa.MetaData = field(repr=False, compare=False)

    @property
    def empty(self) -> bool:
        """True when the database already matches the project (remembering the rules in
        force is bookkeeping: a plan that only does that changes no table or row)."""
        return all(s.action in BOOKKEEPING for s in self.steps)

    @property
    def blocked(self) -> tuple[Step, ...]:
        """Steps that cannot be applied with the data present."""
        return tuple(s for s in self.steps if s.blocked)

    @property
    def losing_data(self) -> tuple[Step, ...]:
        """Steps that would lose stored values; they need `allow_data_loss`."""
        return tuple(s for s in self.steps if s.loses_data)

    def breaking(self, accept_invalid: Accept = False) -> tuple[Step, ...]:
        """Steps whose new rule stored rows break and that `accept_invalid` does not
        accept (True: all; otherwise entity or entity.field names)."""
        return tuple(s for s in self.steps if s.breaks and not accepts(accept_invalid, s))

    def describe(self) -> list[str]:
        """The plan as lines for people, one per step, with its data and refusals."""
        if not self.steps:
            return ["the database matches the project: nothing to do"]
        lines: list[str] = []
        for number, step in enumerate(self.steps, 1):
            lines.append(f"{number}. {step.description}")
            if step.data:
                lines.append(f"   data: {step.data}")
            if step.blocked:
                lines.append(f"   REFUSED: {step.blocked}")
            elif step.breaks:
                lines.append(f"   BREAKS ROWS: applied only when accepted "
                             f"(--accept-invalid, or --accept-invalid {step.subject})")
            elif step.loses_data:
                lines.append("   LOSES DATA: applied only with allow_data_loss "
                             "(--allow-data-loss)")
        return lines

    def refusal(self, allow_data_loss: bool = False,
                accept_invalid: Accept = False) -> str | None:
        """Why `apply` would refuse this plan, or None when it would go ahead."""
        blocked = self.blocked
        losing = () if allow_data_loss else self.losing_data
        breaking = self.breaking(accept_invalid)
        if not blocked and not losing and not breaking:
            return None
        lines = []
        if blocked:
            lines.append(f"{len(blocked)} step(s) cannot be applied to the data present:")
            lines.extend(f"  - {s.description}: {s.blocked}" for s in blocked)
        if breaking:
            lines.append(f"{len(breaking)} new or tighter rule(s) are broken by stored rows; "
                         "nothing was changed. Correct the rows, or accept them with "
                         "--accept-invalid (all) or --accept-invalid ENTITY[.FIELD] "
                         "(they are then refused on their next edit until corrected):")
            lines.extend(f"  - {s.description}: {s.data}" for s in breaking)
        if losing:
            lines.append(f"{len(losing)} step(s) would lose data; nothing was changed. "
                         "Back up the database, then migrate with --allow-data-loss "
                         "(allow_data_loss=True) if the loss is intended:")
            lines.extend(f"  - {s.description}: {s.data}" for s in losing)
        return "\n".join(lines)


# Steps that change no table or row of the project's.
BOOKKEEPING = frozenset({"remember_rules"})
# What accept_invalid accepts: everything (True), nothing (False), or these subjects.
Accept = bool | Collection[str]


def accepts(accept_invalid: Accept, step: Step) -> bool:
    """Whether `accept_invalid` accepts the rows that break `step`'s rule: True accepts
    all; a name accepts its entity (`lead`) or one field's rules (`lead.visits`)."""
    if isinstance(accept_invalid, bool):
        return accept_invalid
    return step.table in accept_invalid or step.subject in accept_invalid


def _metadata(app: Any) -> sa.MetaData:
    """The compiled app's tables (an App, or a MetaData given directly)."""
    if isinstance(app, sa.MetaData):
        return app
    tables = getattr(app, "tables", None)
    metadata: sa.MetaData = tables.metadata if tables is not None else app.metadata
    return metadata


def _spec(app: Any) -> Any:
    return None if isinstance(app, sa.MetaData) else getattr(app, "spec", None)


def _orphan_tables(conn: Connection, metadata: sa.MetaData) -> set[str]:
    inspector = sa.inspect(conn)
    orphans = set()
    for name in inspector.get_table_names():
        if name in metadata.tables:
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        if columns >= ENTITY_COLUMNS:
            orphans.add(name)
    return orphans


def _compare(conn: Connection, metadata: sa.MetaData) -> list[Any]:
    orphans = _orphan_tables(conn, metadata)

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "table":
            return name in metadata.tables or name in orphans
        return True

    context = MigrationContext.configure(
        conn, opts={"include_name": include_name, "compare_type": True}
    )
    script = produce_migrations(context, metadata)
    return list(script.upgrade_ops.ops) if script.upgrade_ops else []


def plan(app: Any, engine: Engine) -> MigrationPlan:
    """Describe what it takes to bring the database in line with `app` (changes nothing)."""
    metadata = _metadata(app)
    spec = _spec(app)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: False})
        # Renames and moved states run first, in this transaction, which is rolled back:
        # the comparison and the counts then see the database as the steps leave it.
        renames = rename_steps(conn, spec, metadata)
        run_now(conn, renames)
        moves = move_steps(conn, spec)
        run_now(conn, [m for m in moves if not m.blocked])
        operations = _compare(conn, metadata)
        steps = [*renames, *steps_for(operations, conn, metadata, spec), *moves]
        if spec is not None:
            before = recorded(conn)
            steps.extend(break_steps(conn, app, before))
            remember = remember_step(rules_of(spec), before)
            if remember is not None and (steps or before is not None
                                         or _has_entity_tables(conn, metadata)):
                steps.append(remember)
        conn.rollback()
    return MigrationPlan(tuple(steps), engine.dialect.name, metadata)


def _has_entity_tables(conn: Connection, metadata: sa.MetaData) -> bool:
    names = set(sa.inspect(conn).get_table_names())
    return any(name in names for name in metadata.tables if not name.startswith("gx_"))


def apply(migration: MigrationPlan, engine: Engine, allow_data_loss: bool = False,
          accept_invalid: Accept = False) -> int:
    """Carry out the plan in one transaction; return the number of steps applied.

    Raises MigrationRefused, changing nothing, when a step is blocked by the data present,
    would lose data without `allow_data_loss`, or counts stored rows that break a new rule
    that `accept_invalid` does not accept.
    """
    refusal = migration.refusal(allow_data_loss, accept_invalid)
    if refusal:
        refused = (migration.blocked + (() if allow_data_loss else migration.losing_data)
                   + migration.breaking(accept_invalid))
        raise MigrationRefused(refusal, refused)
    if not migration.steps:
        return 0
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies tables; foreign keys must not fire while it does, and the
            # pragma only takes effect outside a transaction (so on the driver's connection,
            # before SQLAlchemy begins one).
            enforced = _pragma(conn, "PRAGMA foreign_keys")
            _pragma(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if sqlite and not _driver(conn).in_transaction:
                    conn.exec_driver_sql("BEGIN")  # make SQLite's DDL part of it too
                _run(conn, migration.steps)
                if sqlite:
                    _check_foreign_keys(conn)
        finally:
            if sqlite and enforced:
                _pragma(conn, "PRAGMA foreign_keys=ON")
    return len(migration.steps)


def _driver(conn: Connection) -> Any:
    """The DBAPI connection under `conn` (it has one while `conn` is open)."""
    driver = conn.connection.dbapi_connection
    assert driver is not None, "the connection is open"
    return driver


def _pragma(conn: Connection, statement: str) -> Any:
    """Run a SQLite pragma on the driver's connection; its first value, if any."""
    cursor = _driver(conn).cursor()
    try:
        row = cursor.execute(statement).fetchone()
        return row[0] if row else None
    finally:
        cursor.close()


def _run(conn: Connection, steps: Iterable[Step]) -> None:
    context = MigrationContext.configure(conn)
    operations = Operations(context)
    for step in steps:
        for phase in step.phases:
            if isinstance(phase, SqlPhase):
                phase.run(conn)
            elif isinstance(phase, BackfillPhase):
                phase.backfill.run(conn, step.table, phase.column)
            elif phase.batch:
                with operations.batch_alter_table(step.table, recreate="auto") as batch:
                    batch.invoke(phase.operation)
            else:
                operations.invoke(phase.operation)


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise GuanxiError(
            f"the migration would leave {len(broken)} reference(s) to missing records in "
            f"{', '.join(tables)}; nothing was changed"
        )
