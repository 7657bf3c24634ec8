"""Stored values a changed project no longer has: states of a workflow and options of a
choice field.

A record in a state the workflow no longer declares is stranded: no transition leaves
it. The plan counts such records per state and refuses, unless the workflow says where
they go (`state_map: {won: closed_won}`, or `renamed_from: won` on the new state); the
records are then moved, and their history keeps the old state's name as it was. A choice
or tags option declared with `renamed_from:` moves the stored values the same way.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from guanxi.fields.registry import field_type
from guanxi.migrate.steps import SqlPhase, Step
from guanxi.spec import EntitySpec, FieldSpec, ProjectSpec, WorkflowSpec
from sqlalchemy.engine import Connection


def _move(table: str, column: str, old: str, new: str) -> SqlPhase:
    def run(conn: Connection) -> Any:
        t = sa.table(table, sa.column(column))
        return conn.execute(sa.update(t).where(t.c[column] == old).values({column: new}))

    return SqlPhase(run)


def _counts(conn: Connection, table: str, column: str) -> dict[Any, int]:
    t = sa.table(table, sa.column(column))
    query = sa.select(t.c[column], sa.func.count()).group_by(t.c[column])
    return {value: int(n) for value, n in conn.execute(query)}


def _state_steps(conn: Connection, entity: EntitySpec, workflow: WorkflowSpec) -> list[Step]:
    known = {s.name for s in workflow.states}
    moved = workflow.moved_states()
    steps: list[Step] = []
    for state, n in sorted(_counts(conn, entity.name, "state").items(), key=str):
        if state is None or state in known:
            continue
        target = moved.get(state)
        if target in known:
            assert target is not None
            steps.append(Step(
                "move_state", entity.name, f"state:{state}",
                f"move {n} {entity.name} record(s) from state '{state}' to '{target}' "
                f"(workflow {workflow.name}, state_map)",
                data=f"{n} record(s) move; their history keeps '{state}'",
                phases=(_move(entity.name, "state", state, target),)))
            continue
        message = (f"{n} {entity.name} record(s) are in state '{state}', which workflow "
                   f"'{workflow.name}' no longer has (no transition leaves it); say where "
                   f"they go with state_map: {{{state}: <state>}} in the workflow, or "
                   f"renamed_from: {state} on the state that replaces it")
        steps.append(Step("stranded_state", entity.name, f"state:{state}",
                          f"records of {entity.name} in the removed state '{state}'",
                          data=message, blocked=message))
    return steps


def _tags_table(entity: EntitySpec, field: FieldSpec) -> sa.TableClause:
    return sa.table(entity.name, sa.column("id"),
                    sa.column(field.name, field_type(field).column_type(field)))


def _tag_rows(conn: Connection, entity: EntitySpec, field: FieldSpec,
              old: str) -> list[tuple[int, list[Any]]]:
    t = _tags_table(entity, field)
    rows = conn.execute(sa.select(t.c.id, t.c[field.name])
                        .where(t.c[field.name].is_not(None)))
    return [(int(i), list(tags)) for i, tags in rows if isinstance(tags, list) and old in tags]


def _move_tags(entity: EntitySpec, field: FieldSpec, old: str, new: str) -> SqlPhase:
    def run(conn: Connection) -> None:
        t = _tags_table(entity, field)
        for record_id, tags in _tag_rows(conn, entity, field, old):
            moved: list[Any] = []
            for tag in tags:
                tag = new if tag == old else tag
                if tag not in moved:
                    moved.append(tag)
            conn.execute(sa.update(t).where(t.c.id == record_id)
                         .values({field.name: moved}))

    return SqlPhase(run)


def _tag_steps(conn: Connection, entity: EntitySpec, field: FieldSpec) -> list[Step]:
    known = {o.value for o in field.options}
    steps: list[Step] = []
    for option in field.options:
        old = option.renamed_from
        if not old or old in known:
            continue
        n = len(_tag_rows(conn, entity, field, old))
        if n:
            steps.append(Step(
                "move_option", entity.name, f"{field.name}:option {old}",
                f"change the tag '{old}' of {entity.name}.{field.name} to '{option.value}' "
                f"(option renamed_from: {old})", data=f"{n} record(s) change",
                phases=(_move_tags(entity, field, old, option.value),)))
    return steps


def _option_steps(conn: Connection, entity: EntitySpec, field: FieldSpec,
                  columns: set[str]) -> list[Step]:
    if field.name not in columns:
        return []
    if field.type == "tags":
        return _tag_steps(conn, entity, field)
    if field.type != "choice":
        return []
    known = {o.value for o in field.options}
    steps: list[Step] = []
    counts = _counts(conn, entity.name, field.name)
    for option in field.options:
        old = option.renamed_from
        if not old or old in known or not counts.get(old):
            continue
        n = counts[old]
        steps.append(Step(
            "move_option", entity.name, f"{field.name}:option {old}",
            f"change {entity.name}.{field.name} from '{old}' to '{option.value}' "
            f"(option renamed_from: {old})",
            data=f"{n} value(s) change",
            phases=(_move(entity.name, field.name, old, option.value),)))
    return steps


def move_steps(conn: Connection, spec: ProjectSpec | None) -> list[Step]:
    """Steps that move stored states and options to the ones the project declares now,
    and refusals for records left in states that are gone."""
    if spec is None:
        return []
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    steps: list[Step] = []
    for entity in spec.entities:
        if entity.name not in tables:
            continue
        columns = {c["name"] for c in inspector.get_columns(entity.name)}
        workflow = spec.workflow(entity.workflow) if entity.workflow else None
        if workflow is not None and "state" in columns:
            steps.extend(_state_steps(conn, entity, workflow))
        for field in entity.fields:
            steps.extend(_option_steps(conn, entity, field, columns))
    return steps
